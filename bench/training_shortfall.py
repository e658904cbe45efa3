"""Hours shortfall for the whole district (issue #12, Performance): the platform against
hand-written SQL, and the shortfall page.

Builds, set-based with `generate_series` (PostgreSQL only), on the demo district
(`seed_demo`, 2,000 enterprises): N people with one post each (8 % a second post of
another kind at the same enterprise; principal/safety manager/other staff in the
compliance bench's shares; start dates over ten years, 5 % ended), S sessions over
this year and last, and A attendance rows (each session's people a contiguous block
of the person ids, so that everyone attends A/N sessions; 0.5–8 h credited). Then
times, median of several runs after a warm-up, interleaved so that none gets a
warmer cache:

(a) the platform: `training.shortfall.totals(district admin, year, by="unit")` —
    the district's people and people below their minimum per new town;
(b) the same totals in hand-written SQL (`HAND_SQL`, minimums as literals), the
    same numbers asserted;
(c) the shortfall page (`training:shortfall?year=…`) through Django's test Client as
    the district admin, DEBUG off: the first render and the median of warm renders.

    python -m bench.run shortfall --people 1M --attendances 10M --keep
    python -m bench.run shortfall --reuse-db xp_h6
"""

from __future__ import annotations

import statistics
import time

RATIO_TARGET = 1.5
PAGE_TARGET_MS = 500.0

# One statement per table; %(…)s are filled from `build`'s arguments.
_PEOPLE = """
INSERT INTO workforce_person (id, name, id_number, gender, birth_date, phone,
                              created_at, updated_at)
SELECT i, '基准人员' || i, '61010219' || lpad(i::text, 10, '0'),
       CASE WHEN i %% 2 = 0 THEN 'female' ELSE 'male' END,
       date '1966-01-01' + (i * 7919 %% 13000)::int, '1390' || lpad((i %% 10000000)::text, 7, '0'),
       now(), now()
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
"""
# Post type by a hash of the id: principal 4 %, safety manager 13 %, special operation
# 55 %, special equipment 10 %, construction special 5 %, other 13 % (compliance bench).
_TYPE = """CASE WHEN h < 4 THEN 'principal' WHEN h < 17 THEN 'safety_manager'
                WHEN h < 72 THEN 'special_operation' WHEN h < 82 THEN 'special_equipment'
                WHEN h < 87 THEN 'construction_special' ELSE 'other' END"""
_POSTS = f"""
INSERT INTO workforce_post (id, person_id, enterprise_id, post_type_id, start_date, end_date,
                            note, created_at, updated_at)
SELECT i, i, ents.ids[1 + (i %% ents.n)::int], {_TYPE},
       %(today)s::date - (i * 7919 %% 3650)::int,
       CASE WHEN i %% 20 = 0 THEN greatest(%(today)s::date - (i %% 300)::int,
                                          %(today)s::date - (i * 7919 %% 3650)::int) END,
       '', now(), now()
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i,
       LATERAL (SELECT (i * 2654435761 %% 100) AS h) AS hh,
       (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM orgs_enterprise) AS ents
"""
# A second post of another kind at the same enterprise for 8 % of the people.
_SECOND_POSTS = """
INSERT INTO workforce_post (id, person_id, enterprise_id, post_type_id, start_date, end_date,
                            note, created_at, updated_at)
SELECT %(last)s + row_number() OVER (ORDER BY p.id), p.person_id, p.enterprise_id,
       CASE WHEN p.post_type_id = 'safety_manager' THEN 'principal' ELSE 'safety_manager' END,
       p.start_date + 200, NULL, '', now(), now()
  FROM workforce_post p
 WHERE p.id %% 25 = 3 AND p.id BETWEEN %(first)s AND %(last)s AND p.end_date IS NULL
"""
_SESSIONS = """
INSERT INTO training_trainingsession (id, title, kind, unit_id, starts_at, ends_at, place, online,
    teacher, partner, hours, content, audience, allow_walk_ins, sign_in_opens_minutes,
    sign_in_closes_minutes, sign_in_token, status, summary, created_at, updated_at)
SELECT s, '基准培训' || s, 'sector', towns.ids[1 + (s %% towns.n)::int],
       %(start)s::timestamptz + make_interval(days => (s * 37) %% 700, hours => 1 + s %% 8),
       %(start)s::timestamptz + make_interval(days => (s * 37) %% 700, hours => 9 + s %% 8),
       '', false, '', '', 8, '', '', false, 30, 30, md5('bench-session-' || s), 'held', '',
       now(), now()
  FROM generate_series(1, %(sessions)s) AS s,
       (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM orgs_unit
         WHERE depth = 3 AND kind <> 'department') AS towns
"""
# Attendance g → session g %% S, person (session × block + g / S) %% N: unique per session.
_ATTENDANCE = """
INSERT INTO training_attendance (id, session_id, person_id, method, sign_in_agent,
    sign_out_agent, hours_credited, correction_reason, created_at, updated_at)
SELECT g, 1 + (g %% %(sessions)s),
       %(first)s + (((g %% %(sessions)s) * %(block)s + g / %(sessions)s) %% %(people)s),
       'list', '', '', 0.5 * (1 + (g * 7 %% 16)), '', now(), now()
  FROM generate_series(%(from)s::bigint, %(to)s::bigint) AS g
"""

