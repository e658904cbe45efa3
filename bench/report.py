"""docs/benchmarks.md, written by the harness so that the document always matches a run.

The figures live in a JSON block at the end of the file (an HTML comment); each
run replaces the rows it measured (same measure = same size, format and
database) and keeps the others, then re-renders the whole document.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import ROOT

DOC = ROOT / "docs" / "benchmarks.md"
DATA_RE = re.compile(r"<!-- bench-data\n(.*?)\n-->", re.S)
MAX_LOG = 30

INTRO = """\
# Benchmarks (issues #3, #10, #11, #12, #13 and #14, Performance)

Written by `python -m bench.run` (`make bench`); do not edit by hand — rerun the
command in the table instead. Every figure is a ratio against a reference measured
**in the same run on the same machine**, never an absolute time checked by a test.

| benchmark | reference (measured in the same run) | ours | target |
| --- | --- | --- | --- |
| roster import, xlsx → PostgreSQL: rows/s | the **storage floor** (`bench/floor.py`): the people, posts and certificates our import stored, inserted again with `INSERT … SELECT` into a fresh copy of the database — the schema's indexes, its foreign keys checked at commit; no file, no checks, no plan, no audit | `xuanpei import roster FILE --json` in its own subprocess against a freshly migrated database seeded with the file's enterprises (`bench/roster.py`): reading, validation, upsert and the import's audit batch (issue #10: one `ImportBatch` and its change rows, no `LogEntry` per object) included | rows/s ≥ 0.5 × the floor's rows/s (issue #10) |
| roster import, xlsx → PostgreSQL: rows/s ÷ raw limit | read the same file with python-calamine and `COPY` the raw cells into an unindexed text table, no validation (`bench/limits.py`, own subprocess) | same run | for the record (issue #3 set 0.5 × this limit, which is below the storage floor here: `docs/decisions.md`) |
| roster import, xlsx → PostgreSQL: peak RSS | the raw limit above | same run | ≤ 1.25 × the limit's peak |
| roster import storage floor (info) | the raw limit above | the floor's time | none: limit ÷ floor is the highest ratio against the raw limit any importer could reach with this schema on this machine |
| roster import, csv → PostgreSQL | stream the csv with the csv module into the same `COPY` | same command on the csv | peak RSS ≤ 300 MB (rows/s for information: the issue sets the speed target for xlsx) |
| roster import → SQLite | — (COPY is PostgreSQL's) | same command, fresh SQLite file (20k rows unless `--sqlite-rows`) | figures for information |
| district 持证率 | one hand-written SQL aggregate (`bench/compliance.py`, `HAND_SQL`) with the same numbers asserted | the platform's district total as the district admin (compliance service, or `Post.objects.for_user(admin).compliance_totals`) | ≤ 1.5 × the SQL |
| compliance dashboard | — | the page through Django's test Client as the district admin, DEBUG off | ≤ 500 ms |
| publicity coverage matrix (issue #11) | one hand-written SQL aggregate over the campaign's links (`bench/publicity.py`, `HAND_SQL_MATRIX`), same numbers asserted | `publicity.coverage.campaign_matrix` for the latest 安全生产月, the district admin's scope (the units' list included) | ≤ 1.5 × the SQL |
| publicity roll-up by month (issue #11) | one hand-written SQL aggregate (`HAND_SQL_MONTH`), same numbers asserted | `publicity.rollups.by_month` over the district admin's accepted activities of the year | ≤ 1.5 × the SQL |
| publicity pages (issue #11) | — | the campaign's coverage page and the roll-up page (`?table=month`; the whole page for information), test Client, DEBUG off | ≤ 500 ms |
| activity import, xlsx → PostgreSQL: rows/s (issue #11) | the roster's raw limit (`bench/limits.py`) on the activity file: python-calamine reads it, `COPY` puts the raw cells into an unindexed text table, own subprocess | `xuanpei import activities FILE --json` in its own subprocess (`bench/activities.py`) on a freshly migrated database seeded with the demo district and the year's campaigns and plan tasks; the file (`bench/gen_activities.py`, cached in `var/bench/`) holds new activities of 2025 in the template's columns, ~1 % bad rows; reading, checks, scope, the set-based write (`core/imports/bulk.py`) and the audit batch with one change row per activity included | rows/s ≥ 0.3 × the limit's; peak RSS and the storage floor (`bench/floor.py` over the activity, link, batch and change-row tables) for information. Before the set-based path (row-by-row saves, commit 4630d4a, 2026-12-02) the same command measured 89 rows/s (1,128 s) |
| training hours shortfall (issue #12) | one hand-written SQL statement with literal minimums and `DISTINCT ON` (`bench/training_shortfall.py`), same numbers asserted; data built set-based with `generate_series` (1,000,000 people, 10,000,000 attendances) | `training.shortfall.totals(admin, by="unit")`: one statement, minimums as CASE generated from `minimums.MINIMUMS`, scoped through `Post.objects.for_user` | ≤ 1.5 × the SQL |
| training shortfall page (issue #12) | — | the page as the district admin, test Client, DEBUG off, warm (its answers cached under the data's fingerprint, `shortfall.data_version`); the first render for information | ≤ 500 ms |
| QR sign-in burst (issue #12) | — | 300 phones against `xuanpei runserver` (SQLite default and PostgreSQL) within 60 s (`bench/training_signin.py`, below) | 0 errors, 0 lost or doubled attendances, p95 ≤ 300 ms |
| scoring a quarter (issue #13) | one hand-written SQL statement per indicator, each grouping its rows by the unit's branch at the 新城/部门 and 镇街 depths (`bench/assessment.py`, `HAND`), same numbers asserted | `assessment.formulas` for the same indicators (publicity activities and reach, campaign coverage, sessions and 人次, grid training, new media, manual entries) over every assessed unit; the whole default set (plan statuses, 持证率) and `compute_run` for information | ≤ 2 × the SQL |
| quarterly bulletin (issue #13) | — | `xuanpei bulletin YYYYQn --out F.docx --pdf F.pdf -v 2` in a fresh process on the demo district at `--scale 30` (`seed-demo`, plus a year of activities, media posts, sessions and attendance at scale: `bench/bulletin.py`, below) from a quarter with no run and no bulletin, the earlier quarters published; time by stage (scoring, charts, document, PDF) | ≤ 15 s |
| loopback load (issue #14) | — | `python -m bench.load` (`bench/load.py`, or `python -m bench.run load`): a fresh PostgreSQL database with `xuanpei seed-demo --scale 10` (or `--reuse-db`); the server started on a free loopback port with the argv of `load.SERVERS` (`xuanpei serve`, production settings, its pool at serve's defaults; or `xuanpei runserver --noreload` as `make run` starts it); N users, user i a session of demo persona i mod 6 (district, new town, 镇街, department, enterprise, read-only leader), each logged in through the login form (CSRF) with its own cookie jar and one keep-alive connection, cycling through its role's pages and API lists (`load.URLS`, every one answering it 200; the shortfall report and exports are left to their own benches) with 0.5–1.5 × the think time between clicks; p50/p95/p99/max over the requests after the ramp, errors by kind (HTTP status, reset, disconnected, timeout; a GET re-sent once on a kept-alive connection the server had closed is counted apart, as browsers do it), PostgreSQL connections to the database sampled during the load (most seen) against the pool's bound (DB_POOL_MAX_SIZE × workers) | 50 users, 2 s think, 10 min, `xuanpei serve`: 0 errors, 0 resets, p95 ≤ 300 ms, connections ≤ the pool's bound |
| load throughput, serve vs runserver (issue #14) | the same load — 20 users, no think time — against `xuanpei runserver`, same run, same database (`--compare`) | the load against `xuanpei serve` | ≥ 2 × runserver's requests/s |

A query of the 持证率 benchmark that runs past the statement timeout (`--timeout`,
120 s) is reported as timed out instead of being waited for.

Wall times include process start-up for both the limit and our import. Peak RSS is
the program's own high-water mark (`VmHWM`, reported by `bench/peak.py` at exit: a
child's `ru_maxrss` would include its parent's); for the roster import's two-core check
(`workforce/roster/parallel.py`) the forked child's own memory (private pages, which it
logs at DEBUG) is added, so the figure is the pair's. Timings of the 持证率 and the page
are medians of several runs after one warm-up. Roster files are generated by
`bench/gen_roster.py` (deterministic, ~1 % bad rows, cached in `var/bench/`); the
持证率 data set is written with COPY by `bench/compliance.py` (people with one or two
posts, certificates in every status, ~10 % with a history version).

## The quarterly bulletin at scale 30 (issue #13)

`python -m bench.run bulletin --scale 30 --repeat 3` (`bench/bulletin.py`): a fresh
PostgreSQL database, `xuanpei seed-demo --scale 30` (60,000 enterprises, ≈ 950,000 people
with posts and certificates, the yearly plans with a year of reports, the publicity and
training demos), then set-based: 1,000,000 activities (with campaign links) and 2,000,000
media posts over five years, 4,000 sessions (one in ten a grid-officer class) and
2,000,000 attendance rows over the seeded people, a 督查 deduction and bonus for every
third unit. The quarter is the last ended one. The 持证率 indicator reads the quarter's
last day from the compliance snapshots, which the daily `refresh-compliance` makes on a
month-end (its one-off cost is in the row). Each timed bulletin starts from a quarter
with no run and no bulletin, the earlier quarters of the year published (as they are by
then); the wall time includes the process's start-up (Django, matplotlib, WeasyPrint).

## QR sign-in burst (issue #12)

`python -m bench.training_signin` (or `python -m bench.run signin`): a fresh database
with one session open now and 300 people on its roster; the server `make run` starts
(`xuanpei runserver`, threaded, one process) on a free port; 300 phones — each its own
cookie jar, urllib — open `/t/<token>/` (CSRF cookie and token) and post name + ID
tail, phone i starting at i × 60 s / 300, a bounded pool of 32 threads; every tenth
phone double-taps (a second POST racing the first). Then the session's Attendance rows
are counted (exactly one per person: none lost, none doubled), every response must be
200 with its success text, and p95 is over all 630 requests. One warm-up scan (a
refused name) first, as the organiser's own test scan would be.

What the embedded default (SQLite file: WAL, `BEGIN IMMEDIATE`, 30 s busy timeout,
settings.py) does under it: it holds the issue's burst — 0 errors, 0 "database is
locked", 300/300 attendances, no doubles, the double taps answered "您已签到" — in
every run on this 2-core machine shared with other work (p95 28–238 ms at load 2–10).
It degrades with the machine, not with errors: once, at load 16, p95 was 2.2 s (POSTs
queue for SQLite's single write lock, whose busy handler polls in up to 100 ms sleeps);
at 4× the rate (300 phones in 15 s, `--spread 15`) p95 was 0.13–0.19 s on a quiet
machine and 4.6 s (max 13.6 s) at load 8 — still 0 errors and 0 lost. PostgreSQL
passes the issue's burst too (p95 150–294 ms); behind `runserver` every request is a
new thread and so a new database connection (Django closes them after each request):
at 4× the rate 85 of the server's 100 `max_connections` were ours at peak, and in one
run other sessions on the shared server took the rest, so 7 sign-ins got a 500 "too many
clients" (lost, not doubled). A production PostgreSQL deployment belongs behind a WSGI
server with a fixed number of threads and persistent connections (`DB_CONN_MAX_AGE`),
or a connection pooler, not `runserver`.
"""


def load(doc: Path = DOC) -> dict:
    if doc.exists():
        m = DATA_RE.search(doc.read_text(encoding="utf-8"))
        if m:
            return json.loads(m.group(1))
    return {"results": [], "log": []}


def _fmt_ratio(r) -> str:
    return "—" if r is None else f"{r:.2f}×"


def _fmt_pass(p) -> str:
    return {True: "pass", False: "**FAIL**", None: "—"}[p]


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(data: dict) -> str:
    out = [INTRO, "## Latest results\n"]
    out.append("| date | machine | command | measure | limit | ours | ratio | target | result |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in data["results"]:
        out.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    r["date"],
                    r["machine"],
                    f"`{r['command']}`",
                    r["measure"],
                    r["limit"],
                    r["ours"],
                    _fmt_ratio(r["ratio"]),
                    r["target"],
                    _fmt_pass(r["pass"]),
                )
            )
            + " |"
        )
    out.append("\n## Run log\n")
    for entry in reversed(data["log"]):
        out.append(f"- {entry['date']} — `{entry['command']}` ({entry['seconds']:.0f} s)")
        for note in entry.get("notes", []):
            out.append(f"  - {note}")
    out.append("")
    out.append("<!-- bench-data\n" + json.dumps(data, ensure_ascii=False, indent=1) + "\n-->")
    return "\n".join(out) + "\n"


def machine_text(machine: dict) -> str:
    text = f"{machine['nproc']} cores, {machine['ram_gb']:g} GB RAM, Python {machine['python']}"
    if "load" in machine:
        text += f", load {machine['load']:g} at start"
    return text


def update(
    lines: list[dict],
    *,
    command: str,
    machine: dict,
    seconds: float,
    notes: list[str] | None = None,
    doc: Path = DOC,
) -> Path:
    """Replace the rows of the same measures, append a log entry, rewrite the document."""
    data = load(doc)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    by_measure = {r["measure"]: r for r in data["results"]}
    for line in lines:
        by_measure[line["measure"]] = {
            **line,
            "date": stamp,
            "machine": machine_text(machine),
            "command": command,
        }
    data["results"] = sorted(by_measure.values(), key=_order)
    data["log"] = [
        *data["log"],
        {"date": stamp, "command": command, "seconds": seconds, "notes": notes or []},
    ][-MAX_LOG:]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(render(data), encoding="utf-8")
    return doc


def _order(r: dict):
    """Roster before 持证率; bigger runs first; per run rows/s before peak RSS."""
    m = r["measure"]
    head, _, metric = m.partition(": ")
    nums = re.findall(r"\d[\d,]*", head)
    size = int(nums[0].replace(",", "")) if nums else 0
    return (0 if m.startswith("roster") else 1, -size, head, metric != "rows/s", metric)
