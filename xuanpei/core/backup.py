"""Backup and restore of one instance (issue #14 item 5): `xuanpei backup` / `xuanpei restore`.

A backup is a directory holding
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite:
  the online backup API, so a running server's writes cannot tear the copy);
- `media/…`: every uploaded file under MEDIA_ROOT, as a copied tree (a person can open
  one file without unpacking anything);
- `manifest.json`: format version, time, app version and git commit, database vendor and
  versions, the latest applied migration of each app, the row count of every table, and
  the size and SHA-256 of every file, the dump included.

It is written into `DIR.partial` and renamed to DIR at the end: a failure (a full disk,
pg_dump refusing, Ctrl-C) removes the partial directory, so DIR either is a complete
backup or does not exist.

The row counts describe the dump exactly: on PostgreSQL they are counted in the snapshot
pg_dump reads (`pg_export_snapshot()` + `pg_dump --snapshot`), on SQLite in the copy.
Uploaded files are copied after the dump; a file uploaded meanwhile may be in the backup
without its row, never the other way round for a file that stays.

Restore goes onto an empty instance only: the manifest and every checksum are verified
before anything is touched; a target holding any row of its own, or any uploaded file, is
refused. The restored tables and files are then checked against the manifest again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from xuanpei.core.database import refresh_planner_statistics

FORMAT = "xuanpei-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024

# Tables `migrate` fills by itself (Django's bookkeeping and the dictionaries loaded by data
# migrations): rows there do not make a target "not empty". test_backup.py checks this list
# against a freshly migrated database, so a new data migration cannot slip past it.
MIGRATION_FILLED_TABLES = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "publicity_activityform",
        "publicity_audience",
        "publicity_themeddayrule",
        "workforce_catalogueversion",
        "workforce_certificatekind",
        "workforce_certificatekind_post_types",
        "workforce_operationcategory",
        "workforce_operationitem",
        "workforce_posttype",
    }
)


class BackupError(Exception):
    """A refusal or failure of backup or restore; the message is Chinese, for the person."""


@dataclass
class Summary:
    """What a backup holds or a restore put back."""

    path: Path
    vendor: str
    tables: dict[str, int]
    files: int
    file_bytes: int
    seconds: float = 0.0
    pending_migrations: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# Files --------------------------------------------------------------------------------


def file_digest(path: Path) -> tuple[int, str]:
    """(size, SHA-256 hex) of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _copy_hashing(src: Path, dst: Path) -> tuple[int, str]:
    """Copy src to dst, hashing what was written (a file changing meanwhile stays consistent
    with its checksum) and flushing it to disk."""
    digest, size = hashlib.sha256(), 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as reader, open(dst, "xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(src, dst)
    return size, digest.hexdigest()


def media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(path relative to root in POSIX form, absolute path) of every regular file, sorted."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file():
                yield path.relative_to(root).as_posix(), path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Tables and migrations ------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(cursor, vendor: str) -> list[str]:
    """Every table of the database (SQLite's own sqlite_* tables aside)."""
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor, vendor: str) -> dict[str, int]:
    """Row count of every table, by name."""
    counts = {}
    for name in table_names(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")  # noqa: S608 - quoted name
        counts[name] = cursor.fetchone()[0]
    return counts


def latest_migrations(cursor, tables) -> dict[str, str]:
    """The latest applied migration of each app (names are numbered, so the greatest)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def _app_version() -> dict[str, str | None]:
    try:
        version = metadata.version("xuanpei")
    except metadata.PackageNotFoundError:
        version = None
    commit = None
    with _suppress_os():
        result = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if result.returncode == 0:
            commit = result.stdout.strip() or None
    return {"version": version, "git_commit": commit}


class _suppress_os:
    """Git missing or hanging only leaves the commit out of the manifest."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        return exc_type is not None and issubclass(exc_type, OSError | subprocess.SubprocessError)


# PostgreSQL tools --------------------------------------------------------------------


def pg_env() -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the connection of settings.DATABASES, the
    password in PGPASSWORD (never on a command line, where `ps` shows it to everyone)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def pg_tool(name: str) -> tuple[str, int]:
    """(path, major version) of pg_dump or pg_restore on PATH."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt install postgresql-client），"
            "其主版本不得低于数据库服务器的版本"
        )
    result = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", result.stdout)
    if result.returncode != 0 or not match:
        raise BackupError(f"无法确定 {path} 的版本：{result.stderr.strip() or result.stdout}")
    return path, int(match.group(1))


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _tool_tail(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return "；".join(lines[-5:]) or "无输出"


# Backup -------------------------------------------------------------------------------


def _dump_postgresql(dest: Path) -> tuple[dict, dict[str, int], dict[str, str]]:
    """pg_dump into dest, counting rows and reading migrations in the snapshot it dumps."""
    pg_dump, tool_major = pg_tool("pg_dump")
    server_major = _server_major()
    if tool_major < server_major:
        raise BackupError(
            f"pg_dump 的主版本 {tool_major} 低于数据库服务器的 {server_major}，无法备份："
            f"请安装 postgresql-client-{server_major}（或更高版本）后再运行"
        )
    # The dump and the counts read one snapshot: the manifest describes exactly the dump,
    # even while the server keeps writing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"],
            env=pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{_tool_tail(result.stderr)}")
        counts = table_counts(cursor, "postgresql")
        migrations = latest_migrations(cursor, counts)
    info = {"server_major": server_major, "pg_dump_major": tool_major}
    return info, counts, migrations


def _dump_sqlite(dest: Path) -> tuple[dict, dict[str, int], dict[str, str]]:
    """SQLite's online backup API into dest; counts and migrations read from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(dest)
    try:
        connection.connection.backup(copy)
        # A rollback journal, not WAL: the file stands alone (no -wal/-shm beside it).
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        counts = table_counts(cursor, "sqlite")
        migrations = latest_migrations(cursor, counts)
        version = sqlite3.sqlite_version
    finally:
        copy.close()
    return {"sqlite_version": version}, counts, migrations


def _check_out_dir(out: Path) -> Path:
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if out.resolve().is_relative_to(media_root):
        raise BackupError(f"备份目录 {out} 不能位于上传文件目录 {media_root} 之内")
    if out.exists():
        if not out.is_dir():
            raise BackupError(f"{out} 已存在且不是目录：请指定一个新目录")
        if any(out.iterdir()):
            raise BackupError(
                f"备份目录 {out} 已存在且不是空的：请指定一个新目录（备份不覆盖文件）"
            )
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        raise BackupError(
            f"{partial} 已存在：可能是另一个备份正在进行，或上次备份被强行中断；"
            "确认没有备份在运行后删除它再试"
        )
    return partial


def create_backup(out: Path) -> Summary:
    """Write a backup of the configured database and MEDIA_ROOT into the new directory out."""
    started = time.monotonic()
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份 {vendor} 数据库（仅支持 PostgreSQL 和 SQLite）")
    out = Path(out)
    partial = _check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Owner only: the backup holds personal data (ID numbers, phones) and password hashes.
    partial.mkdir(mode=0o700)
    try:
        dump = partial / DUMP_NAMES[vendor]
        dumper = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
        database, counts, migrations = dumper(dump)
        size, sha = file_digest(dump)
        files = [{"path": dump.name, "size": size, "sha256": sha}]
        media_bytes = 0
        for rel, path in media_files(Path(settings.MEDIA_ROOT)):
            try:
                size, sha = _copy_hashing(path, partial / MEDIA / rel)
            except FileNotFoundError:
                continue  # deleted while the backup ran: its row is gone from the dump too
            files.append({"path": f"{MEDIA}/{rel}", "size": size, "sha256": sha})
            media_bytes += size
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app": _app_version(),
            "database": {"vendor": vendor, "dump": dump.name, **database},
            "migrations": migrations,
            "tables": counts,
            "files": files,
        }
        with open(partial / MANIFEST, "x", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(partial)
        if out.exists():
            out.rmdir()  # empty (checked); rename cannot replace it on every system
        partial.rename(out)
        _fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Summary(
        path=out,
        vendor=vendor,
        tables=counts,
        files=len(files) - 1,
        file_bytes=media_bytes,
        seconds=time.monotonic() - started,
    )


# Restore: checks before anything is touched ---------------------------------------------


def read_manifest(src: Path) -> dict:
    """The manifest of the backup in src, its shape checked."""
    path = src / MANIFEST
    if not src.is_dir():
        raise BackupError(f"备份目录 {src} 不存在或不是目录")
    if not path.is_file():
        raise BackupError(f"备份目录 {src} 中没有 {MANIFEST}：这不是一份完整的宣培通备份")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"{path} 已损坏，无法解析（第 {exc.lineno} 行第 {exc.colno} 列）"
        ) from exc
    except UnicodeDecodeError as exc:
        raise BackupError(f"{path} 已损坏：不是 UTF-8 文本") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 不是宣培通的备份清单")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"备份清单的格式版本 {manifest.get('format_version')} 不受支持"
            f"（本程序读取版本 {FORMAT_VERSION}）：请用生成该备份的程序版本恢复"
        )
    try:
        vendor = manifest["database"]["vendor"]
        dump = manifest["database"]["dump"]
        entries = [(f["path"], int(f["size"]), str(f["sha256"])) for f in manifest["files"]]
        tables = {str(k): int(v) for k, v in manifest["tables"].items()}
        dict(manifest["migrations"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackupError(f"{path} 缺少必要的内容或格式不对：{exc}") from exc
    if vendor not in DUMP_NAMES or dump != DUMP_NAMES[vendor]:
        raise BackupError(f"{path} 中的数据库类型 {vendor} 不受支持")
    for name, _size, _sha in entries:
        parts = PurePosixPath(name).parts
        ok = name == dump or (
            len(parts) > 1 and parts[0] == MEDIA and not {"..", ".", ""} & set(parts)
        )
        if not ok or PurePosixPath(name).is_absolute():
            raise BackupError(f"{path} 中的文件路径 {name!r} 不合法，拒绝恢复")
    if dump not in {name for name, _s, _h in entries}:
        raise BackupError(f"{path} 没有列出数据库文件 {dump}")
    manifest["tables"] = tables
    return manifest


def verify_files(src: Path, manifest: dict) -> None:
    """Every listed file present with its size and SHA-256, and no file the manifest lacks."""
    listed = {f["path"] for f in manifest["files"]}
    for entry in manifest["files"]:
        path = src / entry["path"]
        if not path.is_file():
            raise BackupError(f"备份文件缺失：{entry['path']}，拒绝恢复")
        size, sha = file_digest(path)
        if size != int(entry["size"]) or sha != entry["sha256"]:
            raise BackupError(
                f"备份文件 {entry['path']} 的校验值与清单不符（已损坏或被改动），拒绝恢复"
            )
    for rel, _path in media_files(src):
        if rel not in listed and rel != MANIFEST:
            raise BackupError(f"备份目录中有清单之外的文件 {rel}，拒绝恢复")


def _check_vendor(manifest: dict) -> None:
    source, target = manifest["database"]["vendor"], connection.vendor
    if source == target:
        return
    raise BackupError(
        f"不支持把 {VENDOR_NAMES.get(source, source)} 备份恢复到 "
        f"{VENDOR_NAMES.get(target, target)} 数据库：备份只能恢复到同类数据库。"
        f"请把 DATABASE_URL 指向一个空的 {VENDOR_NAMES.get(source, source)} 数据库后再恢复"
        "（跨数据库迁移数据不在备份恢复的范围内）"
    )


def _check_migrations(manifest: dict) -> None:
    """The code must know every migration the backup's database has applied."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    for app, name in sorted(manifest["migrations"].items()):
        if (app, name) not in known:
            commit = (manifest.get("app") or {}).get("git_commit") or "未知"
            raise BackupError(
                f"备份中的数据库结构比当前程序新（应用 {app} 的迁移 {name} 在本程序中不存在）："
                f"请先把程序升级到备份时的版本（提交 {commit}）再恢复"
            )


def check_target_empty() -> dict[str, int]:
    """The target's tables and row counts; refused when any table holds rows of its own."""
    with connection.cursor() as cursor:
        counts = table_counts(cursor, connection.vendor)
    busy = {t: n for t, n in counts.items() if n and t not in MIGRATION_FILLED_TABLES}
    if busy:
        table, rows = sorted(busy.items())[0]
        raise BackupError(
            f"目标数据库不是空的（表 {table} 有 {rows} 行，共 {len(busy)} 张表有数据）："
            "恢复只能在空实例上进行，请新建一个空数据库，把 DATABASE_URL 指向它再恢复"
        )
    return counts


def check_media_empty() -> Path:
    root = Path(settings.MEDIA_ROOT)
    first = next(media_files(root), None)
    if first is not None:
        raise BackupError(
            f"上传文件目录 {root} 不是空的（例如 {first[0]}）：恢复只能在空实例上进行，"
            "请换一个空目录（XUANPEI_VAR_DIR）或清空它再恢复"
        )
    return root


# Restore: the work ------------------------------------------------------------------------


def _restore_postgresql(dump: Path, manifest: dict, existing: dict[str, int]) -> None:
    pg_restore, tool_major = pg_tool("pg_restore")
    database = manifest["database"]
    if tool_major < int(database.get("pg_dump_major", 0)):
        raise BackupError(
            f"pg_restore 的主版本 {tool_major} 低于生成备份的 pg_dump（{database['pg_dump_major']}）："
            f"请安装 postgresql-client-{database['pg_dump_major']}（或更高版本）"
        )
    if _server_major() < int(database.get("server_major", 0)):
        raise BackupError(
            f"目标 PostgreSQL 服务器（{_server_major()}）比备份来源（{database['server_major']}）"
            "旧，不支持恢复：请使用同版本或更新的 PostgreSQL"
        )
    dropped = False
    if existing:
        # A migrated but empty database: its empty tables would collide with the dump's.
        # They hold nothing of the person's (check_target_empty), so they go first.
        with transaction.atomic(), connection.cursor() as cursor:
            names = ", ".join(_quote(name) for name in existing)
            cursor.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
            cursor.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
            )
            sequences = [_quote(row[0]) for row in cursor.fetchall()]
            if sequences:
                cursor.execute(f"DROP SEQUENCE IF EXISTS {', '.join(sequences)} CASCADE")
        dropped = True
    connection.close()  # pg_restore must not wait on a lock of ours
    name = str(connection.settings_dict["NAME"]).replace("\\", "\\\\").replace("'", "\\'")
    target = f"dbname='{name}'"  # a conninfo: a name holding "=" is not taken for one
    result = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={target}",
            str(dump),
        ],
        env=pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        after = "（原有的空表已删除，数据库现在没有任何表）" if dropped else ""
        raise BackupError(
            f"pg_restore 失败，已整体回滚，数据库未写入任何数据{after}：{_tool_tail(result.stderr)}"
        )