# The same totals as a person writes them by hand: literal minimums (3号令 Art. 9/13,
# 安委〔2012〕10号), DISTINCT ON for the deciding post, one aggregate per town.
_HAND = """
WITH p AS (
  SELECT p.id, p.person_id, p.enterprise_id, p.start_date, p.end_date, e.unit_id,
         p.post_type_id IN ('principal', 'safety_manager') AS mgr,
         s.high_risk AS hr, s.code = 'construction' AS con
    FROM workforce_post p
    JOIN orgs_enterprise e ON e.id = p.enterprise_id
    JOIN orgs_sector s ON s.id = e.sector_id
), r AS (
  SELECT p.*,
         CASE WHEN mgr THEN CASE WHEN hr THEN 48 ELSE 32 END
              ELSE CASE WHEN hr THEN 72 WHEN con THEN 32 ELSE 24 END END AS ih,
         CASE WHEN mgr THEN CASE WHEN hr THEN 16 ELSE 12 END
              ELSE CASE WHEN hr OR con THEN 20 ELSE 8 END END AS yh
    FROM p
), h AS (
  SELECT r.* FROM r
   WHERE (r.start_date IS NULL OR r.start_date <= %(y1)s)
     AND (r.end_date IS NULL OR r.end_date >= %(y0)s)
), blocked AS (
  SELECT h.id FROM h
   WHERE h.start_date BETWEEN %(y0)s AND %(y1)s
     AND EXISTS (SELECT 1 FROM r o
                  WHERE o.person_id = h.person_id AND o.id <> h.id AND o.mgr = h.mgr
                    AND (h.mgr OR o.enterprise_id = h.enterprise_id)
                    AND (o.start_date IS NULL OR o.start_date < h.start_date)
                    AND o.ih >= h.ih)
), q AS (
  SELECT h.id, h.person_id, h.unit_id,
         (h.start_date BETWEEN %(y0)s AND %(y1)s AND b.id IS NULL) AS initial,
         CASE WHEN h.start_date BETWEEN %(y0)s AND %(y1)s AND b.id IS NULL
              THEN h.ih ELSE h.yh END AS hours
    FROM h LEFT JOIN blocked b ON b.id = h.id
), best AS (
  SELECT DISTINCT ON (person_id) person_id, unit_id, hours FROM q
   ORDER BY person_id, hours DESC, initial DESC, id
), cred AS (
  SELECT a.person_id, round(sum(a.hours_credited), 1) AS hours
    FROM training_attendance a JOIN training_trainingsession t ON t.id = a.session_id
   WHERE t.starts_at >= %(t0)s AND t.starts_at < %(t1)s
   GROUP BY a.person_id
)
SELECT substr(u.path, 1, 8) AS town, count(*) AS people,
       count(*) FILTER (WHERE b.hours > coalesce(c.hours, 0)) AS below
  FROM best b JOIN orgs_unit u ON u.id = b.unit_id
  LEFT JOIN cred c ON c.person_id = b.person_id
 GROUP BY 1
"""
HAND_SQL = {"distinct_on": _HAND}


