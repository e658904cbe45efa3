"""Loopback load (issue #14, Performance and load): demo personas clicking through their pages.

    python -m bench.load --users 50 --think 2 --minutes 10 --server serve
    python -m bench.load --compare --users 20 --think 0 --minutes 5
    python -m bench.load --users 5 --minutes 1 --scale 1 --db-name xp_try --no-report

(or `python -m bench.run load …`). Steps:

1. the database: `--reuse-db NAME`, or a fresh PostgreSQL one (`--db-name`, default
   `xuanpei_bench_<pid>_load`) built with `xuanpei migrate` and `xuanpei seed-demo
   --scale N` (default 10), dropped afterwards unless `--keep`;
2. the server, started here on a free loopback port with the exact argv of `SERVERS`
   (`runserver` as `make run` starts it, or `serve`, the production server);
3. the users: user i is a session of persona i mod 6 (district, new town, 镇街,
   department, enterprise, read-only leader — the accounts `xuanpei demo-accounts`
   prints), logged in through the real login form (CSRF cookie and token), each with its
   own cookie jar and one keep-alive connection (http.client). Each cycles through its
   role's pages and API lists (`URLS`: pages its menu offers it, all answering 200),
   waiting a random 0.5–1.5 × `--think` seconds between clicks. Users start spread
   over `--ramp` seconds; one probe session per persona opens every URL first (not
   counted: it warms the server, and a URL that does not answer 200 stops the run — a
   bug of this script, not of the server);
4. every request is recorded: status, latency (send to last byte), and connection
   failures by kind (reset, remote disconnected, timeout, refused). A browser re-sends
   a GET once when a kept-alive connection turns out closed by the server before it
   answered; so does this script, and it counts those re-sends apart (`stale_retries`):
   a second failure, or a failure on a fresh connection, is an error;
5. PostgreSQL connections to the database are sampled while the load runs
   (pg_stat_activity, `bench.training_signin.ConnectionWatch`) and the most seen is
   reported, with the pool's bound when known (DB_POOL_MAX_SIZE × workers).

`--compare` runs the same load against `runserver`, then `serve`, on one database, and
reports the throughput ratio (the issue: ≥ 2× the development server's). Heavy report
pages (the training shortfall, exports) are not in the mix: they are measured alone by
their own benches. Static files are not fetched (a browser caches them).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from bench import report
from bench.measure import (
    ROOT,
    app_env,
    check,
    create_db,
    drop_db,
    machine,
    pg_connect,
    pg_url,
    run_measured,
    xuanpei_cmd,
)
from bench.training_signin import ConnectionWatch, free_port, stop_server, write_report

P95_TARGET_MS = 300.0
RATIO_TARGET = 2.0
# The issue's runs: 50 users, 2 s think, 10 min; 20 users without think; demo at scale 10.
ISSUE_STEADY = {"users": 50, "think": 2.0, "minutes": 10.0, "scale": 10}
ISSUE_COMPARE = {"users": 20, "think": 0.0, "scale": 10}  # for as long as it is run
AGENT = "Mozilla/5.0 (X11; Linux x86_64) xuanpei-bench-load"

# The servers, as their owners start them. `{port}` and `{workers}` are filled in; an
# argument holding `{workers}` is left out when --workers is not given (the server's own
# default then). `before`: `xuanpei …` commands run first with the same environment.
# `https`: send X-Forwarded-Proto as nginx does — production settings redirect plain
# http and mark cookies Secure. `var`: its own XUANPEI_VAR_DIR under var/bench/, so
# that the static files it collects do not touch the checkout's var/.
SERVERS: dict[str, dict] = {
    "runserver": {  # as `make run` starts it (DEBUG on, DB_CONN_MAX_AGE's default)
        "argv": ["runserver", "127.0.0.1:{port}", "--noreload"],
        "env": {},
        "before": [],
        "https": False,
        "var": None,
    },
    "serve": {  # production settings; the pool's size is serve's default unless exported
        "argv": ["serve", "--bind", "127.0.0.1:{port}", "--workers={workers}"],
        "env": {
            "DEBUG": "0",
            "SECRET_KEY": "bench-load-only-not-a-secret-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # As deployed (.env.production.example): cache and sessions shared by the
            # workers in Redis (db 13: apart from the tests' 15 and a deployment's 0/1).
            "REDIS_URL": "redis://127.0.0.1:6379/13",
        },
        # DEBUG=0 serves static files from the manifest: serve refuses to start without it.
        "before": [["collectstatic", "--noinput"]],
        "https": True,
        "var": "load-var",
    },
}

# Persona → the pages and API lists it opens, in a cycle. Each is offered to the role
# by its menu (core/context_processors.py MENU) and answers it 200 (tests/test_bench_load.py
# opens each as the matching factory persona).
_API = ["/api/v1/plans/", "/api/v1/reports/", "/api/v1/activities/"]
_API += ["/api/v1/training-sessions/", "/api/v1/unit-scores/", "/api/v1/people/"]
_UNIT_PAGES = [
    "/",
    "/plans/",
    "/plans/inbox/",
    "/plans/reports/pending/",
    "/publicity/activities/",
    "/publicity/activities/review/",
    "/training/sessions/",
    "/workforce/compliance/",
    "/workforce/people/",
    "/assessment/",
    "/assessment/mine/",
    "/assessment/bulletins/",
    "/notifications/",
]
URLS: dict[str, list[str]] = {
    "district": [p for p in _UNIT_PAGES if p != "/assessment/mine/"]
    + ["/assessment/cockpit/", *_API],
    "new_town": [*_UNIT_PAGES, *_API],
    "street": [*_UNIT_PAGES, *_API],
    "department": [*_UNIT_PAGES, *_API],
    "enterprise": [
        "/",
        "/publicity/activities/",
        "/publicity/media/",
        "/training/sessions/",
        "/workforce/people/",
        "/workforce/certificates/due/",
        "/orgs/enterprises/",
        "/notifications/",
        "/api/v1/activities/",
        "/api/v1/training-sessions/",
        "/api/v1/people/",
        "/api/v1/certificates/",
    ],
    "viewer": [
        "/",
        "/plans/",
        "/plans/inbox/",
        "/publicity/activities/",
        "/training/sessions/",
        "/workforce/compliance/",
        "/workforce/people/",
        "/assessment/",
        "/assessment/cockpit/",
        "/assessment/bulletins/",
        "/notifications/",
        *_API,
    ],
}
PERSONAS = tuple(URLS)
# The demo accounts (xuanpei/orgs/demo.py) by persona; every other `*_admin` is a new town's.
DEMO_PERSONA = {
    "qc_anweiban": "district",
    "fengbin_admin": "street",
    "qc_jiaoyu": "department",
    "qc_qiye": "enterprise",
    "qc_lingdao": "viewer",
}
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Figures ------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it.

    (round() first: 0.95 × 100 is 95.00000000000001 in floating point, whose ceiling
    would pick the 96th value.)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(round(q * len(ordered), 9))
    return ordered[min(len(ordered), max(1, rank)) - 1]


@dataclass
class Hit:
    """One request: when it started (s from the load's start), what, and how it ended."""

    start: float
    persona: str
    path: str
    status: int  # 0: no HTTP answer (see `error`)
    ms: float
    error: str = ""  # "" | "http_<status>" | "redirect" | "reset" | "disconnected" | …
    retried: bool = False


def error_kind(exc: BaseException) -> str:
    """A connection failure's kind: resets and drops apart from timeouts and refusals."""
    if isinstance(exc, http.client.RemoteDisconnected):
        return "disconnected"  # checked first: it is also a ConnectionResetError
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "reset"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    return type(exc).__name__


def stats(hits: list[Hit], seconds: float) -> dict:
    """Latency percentiles, rate and errors by kind over `hits` in a `seconds` window."""
    ms = [h.ms for h in hits if h.status]
    errors = Counter(h.error for h in hits if h.error)
    connection = {"reset", "disconnected", "timeout", "refused"}
    return {
        "requests": len(hits),
        "answered": len(ms),
        "rps": round(len(hits) / seconds, 2) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(sorted(errors.items())),
        "resets": sum(n for k, n in errors.items() if k in ("reset", "disconnected")),
        "connection_errors": sum(n for k, n in errors.items() if k in connection),
        "stale_retries": sum(1 for h in hits if h.retried),
        "statuses": dict(sorted(Counter(str(h.status) for h in hits).items())),
    }


# A browser ----------------------------------------------------------------------------------


class LoginFailed(RuntimeError):
    pass


@dataclass
class Browser:
    """One user's session: its cookie jar and one keep-alive connection."""

    port: int
    https: bool = False
    timeout: float = 30.0
    cookies: dict = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None
    served: int = 0  # requests answered on the current connection
    opened: int = 0  # TCP connections opened (1 when keep-alive holds throughout)

    def _headers(self, extra: dict | None) -> dict:
        headers = {"User-Agent": AGENT, "Accept-Language": "zh-hans"}
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)  # Django deletes a cookie this way
                else:
                    self.cookies[name] = morsel.value

    def _once(self, method, path, body, headers) -> tuple[int, dict, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.served = 0
            self.opened += 1
        self.conn.request(method, path, body=body, headers=self._headers(headers))
        response = self.conn.getresponse()
        content = response.read()
        self._keep_cookies(response)
        self.served += 1
        if response.will_close:
            self.close()
        return response.status, dict(response.headers), content

    def request(self, method, path, body=None, headers=None) -> tuple[int, dict, bytes, bool]:
        """(status, headers, body, retried). Re-sends once — as browsers do — only when
        a connection that already served requests fails before any answer."""
        try:
            return (*self._once(method, path, body, headers), False)
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            reused = self.served > 0
            self.close()
            if not reused:
                raise
        return (*self._once(method, path, body, headers), True)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def origin(self) -> str:
        return f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}"

    def login(self, username: str, password: str) -> list[tuple[str, int, float, bool]]:
        """The login form as a browser fills it; the two requests' (path, status, ms)."""
        timings = []
        started = time.perf_counter()
        status, _h, body, retried = self.request("GET", "/accounts/login/")
        timings.append(
            ("/accounts/login/", status, (time.perf_counter() - started) * 1000, retried)
        )
        token = TOKEN_RE.search(body.decode("utf-8", "replace"))
        if status != 200 or not token:
            raise LoginFailed(f"{username}: GET /accounts/login/ → {status}")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        started = time.perf_counter()
        status, headers, _b, retried = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin(),
                "Referer": self.origin() + "/accounts/login/",
            },
        )
        timings.append(
            ("/accounts/login/", status, (time.perf_counter() - started) * 1000, retried)
        )
        if status != 302 or "/accounts/login/" in headers.get("Location", ""):
            raise LoginFailed(f"{username}: POST /accounts/login/ → {status} (wrong password?)")
        return timings


