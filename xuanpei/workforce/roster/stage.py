"""The staging table: clean roster rows go in as they are read, in one stream.

PostgreSQL: one `COPY roster_stage FROM STDIN` for the whole file, fed row by
row with psycopg's `write_row`, so the server parses and stores rows while
Python reads and checks the next ones (two processes, two cores). Other
databases (SQLite): batched `executemany` INSERTs. Either way Python holds one
chunk at a time, never the file.
"""

from __future__ import annotations

from xuanpei.workforce.roster.plan import STAGE_COLUMNS

STAGE_DDL = """CREATE TEMP TABLE roster_stage (
    row_no integer NOT NULL, ent bigint NOT NULL, idn varchar(18) NOT NULL,
    name varchar(50) NOT NULL, phone varchar(20) NOT NULL, gender varchar(6) NOT NULL,
    birth date NOT NULL, ptype varchar(30) NOT NULL, item bigint, kind varchar(30),
    citem bigint, num varchar(50), auth varchar(100) NOT NULL, first_issue date, issue date,
    valid_until date, review_due date, last_review date, keep integer NOT NULL
)"""


def drop_tables(cursor) -> None:
    for table in (
        "roster_new_cert",
        "roster_new_post",
        "roster_new_person",
        "roster_plan",
        "roster_stage",
    ):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


class Loader:
    """Batched INSERTs (any database)."""

    batch = 2000

    def __init__(self, cursor):
        self.cursor = cursor
        self.pending: list[tuple] = []
        placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
        self.sql = f"INSERT INTO roster_stage ({', '.join(STAGE_COLUMNS)}) VALUES ({placeholders})"

    def __enter__(self) -> Loader:
        drop_tables(self.cursor)
        self.cursor.execute(STAGE_DDL)
        return self

    def add(self, row: tuple) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.cursor.executemany(self.sql, self.pending)
            self.pending = []

    def write_raw(self, data: bytes) -> None:
        raise NotImplementedError("COPY text goes to PostgreSQL only (roster/parallel.py)")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.flush()


class CopyLoader(Loader):
    """PostgreSQL: COPY FROM STDIN, streamed."""

    def __enter__(self) -> CopyLoader:
        drop_tables(self.cursor)
        # Temp tables are not WAL-logged; ON COMMIT DROP cleans up a rolled-back dry run too.
        self.cursor.execute(STAGE_DDL + " ON COMMIT DROP")
        raw = self.cursor.cursor  # Django's wrapper → the psycopg cursor
        self._copy_cm = raw.copy(f"COPY roster_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        self.add = self._copy.write_row  # type: ignore[method-assign]
        self.write_raw = self._copy.write  # type: ignore[method-assign]
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._copy_cm.__exit__(exc_type, exc, tb)


def loader_for(connection, cursor) -> Loader:
    return CopyLoader(cursor) if connection.vendor == "postgresql" else Loader(cursor)
