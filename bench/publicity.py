"""Publicity at province scale (issue #11, Performance): coverage and roll-up against SQL.

Builds the demo tree (`seed_demo(scale=N)`; the scale multiplies enterprises, the
tree is the demo's 区 → 5 新城 → 25 镇街 → 150 村/社区), four campaigns a year over
five years, then A activities and M media posts straight into the tables with COPY
(PostgreSQL; executemany on SQLite for a smoke run). Times, medians after a warm-up:

(a) a campaign's unit × 五进 coverage matrix as the platform computes it
    (`publicity.coverage.campaign_matrix`, the district admin's scope) against the
    equivalent single hand-written SQL aggregate (same numbers asserted);
(b) the district roll-up by month (`publicity.rollups.by_month`) against its SQL;
(c) both pages through Django's test Client as the district admin, DEBUG off:
    the campaign's coverage matrix and the roll-up page (its month table, and the
    whole page with every table for information).

Runs in-process: Django must be set up on the bench database (`bench.run` does).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from bench.compliance import (
    TimedOut,
    _guarded,
    _reset_sequences,
    _time_page,
    district_admin,
    set_statement_timeout,
    write_rows,
)

RATIO_TARGET = 1.5
PAGE_TARGET_MS = 500.0
YEARS = 5
# (name, start month/day, end month/day) of the campaigns each year, owned by the district.
CAMPAIGNS = (
    ("防灾减灾宣传周", (5, 6), (5, 12)),
    ("安全生产月", (6, 1), (6, 30)),
    ("消防宣传月", (11, 1), (11, 30)),
    ("《安全生产法》宣传周", (12, 1), (12, 7)),
)
MEASURED_CAMPAIGN = "安全生产月"
_STATUSES = ("accepted",) * 17 + ("submitted", "returned", "draft")
_CHANNELS = ("wechat", "weibo", "app", "douyin", "channels", "portal", "press")
_KINDS = ("post", "article", "video", "psa")

# The coverage matrix as a person writes it by hand: one scan of the campaign's links,
# grouped by the branch of the tree at the children of the district.
HAND_SQL_MATRIX = """
SELECT substr(u.path, 1, %(len)s) AS branch,
       count(*) AS total,
       count(*) FILTER (WHERE a.to_enterprise) AS enterprise,
       count(*) FILTER (WHERE a.to_village) AS village,
       count(*) FILTER (WHERE a.to_community) AS community,
       count(*) FILTER (WHERE a.to_school) AS school,
       count(*) FILTER (WHERE a.to_family) AS family
  FROM publicity_activity a
  JOIN publicity_activity_campaigns ac ON ac.activity_id = a.id
  JOIN orgs_unit u ON u.id = a.unit_id
 WHERE ac.campaign_id = %(campaign)s
   AND a.status = 'accepted'
   AND a.held_on BETWEEN %(start)s AND %(end)s
   AND u.depth > 1
 GROUP BY 1
"""
HAND_SQL_MONTH = """
SELECT extract(month FROM held_on)::int AS month, count(*) AS n,
       coalesce(sum(participants), 0) AS reach
  FROM publicity_activity
 WHERE status = 'accepted' AND held_on BETWEEN %(start)s AND %(end)s
 GROUP BY 1