def get(browser: Browser, persona: str, path: str, t0: float) -> Hit:
    """One click: a GET, timed to the last byte, its failure classified."""
    accept = "application/json" if path.startswith("/api/") else "text/html"
    started = time.perf_counter()
    try:
        status, _h, _body, retried = browser.request("GET", path, headers={"Accept": accept})
    except (OSError, http.client.HTTPException) as exc:
        browser.close()
        ms = (time.perf_counter() - started) * 1000
        return Hit(started - t0, persona, path, 0, ms, error_kind(exc))
    ms = (time.perf_counter() - started) * 1000
    error = "" if status == 200 else ("redirect" if 300 <= status < 400 else f"http_{status}")
    return Hit(started - t0, persona, path, status, ms, error, retried)


# Accounts, database and server --------------------------------------------------------------


def parse_demo_accounts(text: str) -> dict[str, list[tuple[str, str]]]:
    """`xuanpei demo-accounts` output → persona → [(username, password)]."""
    by_persona: dict[str, list[tuple[str, str]]] = {p: [] for p in PERSONAS}
    rows = text.splitlines()
    ruler = next((i for i, line in enumerate(rows) if line.startswith("---")), None)
    for line in rows[ruler + 1 :] if ruler is not None else []:
        parts = line.split()
        if len(parts) < 2:
            continue
        username, password = parts[0], parts[1]
        persona = DEMO_PERSONA.get(username)
        if persona is None and username.endswith("_admin"):
            persona = "new_town"
        if persona:
            by_persona[persona].append((username, password))
    return by_persona


