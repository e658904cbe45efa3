"""`xuanpei backup` / `xuanpei restore` (issue #14 item 5).

The round trips run the commands as a person does: `python -m xuanpei.cli backup|restore`
subprocesses against throwaway databases (an SQLite file; `xp_backup_<pid>_src`/`_dst` on
the machine's PostgreSQL) with their own DATABASE_URL and XUANPEI_VAR_DIR (media =
XUANPEI_VAR_DIR/media). The restored target is then read by this test itself — sqlite3
or psycopg, hashlib — not through the restore command's own check.

The sources are built by `build_source()` in a subprocess: the schema from the models
with every migration recorded as applied and every data migration's loader run (the
82 migrations themselves take ~35 s here), then a small demo district (SQLite: seed-demo
with 20 firms; PostgreSQL: the personas' district, fewer queries on a busy server) and
uploaded files stored through the app's checker and storage. Both vendors run side by
side, so the module stays under ~20 s.

The refusals (a tampered file, a missing manifest, a non-empty target, a vendor mismatch)
run in-process: each is refused before the target is touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench.measure import ROOT, app_env, pg_available, pg_connect, pg_url, python
from xuanpei.core import backup

# One worker runs the module (its round trips are a module fixture); the names carry the
# process id so that two suites on one server (SQLite's and PostgreSQL's) never share them.
pytestmark = pytest.mark.xdist_group("backup")
SRC_DB, DST_DB = f"xp_backup_{os.getpid()}_src", f"xp_backup_{os.getpid()}_dst"
PHOTO_NAME, PDF_NAME = "现场照片.jpg", "活动方案.pdf"


# The source builder (runs in a subprocess) -------------------------------------------------


def build_source(kind: str, empty_copy: str = "") -> None:
    """Schema, reference data, a small district and three stored files, in DATABASE_URL.

    `empty_copy`: a PostgreSQL database to create from the source while it is migrated but
    empty — the restore's other kind of target (its tables are dropped before pg_restore).
    """
    import types

    import django
    from auditlog.context import disable_auditlog

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.db import transaction
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.operations import RunPython
    from django.db.migrations.recorder import MigrationRecorder

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    settings.MIGRATION_MODULES = {}
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    editor = types.SimpleNamespace(connection=connection)
    MigrationRecorder(connection).ensure_schema()
    # The loaders get today's models, not historical ones: no audit rows, as under migrate.
    with transaction.atomic(), disable_auditlog():
        for migration, _backwards in plan:
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)
        MigrationRecorder.Migration.objects.bulk_create(
            MigrationRecorder.Migration(app=m.app_label, name=m.name) for m, _b in plan
        )
    if empty_copy:
        source = connection.settings_dict["NAME"]
        connection.close()  # a template database must have no session
        with pg_connect() as conn:
            conn.execute(f'CREATE DATABASE "{empty_copy}" TEMPLATE "{source}"')
    with transaction.atomic():
        if kind == "demo":
            from xuanpei.orgs import demo as orgs_demo

            orgs_demo.BASE_ENTERPRISES = 20
            orgs_demo.seed_demo()
            from xuanpei.orgs.models import Unit

            unit = Unit.objects.filter(depth=2).order_by("path").first()
        else:
            from tests.personas import add_admin_personas, build_district

            unit = add_admin_personas(build_district()).street_a
        _store_uploads(unit)


def _store_uploads(unit) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from xuanpei.core import uploads
    from xuanpei.publicity.factories_ledger import ActivityFactory
    from xuanpei.publicity.models_ledger import ActivityFile

    activity = ActivityFactory(unit=unit)
    photo = io.BytesIO()
    Image.effect_noise((320, 200), 60).convert("RGB").save(photo, "JPEG")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for name, content in ((PHOTO_NAME, photo.getvalue()), (PDF_NAME, pdf)):
        checked = uploads.check_file(SimpleUploadedFile(name, content), clean_photo=True)
        row = ActivityFile(activity=activity, name=checked.name, kind=checked.kind)
        row.size = checked.size
        uploads.store_checked(row, checked)


# Running the commands ---------------------------------------------------------------------


def _run(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [python(), *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _wait(procs: dict) -> dict:
    results = {}
    for key, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        results[key] = (proc.returncode, out.decode(), err.decode())
    return results


def _ok(result, what: str):
    code, out, err = result
    assert code == 0, f"{what} failed ({code}):\n{err[-3000:]}\n{out[-1000:]}"
    return out


@dataclass
class Side:
    """One vendor's round trip: source and target (URL, var dir), the backup, the outputs."""

    vendor: str
    source_url: str
    target_url: str
    source_var: Path
    target_var: Path
    out: Path
    backup_stdout: str = ""
    restore_stdout: str = ""
    failed: tuple = ()  # (exit code, stdout, stderr) of the backup run without pg_dump

    def env(self, which: str, **extra) -> dict:
        url, var = (
            (self.source_url, self.source_var)
            if which == "source"
            else (self.target_url, self.target_var)
        )
        return app_env(url, XUANPEI_VAR_DIR=str(var), **extra)