"""


def _first_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def build(*, activities: int, media: int, scale: int = 10, seed: int = 20261111, today=None):
    """Demo tree at `scale`, campaigns of five years, `activities` activities (with their
    campaign links) and `media` media posts. Returns counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from xuanpei.orgs.choices import UnitKind
    from xuanpei.orgs.demo import demo_exists, seed_demo
    from xuanpei.orgs.models import Unit
    from xuanpei.publicity.models import Campaign
    from xuanpei.publicity.models_ledger import Activity, MediaPost

    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    counts: dict = {}
    if not demo_exists():
        seed_demo(scale=scale)
    counts["tree_s"] = time.perf_counter() - started
    root = Unit.objects.get_first_root_node()
    first_year = today.year - YEARS + 1
    with transaction.atomic():
        campaigns = []
        for year in range(first_year, today.year + 1):
            for name, (m1, d1), (m2, d2) in CAMPAIGNS:
                c, _ = Campaign.objects.get_or_create(
                    unit=root,
                    year=year,
                    name=name,
                    defaults={"start_date": date(year, m1, d1), "end_date": date(year, m2, d2)},
                )
                campaigns.append(c)
        spans = [(c.pk, c.start_date, c.end_date) for c in campaigns]
        units = list(Unit.objects.exclude(kind=UnitKind.DEPARTMENT).values_list("pk", "kind"))
        towns = [pk for pk, k in units if k in (UnitKind.TOWN, UnitKind.SUBDISTRICT)]
        new_towns = [pk for pk, k in units if k == UnitKind.NEW_TOWN]
        villages = [pk for pk, k in units if k in (UnitKind.VILLAGE, UnitKind.COMMUNITY)]
        start = date(first_year, 1, 1)
        span = (min(today, date(today.year, 12, 31)) - start).days + 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        t0 = time.perf_counter()
        first_a, first_m = _first_id(Activity), _first_id(MediaPost)
        links: list[tuple] = []

        def activity_rows():
            for i in range(activities):
                aid = first_a + 1 + i
                day = start + timedelta(days=rng.randrange(span))
                r = rng.random()
                unit = (
                    rng.choice(towns) if r < 0.7 else rng.choice(new_towns) if r < 0.95 else root.pk
                )
                locality = rng.choice(villages) if rng.random() < 0.6 else None
                flags = [rng.random() < p for p in (0.3, 0.3, 0.3, 0.25, 0.15)]
                for cid, s, e in spans:
                    if s <= day <= e and rng.random() < 0.85:
                        links.append((aid, cid))
                        break
                yield (
                    aid, f"基准宣传活动{aid}", unit, day, "活动广场", locality, *flags,
                    rng.randint(10, 500), rng.choice(_STATUSES),
                )  # fmt: skip

        counts["activities"] = write_rows(
            Activity,
            [
                "id",
                "title",
                "unit_id",
                "held_on",
                "place",
                "locality_id",
                "to_enterprise",
                "to_village",
                "to_community",
                "to_school",
                "to_family",
                "participants",
                "status",
            ],  # fmt: skip
            activity_rows(),
        )
        Through = Activity.campaigns.through
        link_first = _first_id(Through)
        counts["campaign_links"] = write_rows(
            Through,
            ["id", "activity_id", "campaign_id"],
            ((link_first + 1 + k, a, c) for k, (a, c) in enumerate(links)),
        )
        posters = [root.pk, *new_towns, *towns]

        def media_rows():
            for i in range(media):
                mid = first_m + 1 + i
                yield (
                    mid, rng.choice(posters), rng.choice(_CHANNELS), "基准账号",
                    rng.choice(_KINDS), f"基准发布{mid}", f"https://bench.example/p/{mid}",
                    start + timedelta(days=rng.randrange(span)), rng.random() < 0.7,
                    rng.randrange(100000), rng.randrange(1000), rng.randrange(500),
                )  # fmt: skip

        counts["media_posts"] = write_rows(
            MediaPost,
            [
                "id",
                "unit_id",
                "channel",
                "account",
                "kind",
                "title",
                "url",
                "published_on",
                "is_original",
                "views",
                "likes",
                "shares",
            ],  # fmt: skip
            media_rows(),
        )
        counts["copy_s"] = time.perf_counter() - t0
        _reset_sequences([Activity, Through, MediaPost])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["build_s"] = time.perf_counter() - started
    return counts


def existing_counts() -> dict:
    from xuanpei.publicity.models_ledger import Activity, MediaPost

    return {"activities": Activity.objects.count(), "media_posts": MediaPost.objects.count()}


# Measuring -----------------------------------------------------------------------------


def _sql(sql: str, params: dict) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # the smoke run: same query in SQLite's words
            sql = sql.replace(
                "extract(month FROM held_on)::int", "CAST(strftime('%%m', held_on) AS int)"
            )
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def measured_campaign():
    from django.utils import timezone

    from xuanpei.publicity.models import Campaign

    today = timezone.localdate()
    return (
        Campaign.objects.filter(name=MEASURED_CAMPAIGN, end_date__lte=today)
        .order_by("-year")
        .first()
    )


def hand_matrix(campaign, root) -> dict:
    rows = _sql(
        HAND_SQL_MATRIX,
        {
            "len": len(root.path) + 4,
            "campaign": campaign.pk,
            "start": campaign.start_date,
            "end": campaign.end_date,
        },
    )
    return {r.pop("branch"): {k: int(v or 0) for k, v in r.items()} for r in rows}


def platform_matrix(campaign, root, admin) -> dict:
    from xuanpei.publicity import coverage
    from xuanpei.publicity.models_ledger import Activity

    m = coverage.campaign_matrix(campaign, root, scope_qs=Activity.objects.for_user(admin, "view"))
    out = {}
    for row in m.rows:
        if row.total.count:
            out[row.unit.path] = {"total": row.total.count} | {
                v: c.count for (v, _l), c in zip(m.columns, row.cells, strict=True)
            }
    return out


def hand_month(year: int) -> dict:
    rows = _sql(HAND_SQL_MONTH, {"start": date(year, 1, 1), "end": date(year, 12, 31)})
    return {int(r["month"]): (int(r["n"]), int(r["reach"])) for r in rows}


def platform_month(year: int, admin) -> dict:
    from xuanpei.publicity import rollups

    rows = rollups.by_month(rollups.year_activities(admin, year), year)
    return {m: (r.count, r.reach) for m, r in enumerate(rows, 1) if r.count}