def demo_accounts(database_url: str) -> dict[str, list[tuple[str, str]]]:
    m = check(
        run_measured(xuanpei_cmd("demo-accounts"), env=app_env(database_url)), "demo-accounts"
    )
    accounts = parse_demo_accounts(m.stdout)
    missing = [p for p, a in accounts.items() if not a]
    if missing:
        raise RuntimeError(f"no demo account for {missing}: is the demo district seeded?")
    return accounts


# xuanpei/orgs/demo.py: seed-demo --scale N makes N × BASE_ENTERPRISES enterprises.
DEMO_BASE_ENTERPRISES = 2000


def demo_scale(name: str) -> int | None:
    """The --scale a reused demo database was seeded at (`scale_of` its enterprises)."""
    with pg_connect(name) as conn:
        (n,) = conn.execute("SELECT count(*) FROM orgs_enterprise").fetchone()
    return scale_of(n)


def scale_of(enterprises: int) -> int | None:
    """seed-demo's --scale that makes this many enterprises; None when the count is not a
    whole multiple of the demo's base (not the demo, or edited since)."""
    if enterprises and enterprises % DEMO_BASE_ENTERPRISES == 0:
        return enterprises // DEMO_BASE_ENTERPRISES
    return None


def build_db(name: str, scale: int) -> dict:
    """A fresh database with the demo district at `scale` (the build's times for the record)."""
    create_db(name)
    env = app_env(pg_url(name))
    migrate = check(run_measured(xuanpei_cmd("migrate", "--noinput"), env=env), "migrate")
    seed = check(
        run_measured(xuanpei_cmd("seed-demo", "--scale", str(scale)), env=env), "seed-demo"
    )
    return {"migrate_s": round(migrate.seconds, 1), "seed_s": round(seed.seconds, 1)}