def _drop_pg() -> None:
    with pg_connect() as conn:
        for name in (SRC_DB, DST_DB):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create_pg_source() -> None:
    """An empty source; the target is made from it by the builder (`empty_copy`)."""
    _drop_pg()  # left over by an interrupted run
    with pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{SRC_DB}"')
        # A throwaway database: a commit need not wait for the disk (the builder's DDL).
        conn.execute(f'ALTER DATABASE "{SRC_DB}" SET synchronous_commit = off')


@pytest.fixture(scope="module")
def round_trips(tmp_path_factory):
    """Build, back up and restore on SQLite and (when reachable) PostgreSQL, side by side."""
    base = tmp_path_factory.mktemp("backup")
    sides = {
        "sqlite": Side(
            "sqlite",
            f"sqlite:///{base / 'src-var' / 'db.sqlite3'}",
            f"sqlite:///{base / 'dst-var' / 'db.sqlite3'}",
            base / "src-var",
            base / "dst-var",
            base / "backup-sqlite",
        )
    }
    have_pg = pg_available()
    if have_pg:
        _create_pg_source()
        sides["postgresql"] = Side(
            "postgresql",
            pg_url(SRC_DB),
            pg_url(DST_DB),
            base / "pg-src-var",
            base / "pg-dst-var",
            base / "backup-pg",
        )
    try:
        # SQLite: the target has no file yet; PostgreSQL: it is migrated but empty.
        calls = {"sqlite": "'demo'", "postgresql": f"'personas', {DST_DB!r}"}
        code = "from xuanpei.core.tests.test_backup import build_source; build_source({})"
        built = _wait(
            {v: _run(["-c", code.format(calls[v])], s.env("source")) for v, s in sides.items()}
        )
        for vendor, result in built.items():
            _ok(result, f"building the {vendor} source")
        cli = ["-m", "xuanpei.cli"]
        procs = {
            v: _run([*cli, "backup", "--out", str(s.out)], s.env("source"))
            for v, s in sides.items()
        }
        if have_pg:
            # Beside them, a backup that fails half-way: no pg_dump on PATH.
            pg = sides["postgresql"]
            no_tools = pg.env("source", PATH=str(base / "empty-bin"))
            procs["failing"] = _run([*cli, "backup", "--out", str(base / "nightly")], no_tools)
        backed = _wait(procs)
        for vendor, side in sides.items():
            side.backup_stdout = _ok(backed[vendor], f"{vendor} backup")
        if have_pg:
            sides["postgresql"].failed = backed["failing"]
        restored = _wait(
            {v: _run([*cli, "restore", str(s.out)], s.env("target")) for v, s in sides.items()}
        )
        for vendor, side in sides.items():
            side.restore_stdout = _ok(restored[vendor], f"{vendor} restore")
        yield sides
    finally:
        if have_pg:
            _drop_pg()


# Reading a database and a media tree without the app -------------------------------------


def _counts(side: Side, which: str) -> dict[str, int]:
    """Every table's row count, read with the driver itself."""
    url = side.source_url if which == "source" else side.target_url
    if side.vendor == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            names = [
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not row[0].startswith("sqlite_")
            ]
            return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
        finally:
            conn.close()
    with pg_connect(SRC_DB if which == "source" else DST_DB) as conn:
        names = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def _tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _side(round_trips, vendor: str) -> Side:
    if vendor not in round_trips:
        pytest.skip("PostgreSQL（127.0.0.1:5432，用户 postgres）不可达：跳过 PostgreSQL 往返")
    return round_trips[vendor]


