"""The deployment files (deploy/, .env.production.example) agree with the code they run.

Issue #14 item 4: the systemd units start commands that exist with arguments they accept,
nginx caps requests where Django does and serves the STATIC_ROOT that collectstatic fills,
the env example lists every variable the settings read, docker-compose.yml parses, and
the shell scripts are valid. Fast: files are parsed; the only processes started are
`bash -n`, nginx -t (when nginx is installed) and one Django start with the example's values.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
NGINX_SITE = DEPLOY / "nginx" / "xuanpei.conf"
NGINX_PROXY = DEPLOY / "nginx" / "xuanpei-proxy.conf"
ENV_EXAMPLE = ROOT / ".env.production.example"
SETTINGS_SOURCE = ROOT / "xuanpei" / "settings.py"

PREFIX = "/opt/xuanpei"
VAR_DIR = "/var/lib/xuanpei"
ENV_FILE = "/etc/xuanpei/xuanpei.env"
LONG_RUNNING = ("xuanpei-web", "xuanpei-worker", "xuanpei-beat")
# Read by deploy/backup.sh or docker-compose.yml, not by the settings.
DEPLOY_ONLY_VARS = {"BACKUP_DIR", "BACKUP_KEEP_DAYS", "POSTGRES_PASSWORD"}


# ------------------------------------------------------------------------------ parsing


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values…]}} (keys repeat, e.g. Environment=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {line!r} is not Key=Value"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit[section][key]
    assert len(values) == 1, f"{section}.{key} given {len(values)} times"
    return values[0]


def exec_start(name: str) -> list[str]:
    return one(parse_unit(SYSTEMD / f"{name}.service"), "Service", "ExecStart").split()


def nginx_directives(text: str, name: str) -> list[str]:
    """The arguments of every `name …;` directive (comments stripped)."""
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return [m.group(1).strip() for m in re.finditer(rf"(?m)^\s*{name}\s+([^;{{}}]*);", body)]


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def nginx_seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()
    return int(number) * (60 if unit == "m" else 1)


def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """(active NAME=value lines, commented `# NAME=value` defaults) of the example."""
    active, commented = {}, {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if m := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            active[m.group(1)] = m.group(2)
        elif m := re.fullmatch(r"# ([A-Z][A-Z0-9_]*)=(\S*)", line):
            commented[m.group(1)] = m.group(2)
    return active, commented


def settings_env_names() -> set[str]:
    """Every environment variable xuanpei/settings.py reads through the env helpers."""
    source = SETTINGS_SOURCE.read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|int|bool|list|secret)\(\s*"([A-Z][A-Z0-9_]*)"', source))
    names |= set(re.findall(r'os\.environ(?:\.get)?[\[(]\s*"([A-Z][A-Z0-9_]*)"', source))
    return names


# ------------------------------------------------------------------------------ systemd


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_service_runs_as_the_app_user_from_the_env_file_and_restarts(name):
    unit = parse_unit(SYSTEMD / f"{name}.service")

    service = unit["Service"]
    assert one(unit, "Service", "User") == "xuanpei"
    assert one(unit, "Service", "Group") == "xuanpei"
    assert one(unit, "Service", "WorkingDirectory") == PREFIX
    assert one(unit, "Service", "EnvironmentFile") == ENV_FILE
    assert one(unit, "Service", "Restart") == "on-failure"
    assert exec_start(name)[0].startswith(f"{PREFIX}/.venv/bin/")
    # Hardening: read-only system but the data directory, no privilege gain, own /tmp.
    assert one(unit, "Service", "NoNewPrivileges") == "yes"
    assert one(unit, "Service", "ProtectSystem") == "strict"
    assert VAR_DIR in one(unit, "Service", "ReadWritePaths").split()
    assert one(unit, "Service", "PrivateTmp") == "yes"
    assert service["CapabilityBoundingSet"] == [""]
    for key in ("After", "Wants"):
        assert {"postgresql.service", "redis-server.service"} <= set(one(unit, "Unit", key).split())
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_the_web_unit_runs_xuanpei_serve_with_arguments_it_accepts():
    from django.core.management import load_command_class

    argv = exec_start("xuanpei-web")
    assert argv[0] == f"{PREFIX}/.venv/bin/xuanpei"
    assert argv[1] == "serve"

    command = load_command_class("xuanpei.core", "serve")
    options = command.create_parser("xuanpei", "serve").parse_args(argv[2:])

    assert options.bind == "127.0.0.1:8000"
    # nginx forwards to exactly that address.
    upstream = nginx_directives(NGINX_SITE.read_text(encoding="utf-8"), "server")
    assert upstream == [options.bind]


def test_the_console_scripts_the_units_name_are_installed_by_the_package():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'(?m)^xuanpei = "xuanpei\.cli:main"$', pyproject)
    assert re.search(r'(?m)^\s*"celery==', pyproject)
    venv_bin = Path(sys.executable).parent
    for name in ("xuanpei", "celery"):
        assert (venv_bin / name).exists(), f"{name} missing from {venv_bin}"


@pytest.mark.parametrize(
    ("name", "subcommand", "options"),
    [
        ("xuanpei-worker", "worker", {"-l"}),
        ("xuanpei-beat", "beat", {"-l", "--schedule"}),
    ],
)
def test_the_celery_units_start_the_xuanpei_app_with_options_celery_has(name, subcommand, options):
    from celery import Celery
    from celery.bin.celery import celery as celery_cli

    argv = exec_start(name)
    assert Path(argv[0]).name == "celery"
    assert argv[1:4] == ["-A", "xuanpei", subcommand]

    # `-A xuanpei` finds the app in xuanpei/celery.py.
    from xuanpei.celery import app

    assert isinstance(app, Celery)
    known = {opt for param in celery_cli.commands[subcommand].params for opt in param.opts}
    given = {word for word in argv[4:] if word.startswith("-")}
    assert options <= given <= known


def test_beat_keeps_its_schedule_file_in_the_writable_data_directory():
    argv = exec_start("xuanpei-beat")
    schedule = argv[argv.index("--schedule") + 1]
    unit = parse_unit(SYSTEMD / "xuanpei-beat.service")

    assert Path(schedule).parent == Path(VAR_DIR)
    assert VAR_DIR in one(unit, "Service", "ReadWritePaths").split()


def test_the_nightly_backup_runs_the_backup_command_and_the_timer_names_it():
    from django.core.management import load_command_class

    unit = parse_unit(SYSTEMD / "xuanpei-backup.service")
    timer = parse_unit(SYSTEMD / "xuanpei-backup.timer")
    script = one(unit, "Service", "ExecStart")

    assert one(unit, "Service", "Type") == "oneshot"
    assert one(unit, "Service", "User") == "xuanpei"
    assert one(unit, "Service", "EnvironmentFile") == ENV_FILE
    assert "/var/backups/xuanpei" in one(unit, "Service", "ReadWritePaths").split()
    local = ROOT / Path(script).relative_to(PREFIX)
    assert local.is_file() and os.access(local, os.X_OK)
    assert '"$XUANPEI" backup --out "$out"' in local.read_text(encoding="utf-8")
    backup = load_command_class("xuanpei.core", "backup")
    assert backup.create_parser("xuanpei", "backup").parse_args(["--out", "/x"]).out == Path("/x")
    assert one(timer, "Timer", "Unit") == "xuanpei-backup.service"
    assert one(timer, "Timer", "Persistent") == "true"
    assert one(timer, "Timer", "OnCalendar")
    assert one(timer, "Install", "WantedBy") == "timers.target"


# ------------------------------------------------------------------------------ nginx


def decided(pattern: str) -> str:
    """A figure docs/decisions.md records for the deployment."""
    match = re.search(pattern, (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8"))
    assert match, f"docs/decisions.md no longer says {pattern!r}"
    return match.group(1)


def test_nginx_caps_the_request_body_as_decided_and_above_what_django_accepts():
    site = NGINX_SITE.read_text(encoding="utf-8")
    caps = {nginx_size(v) for v in nginx_directives(site, "client_max_body_size")}

    # Django caps the fields and each file, nothing the whole body: nginx does
    # (docs/decisions.md, "Request size").
    assert caps == {nginx_size(decided(r"`client_max_body_size (\d+[kmg]?)`"))}
    cap = caps.pop()
    # Whatever Django would accept gets through to it: the fields, the largest import.
    assert cap >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert cap > settings.IMPORT_MAX_BYTES
    assert cap > settings.EVIDENCE_MAX_MB * 1024 * 1024
    # The Chinese 413 page names the same limit.
    assert f"不超过 {cap // 1024 // 1024} MB" in site


def test_nginx_serves_static_root_and_never_the_uploads():
    site = NGINX_SITE.read_text(encoding="utf-8")
    active, _ = env_example()
    var_dir = Path(settings.VAR_DIR)

    assert nginx_directives(site, "alias") == [
        f"{active['XUANPEI_VAR_DIR']}/{Path(settings.STATIC_ROOT).relative_to(var_dir)}/"
    ]
    assert settings.STATIC_URL == "/static/"
    assert "location /static/" in site
    # /media/ answers 404 in nginx; the app serves files after its scope check only.
    assert re.search(r"location \^~ /media/ \{\s*return 404;\s*\}", site)
    assert not hasattr(settings, "MEDIA_URL") or settings.MEDIA_URL in ("", "/")
    # (The tests move MEDIA_ROOT to a temporary directory: the source says where it is.)
    assert 'MEDIA_ROOT = VAR_DIR / "media"' in SETTINGS_SOURCE.read_text(encoding="utf-8")


def test_nginx_forwards_what_django_reads_and_waits_as_long_as_decided():
    proxy = NGINX_PROXY.read_text(encoding="utf-8")
    headers = dict(v.split(None, 1) for v in nginx_directives(proxy, "proxy_set_header"))
    source = SETTINGS_SOURCE.read_text(encoding="utf-8")

    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' in source
    assert headers["Host"] == "$host"
    # Appended, so the rightmost XUANPEI_TRUSTED_PROXIES entry is nginx's own view.
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    read_timeout = nginx_seconds(nginx_directives(proxy, "proxy_read_timeout")[0])
    # Long enough for htmx polls and inline exports; the request limit the server's
    # decision names (gunicorn's gthread workers do not end a long request themselves).
    assert read_timeout >= 120
    assert read_timeout == nginx_seconds(decided(r"`proxy_read_timeout (\d+s?)`"))


def test_nginx_speaks_tls_1_2_and_up_and_does_not_repeat_djangos_headers():
    site = NGINX_SITE.read_text(encoding="utf-8")

    assert nginx_directives(site, "ssl_protocols") == ["TLSv1.2 TLSv1.3"]
    assert "return 301 https://$host$request_uri" in site
    added = {v.split()[0].lower() for v in nginx_directives(site, "add_header")}
    # Django's SecurityMiddleware / XFrameOptionsMiddleware send these on app responses.
    assert not added & {"x-frame-options", "referrer-policy", "strict-transport-security"}


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if not nginx or not shutil.which("openssl"):
        pytest.skip("nginx or openssl is not installed (apt-get install nginx)")
    key, crt = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=test", "-keyout", str(key), "-out", str(crt)],
        check=True,
        capture_output=True,
    )
    site = (
        NGINX_SITE.read_text(encoding="utf-8")
        .replace("/etc/xuanpei/tls/xuanpei.crt", str(crt))
        .replace("/etc/xuanpei/tls/xuanpei.key", str(key))
        .replace("/etc/nginx/snippets/xuanpei-proxy.conf", str(NGINX_PROXY))
    )
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ {mime} access_log off; include {tmp_path}/site.conf; }}\n",
        encoding="utf-8",
    )

    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------------ env example


def test_the_env_example_lists_every_variable_the_settings_read():
    active, commented = env_example()
    listed = set(active) | set(commented)

    read = settings_env_names()

    assert {"SECRET_KEY", "DATABASE_URL", "DB_POOL_MAX_SIZE", "XUANPEI_VAR_DIR"} <= read
    assert read - listed == set()
    assert listed - read - DEPLOY_ONLY_VARS == set()


def test_the_env_example_is_a_production_configuration():
    active, _ = env_example()

    assert active["DEBUG"] == "0"
    assert active["JOB_RUNNER"] == "celery"
    assert active["DATABASE_URL"].startswith("postgres://")
    assert active["REDIS_URL"].startswith("redis://")
    assert active["CELERY_BROKER_URL"].startswith("redis://")
    assert active["XUANPEI_TRUSTED_PROXIES"] == "1"
    assert active["CSRF_TRUSTED_ORIGINS"] == f"https://{active['ALLOWED_HOSTS']}"
    # The data directory the units may write to and nginx reads static files from.
    assert active["XUANPEI_VAR_DIR"] == VAR_DIR


def test_the_settings_load_with_the_example_values(tmp_path):
    """Every value in the example (the commented defaults too) passes the typed helpers."""
    active, commented = env_example()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(commented)
    env.update(active)
    env.pop("SECRET_KEY_FILE", None)
    env.update(
        SECRET_KEY="x" * 60,
        XUANPEI_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="xuanpei.settings",
    )
    # The settings module alone (no app loading): what the env helpers make of the values.
    code = (
        "import xuanpei.settings as s;"
        "print(s.DEBUG, s.JOB_RUNNER, s.DATABASES['default']['ENGINE'],"
        " s.SECURE_PROXY_SSL_HEADER[0], s.CACHES['default']['BACKEND'])"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "False",
        "celery",
        "django.db.backends.postgresql",
        "HTTP_X_FORWARDED_PROTO",
        "django.core.cache.backends.redis.RedisCache",
    ]


# ------------------------------------------------------------------------------ docker


def test_docker_compose_parses_and_runs_each_role_of_the_entrypoint():
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    entrypoint = (DEPLOY / "docker-entrypoint.sh").read_text(encoding="utf-8")
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    services = compose["services"]

    assert set(services) == {"db", "redis", "web", "worker", "beat", "nginx"}
    for role in ("web", "worker", "beat"):
        assert services[role]["command"] == [role]
        assert re.search(rf"(?m)^  {role}\)$", entrypoint)
        assert services[role]["environment"]["JOB_RUNNER"] == "celery"
        assert services[role]["env_file"] == ".env"
    assert "exec xuanpei serve --bind 0.0.0.0:8000" in entrypoint
    assert "exec celery -A xuanpei worker" in entrypoint
    assert "exec celery -A xuanpei beat" in entrypoint
    # pg_dump in the image must not be older than the server it dumps.
    assert services["db"]["image"].startswith("postgres:15")
    assert "postgresql-client-15" in dockerfile
    assert services["redis"]["image"].startswith("redis:7")
    assert dockerfile.count("FROM python:3.11-slim-bookworm") == 2
    assert set(compose["volumes"]) >= {"db", "media", "static"}
    # The nginx container mounts the same site file, and the static volume web fills.
    mounts = services["nginx"]["volumes"]
    assert "./nginx/xuanpei.conf:/etc/xuanpei/nginx/xuanpei.conf:ro" in mounts
    assert f"static:{VAR_DIR}/staticfiles:ro" in mounts
    assert f"static:{VAR_DIR}/staticfiles" in services["web"]["volumes"]
    assert (DEPLOY / "nginx" / "xuanpei.conf").is_file()


# ------------------------------------------------------------------------------ scripts


@pytest.mark.parametrize(
    ("shell", "script"),
    [
        ("bash", "install-debian.sh"),
        ("bash", "backup.sh"),
        ("bash", "manage.sh"),
        ("sh", "docker-entrypoint.sh"),
    ],
)
def test_the_scripts_are_valid_shell(shell, script):
    path = DEPLOY / script

    result = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert os.access(path, os.X_OK)
    if shell == "bash" and script != "docker-entrypoint.sh":
        assert "set -euo pipefail" in path.read_text(encoding="utf-8")


def test_the_install_script_explains_itself_and_refuses_unknown_options():
    script = str(DEPLOY / "install-debian.sh")

    helped = subprocess.run(["bash", script, "--help"], capture_output=True, text=True)
    refused = subprocess.run(["bash", script, "--bogus"], capture_output=True, text=True)

    assert helped.returncode == 0
    for option in ("--domain", "--cert", "--no-systemd", "--db-name", "--https-port", "--stop"):
        assert option in helped.stdout
    assert refused.returncode == 1
    assert "无法识别的选项：--bogus" in refused.stderr