def server_argv(server: str, port: int, workers: int | None) -> list[str]:
    argv = []
    for arg in SERVERS[server]["argv"]:
        if "{workers}" in arg and workers is None:
            continue
        argv.append(arg.format(port=port, workers=workers))
    return argv


def static_is_fresh(var_dir: Path) -> bool:
    """The collected manifest is newer than every static source of the checkout (our
    apps' static/ and the npm lock, which pins the vendored libraries)."""
    manifest = var_dir / "staticfiles" / "staticfiles.json"
    if not manifest.is_file():
        return False
    sources = [ROOT / "package-lock.json", *ROOT.glob("xuanpei/*/static/**/*")]
    newest = max((f.stat().st_mtime for f in sources if f.is_file()), default=0.0)
    return manifest.stat().st_mtime > newest


def start_server(server: str, database_url: str, *, workers: int | None, log: Path):
    """The server on a free port, answering the login page (≤ 90 s), with its env."""
    port = free_port()
    spec = SERVERS[server]
    extra = dict(spec["env"])
    if spec["var"]:
        extra["XUANPEI_VAR_DIR"] = str(ROOT / "var" / "bench" / spec["var"])
    env = app_env(database_url, **extra)
    for command in spec["before"]:
        if command[0] == "collectstatic" and static_is_fresh(Path(extra["XUANPEI_VAR_DIR"])):
            continue  # compressing every file again takes minutes on this machine
        check(run_measured(xuanpei_cmd(*command), env=env), " ".join(command))
    handle = log.open("w")
    proc = subprocess.Popen(
        xuanpei_cmd(*server_argv(server, port, workers)),
        env=env,
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{server} exited: {log.read_text(errors='replace')[-2000:]}")
        waiter = Browser(port, SERVERS[server]["https"], timeout=5)
        try:
            status, *_ = waiter.request("GET", "/accounts/login/")
            if status < 500:
                return proc, port, env
        except (OSError, http.client.HTTPException):
            pass
        finally:
            waiter.close()
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"{server} did not answer within 90 s")


def pool_bound(server: str, env: dict, workers: int | None) -> int | None:
    """The most PostgreSQL connections the server may hold: DB_POOL_MAX_SIZE × workers
    under serve (each unset one: serve's own default, xuanpei/core/serve.py); none for
    a server without a pool (runserver: a connection per request thread)."""
    if server != "serve":
        return None
    from xuanpei.core import serve  # plain constants: no Django set-up needed

    size = int(env.get("DB_POOL_MAX_SIZE") or serve.DEFAULT_THREADS)
    return size * (workers or serve.default_workers()) if size > 0 else None


# The load -----------------------------------------------------------------------------------


def probe(port: int, https: bool, accounts: dict) -> list[str]:
    """One session per persona opens each of its URLs once; what did not answer 200."""
    wrong = []
    for persona, urls in URLS.items():
        username, password = accounts[persona][0]
        browser = Browser(port, https, timeout=120)
        browser.login(username, password)
        for path in urls:
            hit = get(browser, persona, path, 0.0)
            if hit.status != 200:
                wrong.append(f"{persona} ({username}) {path} → {hit.status or hit.error}")
        browser.close()
    return wrong