# Round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_restores_every_row_and_every_file(round_trips, vendor):
    side = _side(round_trips, vendor)

    source, target = _counts(side, "source"), _counts(side, "target")
    manifest = json.loads((side.out / "manifest.json").read_text(encoding="utf-8"))

    assert target == source
    assert manifest["tables"] == source
    assert source["orgs_unit"] >= 8 and source["accounts_user"] >= 1
    assert source["publicity_activityfile"] == 2
    src_files = _tree(side.source_var / "media")
    assert len(src_files) == 3  # the photo, its thumbnail, the PDF
    assert _tree(side.target_var / "media") == src_files
    assert "恢复完成" in side.restore_stdout and "均与备份清单一致" in side.restore_stdout


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_manifest_describes_the_backup(round_trips, vendor):
    side = _side(round_trips, vendor)

    manifest = json.loads((side.out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    on_disk = {
        rel: (path.stat().st_size, digest)
        for rel, digest in _tree(side.out).items()
        if rel != "manifest.json" and (path := side.out / rel)
    }

    assert listed == on_disk
    assert manifest["database"]["vendor"] == vendor
    assert manifest["database"]["dump"] in listed
    assert manifest["migrations"]["workforce"].startswith("0")
    assert manifest["app"]["version"]
    assert not side.out.with_name(side.out.name + ".partial").exists()
    assert "备份完成" in side.backup_stdout


def test_the_restored_photo_is_the_uploaded_one(round_trips):
    side = _side(round_trips, "sqlite")

    conn = sqlite3.connect(side.target_url.removeprefix("sqlite:///"))
    stored = conn.execute("SELECT file, name FROM publicity_activityfile ORDER BY id").fetchall()
    conn.close()

    assert [name for _file, name in stored] == [PHOTO_NAME, PDF_NAME]
    for file, _name in stored:
        assert (side.target_var / "media" / file).read_bytes() == (
            side.source_var / "media" / file
        ).read_bytes()


def test_a_failed_backup_leaves_nothing_behind(round_trips):
    side = _side(round_trips, "postgresql")
    out = side.out.parent / "nightly"

    code, _out, err = side.failed

    assert code == 2
    assert "找不到 pg_dump" in err and "postgresql-client" in err
    assert not out.exists() and not out.with_name("nightly.partial").exists()


# Refusals (in-process: each comes before the target is touched) ----------------------------


def _copy_of(round_trips, tmp_path, vendor=None) -> Path:
    vendor = vendor or next(iter(round_trips))
    copy = tmp_path / "copy"
    shutil.copytree(round_trips[vendor].out, copy)
    return copy


def test_a_tampered_file_is_refused_naming_it(db, round_trips, tmp_path):
    copy = _copy_of(round_trips, tmp_path)
    photo = next(p for p in (copy / "media").rglob("*.jpg") if "thumbs" not in p.parts)
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 0xFF
    photo.write_bytes(bytes(data))

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(copy))

    assert photo.relative_to(copy).as_posix() in str(refused.value)
    assert "校验值与清单不符" in str(refused.value)


def test_a_backup_without_its_manifest_is_refused(db, round_trips, tmp_path):
    copy = _copy_of(round_trips, tmp_path)
    (copy / "manifest.json").unlink()

    with pytest.raises(CommandError, match="没有 manifest.json"):
        call_command("restore", str(copy))


def test_a_file_missing_from_the_backup_is_refused(db, round_trips, tmp_path):
    copy = _copy_of(round_trips, tmp_path)
    pdf = next((copy / "media").rglob("*.pdf"))
    pdf.unlink()

    with pytest.raises(CommandError, match="备份文件缺失"):
        call_command("restore", str(copy))


def _matching(round_trips) -> Side:
    if connection.vendor not in round_trips:
        pytest.skip("没有与测试数据库同类的备份（PostgreSQL 不可达）")
    return round_trips[connection.vendor]


def test_a_target_with_data_is_refused(db, round_trips):
    from xuanpei.orgs.factories import add_unit
    from xuanpei.orgs.models import Unit, UnitKind

    add_unit(None, "已有数据的区", UnitKind.DISTRICT)

    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(_matching(round_trips).out))

    assert list(Unit.objects.values_list("name", flat=True)) == ["已有数据的区"]


def test_a_media_directory_with_files_is_refused(db, round_trips, settings):
    existing = Path(settings.MEDIA_ROOT) / "publicity" / "old.jpg"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"kept")

    with pytest.raises(CommandError, match="上传文件目录 .* 不是空的"):
        call_command("restore", str(_matching(round_trips).out))

    assert existing.read_bytes() == b"kept"


def test_a_backup_of_the_other_vendor_is_refused(db, round_trips):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    side = _side(round_trips, other)

    with pytest.raises(CommandError, match="不支持把 .* 备份恢复到"):
        call_command("restore", str(side.out))


def test_a_freshly_migrated_database_counts_as_empty(db):
    """MIGRATION_FILLED_TABLES holds every table `migrate` fills (a new data migration
    must be added there, or restore would call a fresh instance "not empty")."""
    with connection.cursor() as cursor:
        counts = backup.table_counts(cursor, connection.vendor)

    filled = {table for table, rows in counts.items() if rows}

    assert "django_migrations" in filled
    assert filled <= backup.MIGRATION_FILLED_TABLES
    assert backup.check_target_empty() == counts


def test_backup_refuses_a_directory_that_holds_files(db, tmp_path):
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("x")

    with pytest.raises(CommandError, match="已存在且不是空的"):
        call_command("backup", out=out)

    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "full.partial").exists()
