"""Shared plumbing: run a command measuring wall time and peak RSS, PostgreSQL bench databases."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.peak import MARK as PEAK_MARK

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")


@dataclass
class Measured:
    """One subprocess run: exit code, output, wall seconds and its own peak RSS in MB."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    cpu_s: float = 0.0  # user + system CPU of the child: wall ≫ cpu means it waited (on the DB)


def run_measured(cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT) -> Measured:
    """Run `cmd` and measure it alone: `os.wait4` returns the rusage of that one child.

    (RUSAGE_CHILDREN would be the maximum over every child this process ever
    waited for, which mixes the limit and our import in one run.)
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        return Measured(
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=stderr,
            seconds=seconds,
            peak_mb=_own_peak_kb(stderr, usage.ru_maxrss) / 1024,  # Linux reports kilobytes
            cpu_s=usage.ru_utime + usage.ru_stime,
        )


def _own_peak_kb(stderr: str, ru_maxrss_kb: int) -> int:
    """The child's own VmHWM when it ran under `bench.peak`, else ru_maxrss (see there)."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(PEAK_MARK):
            return int(line[len(PEAK_MARK) :])
    return ru_maxrss_kb


def python_module_cmd(module: str, *args: str) -> list[str]:
    """`python -m module args…` under `bench.peak`, so that its peak RSS is its own."""
    return [python(), "-m", "bench.peak", module, *args]


def python() -> str:
    """The venv's interpreter when there is one (make bench), else the running one."""
    candidate = VENV_BIN / "python"
    return str(candidate) if candidate.exists() else sys.executable


def machine() -> dict:
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
                break
    return {
        "nproc": os.cpu_count() or 0,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        # Other work on the machine skews absolute times (less so the same-run ratios).
        "load": round(os.getloadavg()[0], 1),
    }


def timed_median(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1):
    """(median seconds, all seconds, last result) over `repeat` runs after `warmup` runs."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


# PostgreSQL ------------------------------------------------------------------


def pg_url(dbname: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def pg_connect(dbname: str = "postgres", **kwargs):
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True, **kwargs
    )


def pg_available() -> bool:
    try:
        with pg_connect(connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def bench_db_name(suffix: str = "") -> str:
    return f"xuanpei_bench_{os.getpid()}{'_' + suffix if suffix else ''}"


def create_db(name: str, template: str | None = None) -> None:
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_db(name: str) -> None:
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_pg_db(
    suffix: str = "", *, keep: bool = False, template: str | None = None
) -> Iterator[str]:
    """A new `xuanpei_bench_<pid>[_suffix]` database (empty, or a copy of `template`),
    dropped afterwards unless `keep`."""
    name = bench_db_name(suffix)
    create_db(name, template)
    try:
        yield name
    finally:
        if not keep:
            drop_db(name)


def app_env(database_url: str, **extra: str) -> dict:
    """Environment for `xuanpei …` subprocesses against a bench database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        # A million-row roster is larger than the 50 MB upload limit of the pages.
        IMPORT_MAX_MB=env.get("IMPORT_MAX_MB", "2048"),
        XUANPEI_VAR_DIR=env.get("XUANPEI_VAR_DIR", str(ROOT / "var")),
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def xuanpei_cmd(*args: str) -> list[str]:
    return python_module_cmd("xuanpei.cli", *args)


def check(m: Measured, what: str) -> Measured:
    if m.returncode != 0:
        raise RuntimeError(
            f"{what} failed ({m.returncode}):\n{m.stderr[-3000:]}\n{m.stdout[-1000:]}"
        )
    return m


def measure_import(
    name: str, path: Path, rows: int, database_url: str, *, extra=(), **env: str
) -> tuple[dict, Measured]:
    """`xuanpei import NAME FILE --json` in its own measured subprocess: the figures
    every import benchmark reports, and the raw measurement for importer-specific ones."""
    import json

    cmd = xuanpei_cmd("import", name, str(path), "--json", *extra)
    # The batch keeps a copy of the file (issue #10): in a throwaway media directory.
    with tempfile.TemporaryDirectory(prefix="xuanpei-bench-var-") as var:
        m = run_measured(cmd, env=app_env(database_url, XUANPEI_VAR_DIR=var, **env))
    counts = None
    for line in reversed(m.stdout.strip().splitlines()):
        try:
            counts = json.loads(line)
            break
        except ValueError:
            continue
    # Exit 1 = some rows rejected (the bad rows): a normal outcome, the counts say how many.
    ok = m.returncode in (0, 1) and isinstance(counts, dict) and "error" not in counts
    return {
        "ok": ok,
        "exit": m.returncode,
        "counts": counts,
        "wall_s": m.seconds,
        "cpu_s": m.cpu_s,
        "peak_mb": m.peak_mb,
        "rows_per_s": rows / m.seconds if ok else None,
        "stderr_tail": "" if ok else (m.stderr[-2000:] + m.stdout[-500:]),
    }, m