def _exec(sql: str, params: dict) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def build(*, people: int, attendances: int, sessions: int | None = None) -> dict:
    """The demo district, then people, posts, sessions and attendance, set-based."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.compliance import _reset_sequences
    from xuanpei.orgs.demo import demo_exists, seed_demo
    from xuanpei.training.models import Attendance, TrainingSession
    from xuanpei.workforce.models import Person, Post

    if connection.vendor != "postgresql":
        raise RuntimeError("the shortfall bench builds with generate_series: PostgreSQL only")
    sessions = sessions or max(1, attendances // 500)
    today = timezone.localdate()
    counts: dict = {}
    started = time.perf_counter()
    with transaction.atomic():
        if not demo_exists():
            seed_demo(scale=1)
        first = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first_post = (Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        if first_post != first:
            raise RuntimeError("build on a database without people (posts follow person ids)")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        last = first + people - 1
        args = {"first": first, "last": last, "today": today}
        t = time.perf_counter()
        counts["people"] = _exec(_PEOPLE, args)
        counts["posts"] = _exec(_POSTS, args) + _exec(_SECOND_POSTS, args)
        counts["people_s"] = time.perf_counter() - t
        t = time.perf_counter()
        start = f"{today.year - 1}-01-05 00:00+08"
        counts["sessions"] = _exec(_SESSIONS, {"sessions": sessions, "start": start})
        counts["sessions_s"] = time.perf_counter() - t
        block = max(1, attendances // sessions)
        done, step = 0, 2_000_000
        t = time.perf_counter()
        while done < attendances:
            n = min(step, attendances - done)
            done += _exec(
                _ATTENDANCE,
                {
                    "sessions": sessions,
                    "first": first,
                    "people": people,
                    "block": block,
                    "from": done + 1,
                    "to": done + n,
                },
            )
            print(f"attendance rows: {done:,}", flush=True)
        counts["attendances"] = done
        counts["attendance_s"] = time.perf_counter() - t
        _reset_sequences([Person, Post, TrainingSession, Attendance])
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts["analyze_s"] = time.perf_counter() - t
    counts["build_s"] = time.perf_counter() - started
    return counts


def existing_counts() -> dict:
    from xuanpei.training.models import Attendance, TrainingSession
    from xuanpei.workforce.models import Person, Post

    return {
        "people": Person.objects.count(),
        "posts": Post.objects.count(),
        "sessions": TrainingSession.objects.count(),
        "attendances": Attendance.objects.count(),
    }


def _hand_totals(year: int) -> dict:
    from django.db import connection

    from xuanpei.training.shortfall import _year_bounds

    y0, y1, t0, t1 = _year_bounds(year)
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL["distinct_on"], {"y0": y0, "y1": y1, "t0": t0, "t1": t1})
        return {k: (people, below) for k, people, below in cursor.fetchall()}


def _ours(admin, year: int) -> dict:
    from xuanpei.training.shortfall import Filters, totals

    return {t.key: (t.people, t.below) for t in totals(admin, Filters(year), "unit", unit_depth=2)}


def measure(*, repeat: int = 5, year: int | None = None, timeout: float = 600.0) -> dict:
    from django.utils import timezone

    from bench.compliance import _guarded, district_admin, set_statement_timeout

    set_statement_timeout(timeout)
    year = year or timezone.localdate().year
    admin = district_admin()
    if admin is None:
        raise RuntimeError("no district admin in the bench database")
    times: dict[str, list[float]] = {"platform": [], "hand_sql": []}
    answers: dict[str, dict] = {}
    for i in range(repeat + 1):  # the first round is the warm-up
        for key, fn in (("platform", _ours), ("hand_sql", None)):
            t = time.perf_counter()
            answers[key] = _guarded(
                (lambda: _ours(admin, year)) if fn else (lambda: _hand_totals(year))
            )
            if i:
                times[key].append(time.perf_counter() - t)
            print(f"round {i} {key}: {time.perf_counter() - t:.2f} s", flush=True)
    if answers["platform"] != answers["hand_sql"]:
        raise AssertionError(f"platform {answers['platform']} ≠ SQL {answers['hand_sql']}")
    med = {k: statistics.median(v) for k, v in times.items()}
    people = sum(p for p, _ in answers["hand_sql"].values())
    below = sum(b for _, b in answers["hand_sql"].values())
    return {
        "year": year,
        "platform": {"median_s": med["platform"], "runs_s": times["platform"]},
        "hand_sql": {"median_s": med["hand_sql"], "runs_s": times["hand_sql"]},
        "ratio": med["platform"] / med["hand_sql"],
        "totals": {"people": people, "below": below, "towns": len(answers["hand_sql"])},
        "page": _page(admin, year, repeat),
    }


def _page(admin, year: int, repeat: int) -> dict:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    url = f"{reverse('training:shortfall')}?year={year}"
    old_debug, old_hosts = settings.DEBUG, settings.ALLOWED_HOSTS
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*old_hosts, "testserver"]
    try:
        cache.clear()
        client = Client()
        client.force_login(admin)

        def render():
            response = client.get(url)
            if response.status_code != 200:
                raise AssertionError(f"GET {url} → {response.status_code}")
            return len(response.content)

        t = time.perf_counter()
        render()
        first = time.perf_counter() - t
        runs = []
        for _ in range(max(repeat, 5)):
            t = time.perf_counter()
            size = render()
            runs.append(time.perf_counter() - t)
    finally:
        settings.DEBUG, settings.ALLOWED_HOSTS = old_debug, old_hosts
    return {
        "url": url,
        "first_s": first,
        "median_s": statistics.median(runs),
        "best_s": min(runs),
        "runs_s": runs,
        "bytes": size,
    }


def summarize(result: dict) -> list[dict]:
    c = result["counts"]
    size = f"{c['people']:,} people / {c['attendances']:,} attendances"
    sql, ours, page = result["hand_sql"], result["platform"], result["page"]
    t = result["totals"]
    return [
        {
            "measure": f"training hours shortfall per new town, {size} → postgres",
            "limit": f"{sql['median_s'] * 1000:,.0f} ms (hand-written SQL, DISTINCT ON)",
            "ours": f"{ours['median_s'] * 1000:,.0f} ms (training.shortfall.totals(admin, "
            f"by='unit')); {t['below']:,}/{t['people']:,} below their minimum",
            "ratio": result["ratio"],
            "target": f"≤ {RATIO_TARGET}× SQL",
            "pass": result["ratio"] <= RATIO_TARGET,
        },
        {
            "measure": f"training shortfall page as district admin, {size} → postgres",
            "limit": "—",
            "ours": f"{page['median_s'] * 1000:,.0f} ms warm (median; best "
            f"{page['best_s'] * 1000:,.0f} ms; first render, computing, "
            f"{page['first_s']:,.1f} s)",
            "ratio": None,
            "target": f"≤ {PAGE_TARGET_MS:.0f} ms",
            "pass": page["median_s"] * 1000 <= PAGE_TARGET_MS,
        },
    ]