def drive(
    port: int,
    https: bool,
    accounts: dict,
    *,
    users: int,
    think: float,
    seconds: float,
    ramp: float,
    timeout: float,
    seed: int = 14,
) -> tuple[list[Hit], float, list[str], int]:
    """`users` threads for `seconds`: every hit, the wall time, login failures and the
    TCP connections opened (= users when keep-alive held throughout)."""
    per_user: list[list[Hit]] = [[] for _ in range(users)]
    opened = [0] * users
    failures: list[str] = []
    t0 = time.perf_counter()
    deadline = t0 + ramp + seconds

    def user(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        persona = PERSONAS[i % len(PERSONAS)]
        pool = accounts[persona]
        username, password = pool[(i // len(PERSONAS)) % len(pool)]
        time.sleep(i * ramp / users)
        browser = Browser(port, https, timeout=timeout)
        began = time.perf_counter() - t0
        try:
            for path, status, ms, retried in browser.login(username, password):
                per_user[i].append(Hit(began, persona, path + " (login)", status, ms, "", retried))
        except (LoginFailed, OSError, http.client.HTTPException) as exc:
            failures.append(f"{username}: {exc}")
            per_user[i].append(Hit(began, persona, "/accounts/login/", 0, 0.0, "login"))
            opened[i] = browser.opened
            return
        urls = URLS[persona]
        k = i * 7  # users of one persona start at different pages
        while time.perf_counter() < deadline:
            per_user[i].append(get(browser, persona, urls[k % len(urls)], t0))
            k += 1
            if think > 0:
                time.sleep(
                    min(think * rng.uniform(0.5, 1.5), max(0, deadline - time.perf_counter()))
                )
        opened[i] = browser.opened
        browser.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return [h for hits in per_user for h in hits], wall, failures, sum(opened)


def run_one(
    server: str,
    database: str,
    accounts: dict,
    *,
    users: int,
    think: float,
    minutes: float,
    ramp: float,
    workers: int | None,
    timeout: float,
) -> dict:
    """One server, one load: start it, probe, drive, stop; the figures."""
    log = ROOT / "var" / "bench" / f"load_{server}_{os.getpid()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc, port, env = start_server(server, pg_url(database), workers=workers, log=log)
    https = SERVERS[server]["https"]
    try:
        wrong = probe(port, https, accounts)
        if wrong:
            raise RuntimeError("URLs that do not answer their persona 200:\n" + "\n".join(wrong))
        print(f"{server} on port {port}: {users} users for {minutes:g} min", flush=True)
        with ConnectionWatch(database) as watch:
            hits, wall, failures, opened = drive(
                port, https, accounts, users=users, think=think,
                seconds=minutes * 60, ramp=ramp, timeout=timeout,
            )  # fmt: skip
    finally:
        stop_server(proc)
    server_log = log.read_text(errors="replace")
    # Once every user has started (and logged in): the figures of the steady load.
    steady = [h for h in hits if h.start >= ramp and "(login)" not in h.path]
    result = {
        "server": server,
        "argv": server_argv(server, port, workers),
        "users": users,
        "think_s": think,
        "minutes": minutes,
        "ramp_s": ramp,
        "wall_s": round(wall, 1),
        "all": stats(hits, wall),
        "steady": stats(steady, max(wall - ramp, 1e-9)),
        "login_failures": failures[:10],
        "tcp_connections": opened,
        "pg_connections_peak": watch.peak,
        "pool_bound": pool_bound(server, env, workers),
        "too_many_clients_in_log": server_log.count("too many clients"),
        "tracebacks_in_log": server_log.count("Traceback"),
        "server_log": str(log.relative_to(ROOT)),
        "by_path": {
            path: stats([h for h in hits if h.path == path], wall)["p95_ms"]
            for path in sorted({h.path for h in hits})
        },
        # The server's own time per request (gunicorn's access log): client p95 far above it
        # is time spent waiting for a free worker thread, not working.
        "server_ms": server_times(server_log),
        "load_after": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def run(
    *,
    servers: list[str],
    users: int,
    think: float,
    minutes: float,
    scale: int = 10,
    reuse_db: str | None = None,
    db_name: str | None = None,
    keep: bool = False,
    ramp: float | None = None,
    workers: int | None = None,
    timeout: float = 30.0,
) -> dict:
    """The database, then one load per server (in order) on it."""
    name = reuse_db or db_name or f"xuanpei_bench_{os.getpid()}_load"
    built = None if reuse_db else build_db(name, scale)
    ramp = min(10.0, users * 0.2) if ramp is None else ramp
    try:
        accounts = demo_accounts(pg_url(name))
        runs = [
            run_one(
                s,
                name,
                accounts,
                users=users,
                think=think,
                minutes=minutes,
                ramp=ramp,
                workers=workers,
                timeout=timeout,
            )  # fmt: skip
            for s in servers
        ]
    finally:
        if not (keep or reuse_db):
            drop_db(name)
        else:
            print(f"kept database {name} (load it again with --reuse-db {name})", flush=True)
    scale = demo_scale(name) if reuse_db else scale
    return {"db": name, "scale": scale, "built": built, "runs": runs}


# Rows for docs/benchmarks.md ----------------------------------------------------------------


def _label(r: dict, scale) -> str:
    think = f"{r['think_s']:g} s think" if r["think_s"] else "no think time"
    size = f"demo --scale {scale}" if scale else "reused database"
    return (
        f"loopback load, {r['users']} users, {think}, {r['minutes']:g} min → PostgreSQL "
        f"({size}), xuanpei {r['server']}"
    )


def _ours(r: dict) -> str:
    s, e, peak = r["steady"], r["all"], r.get("pg_connections_peak") or {}
    kinds = ", ".join(f"{k} {n}" for k, n in e["errors_by_kind"].items()) or "none"
    bound = r.get("pool_bound")
    return (
        f"p95 {s['p95_ms']:,.0f} ms (p50 {s['p50_ms']:,.0f}, p99 {s['p99_ms']:,.0f}, max "
        f"{s['max_ms']:,.0f}); {s['rps']:.1f} requests/s over {s['requests']:,} requests; "
        f"errors {e['errors']} ({kinds}); resets {e['resets']}; stale keep-alive re-sends "
        f"{e['stale_retries']} (TCP connections {r.get('tcp_connections')} for {r['users']} "
        f"users); PostgreSQL connections at most {peak.get('ours')} "
        f"(bound {bound if bound else 'unknown'}; the server's "
        f"{peak.get('all')}/{peak.get('max_connections')})"
    )


ACCESS_TIME_RE = re.compile(r'"[A-Z]+ (\S+) HTTP/[\d.]+" \d{3} .* (\d+)ms$', re.M)


def server_times(log_text: str) -> dict:
    """p50/p95 of the ms the access log records per request (`xuanpei serve`'s format)."""
    times = [float(ms) for _path, ms in ACCESS_TIME_RE.findall(log_text)]
    if not times:
        return {}
    return {
        "requests": len(times),
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "mean_ms": round(sum(times) / len(times), 1),
    }


def summarize(result: dict) -> list[dict]:
    """One row per server run, and the throughput ratio when both servers ran."""
    scale, rows = result.get("scale"), []
    for r in result["runs"]:
        # Latency and rate once every user is in; errors over the whole run, logins too.
        s, e, peak = r["steady"], r["all"], r.get("pg_connections_peak") or {}
        bound = r.get("pool_bound")
        ok = e["errors"] == 0 and e["resets"] == 0 and s["p95_ms"] <= P95_TARGET_MS
        ok = ok and (bound is None or (peak.get("ours") or 0) <= bound)
        target = f"0 errors, 0 resets, p95 ≤ {P95_TARGET_MS:.0f} ms, connections ≤ the pool's bound"
        shape = {"users": r["users"], "think": r["think_s"], "minutes": r["minutes"]}
        if {**shape, "scale": scale} != ISSUE_STEADY or r["server"] != "serve":
            target, ok = f"(info; the issue's target is for serve at {ISSUE_STEADY})", None
        rows.append(
            {
                "measure": _label(r, scale),
                "limit": "—",
                "ours": _ours(r),
                "ratio": None,
                "target": target,
                "pass": ok,
            }
        )
    by_server = {r["server"]: r for r in result["runs"]}
    if {"runserver", "serve"} <= set(by_server):
        dev, prod = by_server["runserver"], by_server["serve"]
        base = dev["steady"]["rps"]
        ratio = prod["steady"]["rps"] / base if base else None
        target, ok = (
            f"≥ {RATIO_TARGET:g}× runserver",
            None if ratio is None else ratio >= RATIO_TARGET,
        )
        shape = {"users": prod["users"], "think": prod["think_s"], "scale": scale}
        if shape != ISSUE_COMPARE:
            target, ok = f"(info; the issue's target, {target}, is for {ISSUE_COMPARE})", None
        rows.append(
            {
                "measure": _label(prod, scale).replace("xuanpei serve", "throughput, serve")
                + " vs runserver",
                "limit": f"{base:.1f} requests/s (xuanpei runserver, same run; p95 "
                f"{dev['steady']['p95_ms']:,.0f} ms, errors {dev['all']['errors']})",
                "ours": f"{prod['steady']['rps']:.1f} requests/s (xuanpei serve; p95 "
                f"{prod['steady']['p95_ms']:,.0f} ms, errors {prod['all']['errors']})",
                "ratio": ratio,
                "target": target,
                "pass": ok,
            }
        )
    return rows


def notes(result: dict) -> list[str]:
    return [
        f"load ({r['server']}): statuses {r['all']['statuses']}; server log "
        f"{r['server_log']} (“too many clients” {r['too_many_clients_in_log']}×, tracebacks "
        f"{r['tracebacks_in_log']}×); load average after {r['load_after']}"
        + (f"; login failures {r['login_failures']}" if r["login_failures"] else "")
        for r in result["runs"]
    ]


# Command line -------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users", type=int, default=50, help="concurrent sessions (default 50)")
    p.add_argument("--think", type=float, default=2.0, help="mean seconds between clicks")
    p.add_argument("--minutes", type=float, default=10.0, help="load duration after the ramp")
    p.add_argument("--server", choices=tuple(SERVERS), default="serve")
    p.add_argument(
        "--compare", action="store_true", help="runserver, then serve, same load and database"
    )
    p.add_argument("--workers", type=int, help="serve: worker processes (default: its own)")
    p.add_argument("--ramp", type=float, help="seconds over which users start (default ≤ 10)")
    p.add_argument(
        "--request-timeout", type=float, default=30.0, help="seconds per request (default 30)"
    )


def run_args(args: argparse.Namespace) -> dict:
    """`run` from parsed arguments (this module's, or bench.run's with `add_arguments`)."""
    if args.users < 1 or args.minutes <= 0 or args.think < 0:
        raise SystemExit("--users ≥ 1, --minutes > 0 and --think ≥ 0")
    return run(
        servers=["runserver", "serve"] if args.compare else [args.server],
        users=args.users,
        think=args.think,
        minutes=args.minutes,
        scale=args.scale,
        reuse_db=args.reuse_db,
        db_name=getattr(args, "db_name", None),
        keep=args.keep,
        ramp=args.ramp,
        workers=args.workers,
        timeout=args.request_timeout,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    add_arguments(p)
    p.add_argument("--scale", type=int, default=10, help="seed-demo --scale for a fresh database")
    p.add_argument("--reuse-db", metavar="NAME", help="an already seeded database (kept)")
    p.add_argument(
        "--db-name", help="name of the fresh database (default xuanpei_bench_<pid>_load)"
    )
    p.add_argument("--keep", action="store_true", help="keep the fresh database")
    p.add_argument("--no-report", action="store_true", help="do not touch docs/benchmarks.md")
    args = p.parse_args(argv)
    info = machine()
    started = time.perf_counter()
    result = run_args(args)
    seconds = time.perf_counter() - started
    lines = summarize(result)
    for line in lines:
        ratio = "" if line["ratio"] is None else f" ratio {line['ratio']:.2f}×"
        print(f"- {line['measure']}: {line['ours']};{ratio} ({report._fmt_pass(line['pass'])})")
    command = "python -m bench.load " + shlex.join(list(argv if argv is not None else sys.argv[1:]))
    out = ROOT / "var" / "bench" / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"command": command, "machine": info, **result}, indent=1))
    print(f"raw results: {out}")
    if not args.no_report:
        doc = write_report(
            lines, command=command.strip(), info=info, seconds=seconds, notes=notes(result)
        )
        print(f"updated {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
