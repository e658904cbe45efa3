"""Checking a large roster on both cores: the rows after the middle in a forked child.

Reading and checking a row is plain Python (~30 µs: half a minute of a 1,000,000-row
import) on one core, while the database's core only takes in the COPY. For a large
xlsx file (calamine holds it in memory, so a forked copy reads the same rows) in a
single-threaded process (the command line; an import started from a page runs in a
worker thread and stays serial), the import forks once, after the header and the
look-ups are ready:

- the child reads and checks the rows after `split`, writes the good ones as COPY
  text (PostgreSQL's text format) to a temporary file and its counts and row
  errors to another, and leaves with `os._exit`, never touching the database
  connection it inherited;
- the parent checks the rows up to `split` straight into the COPY, then appends
  the child's file to the same COPY and takes over its errors.

The staging table receives the same rows as a serial run (a test compares both),
so everything after it — the plan, the writes, the audit batch — is unchanged. If
the child fails, the parent checks the second half itself.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from xuanpei.core.imports.result import RowError

logger = logging.getLogger("xuanpei.workforce.roster")

# Below this many rows a fork (~50 ms) is not worth it.
PARALLEL_MIN_ROWS = 20_000
PARENT_SHARE = 52  # per cent of the rows
DRAIN_EVERY = 2000  # parent's rows between passing on the child's
COPY_CHUNK = 1 << 20  # bytes of the child's COPY text read at a time


def copy_formatter():
    """psycopg's own COPY text formatter — the code `write_row` runs (in C with
    psycopg-binary) — without a connection: the child's rows are byte for byte what
    the parent's `write_row` would send. psycopg 3.3 (pinned) has no public name for
    it; a test reads its output back through PostgreSQL against `write_row`'s."""
    from psycopg import adapt
    from psycopg._copy_base import TextFormatter

    return TextFormatter(adapt.Transformer())


@dataclass
class Checked:
    """What checking some rows gave: counts and the rejected rows' errors."""

    rows: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)


def check_rows(
    body: Iterator[tuple[int, list]],
    plan,
    add: Callable[[tuple], None],
    out: Checked,
    *,
    first: int = 0,
    last: int | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> tuple[int, list] | None:
    """Check rows numbered first..last (inclusive; None = to the end), `add` the good ones.

    Returns the first row after `last`, which had to be taken from `body` to see it.
    """
    errors = out.errors
    count = rejected = step = 0
    read, check = plan.read, plan.check
    for number, cells in body:
        if number < first:
            continue
        if last is not None and number > last:
            out.rows += count
            out.rejected += rejected
            return number, cells
        got = read(number, cells)
        if got is None:
            continue
        count += 1
        text, cell_errors = got
        staged, row_errors = check(number, text, cell_errors)
        if staged is None:
            errors.extend(row_errors)
            rejected += 1
        else:
            add(staged)
        step += 1
        if progress is not None and step >= every:
            progress(number)
            step = 0
    out.rows += count
    out.rejected += rejected
    return None


def split_point(*, vendor: str, forkable: bool, first_row: int, total: int) -> int | None:
    """The last row the parent checks, or None to check everything in one process."""
    if vendor != "postgresql" or not forkable or not hasattr(os, "fork"):
        return None
    if total - first_row < PARALLEL_MIN_ROWS:
        return None
    if not only_thread():
        return None
    # The child also walks past the parent's rows (~2 µs each) and formats its own:
    # the parent takes a little more than half.
    return first_row + (total - first_row) * PARENT_SHARE // 100


def only_thread() -> bool:
    """Forking a process with other threads can copy a lock some thread holds."""
    return threading.active_count() == 1 and threading.current_thread() is threading.main_thread()


def check_on_two_cores(
    body,
    plan,
    split: int,
    *,
    add: Callable[[tuple], None],
    write: Callable[[bytes], None],
    out: Checked,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Rows up to `split` checked here into `add` (the COPY's write_row), the rest in a
    child whose COPY text goes to `write` as it comes; counts and errors into `out`."""
    child = Child(body, plan, split)

    def tick(number: int) -> None:
        child.drain(write)
        if progress is not None:
            progress(number)

    try:
        after = check_rows(body, plan, add, out, last=split, progress=tick, every=DRAIN_EVERY)
        waited = time.monotonic()
        got = child.collect()
        logger.debug("%.2fs waiting for the child", time.monotonic() - waited)
        if got is not None:
            theirs, kb = got
            logger.debug("child process: private %.0f MB", kb / 1024)
            child.drain(write, final=True)
            out.rows += theirs.rows
            out.rejected += theirs.rejected
            out.errors.extend(theirs.errors)
        elif child.sent == 0:  # the child failed early: its rows here, serially
            rest = itertools.chain([after], body) if after else body
            check_rows(rest, plan, add, out, first=split + 1)
        else:  # some of its rows are in the COPY already: the import must start again
            raise RuntimeError("the roster check's child process failed")
    finally:
        child.close()


class Child:
    """The forked checker of the rows after `split` (see the module's docstring)."""

    def __init__(self, body, plan, split: int):
        self.split = split
        self.sent = 0  # bytes of the child's COPY text passed on
        # Closed by close(), after the parent has read them.
        self.data = tempfile.TemporaryFile(prefix="xuanpei-roster-")  # noqa: SIM115
        self.summary = tempfile.TemporaryFile(prefix="xuanpei-roster-")  # noqa: SIM115
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child, reported through files
            self._run(body, plan)

    def _run(self, body, plan) -> None:
        status = 1
        try:
            out = Checked()
            formatter = copy_formatter()
            write = self.data.write

            def add(row: tuple) -> None:
                chunk = formatter.write_row(row)
                if chunk:
                    write(chunk)

            check_rows(body, plan, add, out, first=self.split + 1)
            write(formatter.end())
            self.data.flush()
            pickle.dump(("ok", out, private_kb()), self.summary)
            status = 0
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which redoes the rows
            with contextlib.suppress(BaseException):
                pickle.dump(("failed", repr(exc), 0), self.summary)
        finally:
            try:
                self.summary.flush()
            finally:
                os._exit(status)

    def collect(self) -> tuple[Checked, int] | None:
        """Wait for the child; its result and its private memory (kB), or None if it failed."""
        _pid, status = os.waitpid(self.pid, 0)
        self.summary.seek(0)
        try:
            state, payload, kb = pickle.load(self.summary)
        except Exception:  # noqa: BLE001 - a child killed before writing its summary
            state, payload, kb = "failed", f"exit status {status}", 0
        if state != "ok" or status != 0:
            logger.warning(
                "roster check in a child process failed (%s): checking serially", payload
            )
            return None
        return payload, kb

    def drain(self, write: Callable[[bytes], None], *, final: bool = False) -> None:
        """Pass on the complete rows the child has written so far (all of it when
        `final`): the database takes them in while both processes are still checking.

        `os.pread` reads at the parent's own offset (the file offset is the child's).
        A newline always ends a row in COPY text (one inside a value is escaped), so
        the bytes up to the last newline are whole rows even while the child writes.
        """
        fd = self.data.fileno()
        while chunk := os.pread(fd, COPY_CHUNK, self.sent):
            if not final:
                chunk = chunk[: chunk.rfind(b"\n") + 1]
                if not chunk:
                    return
            self.sent += len(chunk)
            write(chunk)

    def close(self) -> None:
        self.data.close()
        self.summary.close()


def private_kb() -> int:
    """This process's own memory (not shared with the parent), in kB."""
    total = 0
    try:
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        return 0
    return total