def _restore_sqlite(dump: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Through SQLite, not a file copy: a stale -wal file of the target cannot be replayed
    # over the restored pages.
    source = sqlite3.connect(f"file:{quote(str(dump.resolve()))}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _copy_media(src: Path, manifest: dict, root: Path) -> int:
    copied = 0
    for entry in manifest["files"]:
        if entry["path"] == manifest["database"]["dump"]:
            continue
        rel = entry["path"].split("/", 1)[1]
        _copy_hashing(src / entry["path"], root / rel)
        copied += int(entry["size"])
    return copied


def verify_restored(manifest: dict) -> tuple[dict[str, int], int]:
    """Compare the restored database and MEDIA_ROOT with the manifest, read afresh."""
    with connection.cursor() as cursor:
        counts = table_counts(cursor, connection.vendor)
    problems = []
    for table in sorted(set(counts) | set(manifest["tables"])):
        want, got = manifest["tables"].get(table), counts.get(table)
        if want != got:
            problems.append(f"表 {table}：清单 {want} 行，恢复后 {got} 行")
    expected = {
        f["path"].split("/", 1)[1]: (int(f["size"]), f["sha256"])
        for f in manifest["files"]
        if f["path"] != manifest["database"]["dump"]
    }
    found = {rel: file_digest(path) for rel, path in media_files(Path(settings.MEDIA_ROOT))}
    for rel in sorted(set(expected) | set(found)):
        if expected.get(rel) != found.get(rel):
            problems.append(f"文件 {rel} 与清单不符")
    if problems:
        raise BackupError(f"恢复后核对不一致（{len(problems)} 处）：" + "；".join(problems[:10]))
    return counts, len(found)


def restore_backup(src: Path) -> Summary:
    """Restore the backup in src onto this empty instance, then check it."""
    started = time.monotonic()
    src = Path(src)
    manifest = read_manifest(src)
    verify_files(src, manifest)
    _check_vendor(manifest)
    _check_migrations(manifest)
    existing = check_target_empty()
    media_root = check_media_empty()
    dump = src / manifest["database"]["dump"]
    if connection.vendor == "postgresql":
        _restore_postgresql(dump, manifest, existing)
    else:
        _restore_sqlite(dump)
    refresh_planner_statistics()  # a restored database has no statistics yet
    try:
        file_bytes = _copy_media(src, manifest, media_root)
    except OSError as exc:
        raise BackupError(
            f"数据库已恢复，但复制上传文件失败（{exc.filename or ''}：{exc.strerror or exc}）："
            "请清空目标数据库和上传文件目录后重新恢复"
        ) from exc
    counts, files = verify_restored(manifest)
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    pending = [
        f"{app}.{name}"
        for app, name in loader.graph.leaf_nodes()
        if (app, name) not in loader.applied_migrations
    ]
    return Summary(
        path=src,
        vendor=connection.vendor,
        tables=counts,
        files=files,
        file_bytes=file_bytes,
        seconds=time.monotonic() - started,
        pending_migrations=pending,
    )