def _compare(name, platform_fn, hand_fn, repeat):
    times = {"platform": [], "sql": []}
    answers = {}
    for i in range(repeat + 1):  # the first round warms both up
        for key, fn in (("platform", platform_fn), ("sql", hand_fn)):
            t = time.perf_counter()
            answers[key] = _guarded(fn)
            if i:
                times[key].append(time.perf_counter() - t)
    if answers["platform"] != answers["sql"]:
        raise AssertionError(f"{name}: platform {answers['platform']} ≠ SQL {answers['sql']}")
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "platform_s": med["platform"],
        "sql_s": med["sql"],
        "ratio": med["platform"] / med["sql"] if med["sql"] else None,
        "runs": times,
        "answer": answers["sql"],
    }


def explain(campaign, root) -> dict:
    """The plans PostgreSQL chose for both hand-written queries (evidence for indexes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    out = {}
    with connection.cursor() as cursor:
        for name, sql, params in (
            (
                "matrix",
                HAND_SQL_MATRIX,
                {
                    "len": len(root.path) + 4,
                    "campaign": campaign.pk,
                    "start": campaign.start_date,
                    "end": campaign.end_date,
                },
            ),
            (
                "month",
                HAND_SQL_MONTH,
                {"start": date(campaign.year, 1, 1), "end": date(campaign.year, 12, 31)},
            ),
        ):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            out[name] = "\n".join(r[0] for r in cursor.fetchall())
    return out


def measure(*, repeat: int = 5, timeout: float = 120.0) -> dict:
    from django.urls import reverse

    from xuanpei.orgs.models import Unit

    set_statement_timeout(timeout)
    admin = district_admin()
    if admin is None:
        raise RuntimeError("no district admin in the bench database")
    root = Unit.objects.get_first_root_node()
    campaign = measured_campaign()
    result: dict = {"campaign": f"{campaign.year} {campaign.name}"}
    try:
        result["matrix"] = _compare(
            "matrix",
            lambda: platform_matrix(campaign, root, admin),
            lambda: hand_matrix(campaign, root),
            repeat,
        )
        result["month"] = _compare(
            "month",
            lambda: platform_month(campaign.year, admin),
            lambda: hand_month(campaign.year),
            repeat,
        )
    except TimedOut as exc:
        result["failed"] = str(exc)
        return result
    result["explain"] = explain(campaign, root)
    pages = {
        "coverage_page": reverse("publicity:campaign_coverage", args=[campaign.pk]),
        "rollup_month_page": reverse("publicity:rollup") + f"?year={campaign.year}&table=month",
        "rollup_page": reverse("publicity:rollup") + f"?year={campaign.year}",
    }
    for key, url in pages.items():
        try:
            result[key] = _guarded(lambda url=url: _time_page(admin, url, repeat))
        except Exception as exc:  # a failing page must not lose the other figures
            result[key] = {"error": f"{url} failed: {type(exc).__name__}: {exc}"[:300]}
    return result


def _ms(seconds) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:,.1f} ms"


def summarize(result: dict) -> list[dict]:
    c = result["counts"]
    size = f"{c['activities']:,} activities / {c['media_posts']:,} media posts"
    where = f"{size} → {result['db']}"
    lines = []
    if result.get("failed"):
        return [
            {
                "measure": f"publicity coverage matrix, {where}",
                "limit": "—",
                "ours": result["failed"],
                "ratio": None,
                "target": f"≤ {RATIO_TARGET}× SQL",
                "pass": False,
            }
        ]
    for key, label in (
        ("matrix", f"publicity coverage matrix ({result['campaign']}, 新城 × 五进)"),
        ("month", "publicity district roll-up by month"),
    ):
        r = result[key]
        lines.append(
            {
                "measure": f"{label}, {where}",
                "limit": f"{_ms(r['sql_s'])} (hand-written SQL, one aggregate)",
                "ours": f"{_ms(r['platform_s'])} (publicity.{'coverage' if key == 'matrix' else 'rollups'})",
                "ratio": r["ratio"],
                "target": f"≤ {RATIO_TARGET}× SQL",
                "pass": r["ratio"] is not None and r["ratio"] <= RATIO_TARGET,
            }
        )
    for key, label, target in (
        ("coverage_page", "publicity campaign coverage page", True),
        ("rollup_month_page", "publicity roll-up page (month table)", True),
        ("rollup_page", "publicity roll-up page (all seven tables, info)", False),
    ):
        page = result.get(key) or {}
        ok = "median_s" in page
        lines.append(
            {
                "measure": f"{label} as district admin, {where}",
                "limit": "—",
                "ours": f"{_ms(page['median_s'])} ({page['url']})" if ok else page.get("error"),
                "ratio": None,
                "target": f"≤ {PAGE_TARGET_MS:.0f} ms" if target else "(info)",
                "pass": (page["median_s"] * 1000 <= PAGE_TARGET_MS if ok else False)
                if target
                else None,
            }
        )
    return lines
