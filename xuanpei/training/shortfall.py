"""Hours per person against the legal minimums, in SQL (issue #12 §5).

`rules.check_year` is the law for one person in plain Python; this module asks
the same question of the database for everyone in a viewer's scope at once, in
one SQL statement (a chain of CTEs over workforce posts, enterprises, sectors,
sessions and attendance). The minimums are not repeated here: the CASE
expressions are generated from `minimums.MINIMUMS` through `rules.minimum_for`,
so editing the table changes both paths. A randomised test holds the two paths
equal person by person (tests/test_shortfall.py).

What the statement computes, for a year:
- every workforce post of the people concerned, its group (`rules.group_of_post_type`),
  sector class (`rules.sector_class`: the 行业领域 高危 flag, then construction) and
  the table row's initial/yearly hours;
- for each post held in the year, initial or yearly exactly as `rules.is_initial`
  decides it (an earlier post of the same group — any employer for managers, the
  same employer for staff — with an initial minimum at least as high makes it yearly);
- per person: the strictest requirement of the year (a tie reported as initial),
  and the hours credited (attendance of sessions starting in the year, local time);
- one row per person, placed at the *deciding* post: the strictest of their posts
  inside the viewer's scope (ties: initial first, then the lowest post id). A person
  is counted once, under that post's enterprise, sector and 属地.

The requirement reads all of a person's posts (the law is the person's), the
rows shown only people with a post in the viewer's scope (`Post.objects.for_user`):
an enterprise account sees its own people only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from xuanpei.training.choices import InitialScope, SectorClass, TrainingGroup, TrainingKind
from xuanpei.training.minimums import (
    CONSTRUCTION_SECTOR_CODES,
    MANAGER_POST_TYPES,
    MINIMUMS,
)
from xuanpei.training.rules import minimum_for

ZERO = Decimal(0)
TENTH = Decimal("0.1")
BY = ("enterprise", "sector", "unit")
_WORD = re.compile(r"[a-z_]+")


@dataclass(frozen=True)
class Filters:
    """What the page narrows to; every filter applies to the deciding post."""

    year: int
    group: str = ""  # TrainingGroup value, or "" for both
    enterprise_id: int | None = None
    sector_id: int | None = None
    unit_path: str = ""  # 属地 subtree


@dataclass(frozen=True)
class Row:
    person_id: int
    post_id: int
    enterprise_id: int
    post_type_id: str
    group: str
    kind: str
    required: Decimal
    credited: Decimal
    shortfall: Decimal
    name: str = ""
    enterprise: str = ""
    post_type: str = ""


@dataclass(frozen=True)
class Total:
    key: object  # enterprise id, sector id or unit path
    people: int
    below: int
    required: Decimal
    credited: Decimal
    shortfall: Decimal
    label: str = ""


# SQL pieces generated from the table ------------------------------------------------


def _lit(word: str) -> str:
    if not _WORD.fullmatch(word):  # constants of this app only: never user input
        raise ValueError(word)
    return f"'{word}'"


def _num(hours: Decimal) -> str:
    return format(Decimal(hours).quantize(TENTH), "f")


def _in(words) -> str:
    return ", ".join(_lit(w) for w in sorted(words))


def _manager_sql(post: str) -> str:
    """`rules.group_of_post_type(...) == MANAGER` over a post row, as a boolean."""
    return f"{post}.post_type_id IN ({_in(MANAGER_POST_TYPES)})"


def _class_conditions(sector: str) -> list[tuple[str, str]]:
    """`rules.sector_class` over a sector row: (condition, class) in its order."""
    return [
        (f"{sector}.high_risk", SectorClass.HIGH_RISK),
        (f"{sector}.code IN ({_in(CONSTRUCTION_SECTOR_CODES)})", SectorClass.CONSTRUCTION),
    ]


def _table_case(post: str, sector: str, pick, table=MINIMUMS) -> str:
    """CASE over a post's group and its sector's class, the value `pick(row)` of the row
    `rules.minimum_for` resolves for that pair (fallbacks included)."""

    def by_class(group: str) -> str:
        branches = [
            f"WHEN {cond} THEN {pick(minimum_for(group, klass, table))}"
            for cond, klass in _class_conditions(sector)
        ]
        general = pick(minimum_for(group, SectorClass.GENERAL, table))
        return f"CASE {' '.join(branches)} ELSE {general} END"

    return (
        f"CASE WHEN {_manager_sql(post)} THEN {by_class(TrainingGroup.MANAGER)} "
        f"ELSE {by_class(TrainingGroup.STAFF)} END"
    )


def _bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


# Scope and filters -------------------------------------------------------------------


def _held_q(year: int) -> Q:
    return (Q(start_date__isnull=True) | Q(start_date__lte=date(year, 12, 31))) & (
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


def _filter_q(f: Filters) -> Q:
    q = Q()
    if f.group == TrainingGroup.MANAGER:
        q &= Q(post_type_id__in=MANAGER_POST_TYPES)
    elif f.group == TrainingGroup.STAFF:
        q &= ~Q(post_type_id__in=MANAGER_POST_TYPES)
    if f.enterprise_id:
        q &= Q(enterprise_id=f.enterprise_id)
    if f.sector_id:
        q &= Q(enterprise__sector_id=f.sector_id)
    if f.unit_path:
        q &= Q(enterprise__unit__path__startswith=f.unit_path)
    return q


def _compiled(qs) -> tuple[str, list]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


def _p(value):
    """A raw-SQL parameter adapted to the backend (SQLite stores text)."""
    ops = connection.ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    return value


def _year_bounds(year: int):
    tz = timezone.get_current_timezone()
    t0 = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min), tz)
    t1 = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min), tz)
    return date(year, 1, 1), date(year, 12, 31), t0, t1


# The statement ----------------------------------------------------------------------


def base_sql(user, f: Filters) -> tuple[str, list] | None:
    """The per-person statement: columns person_id, post_id, enterprise_id,
    grp, kind, required, credited, shortfall, sector_id, unit_path.
    None when the viewer's scope holds no post at all."""
    from xuanpei.workforce.models import Post

    scoped = Post.objects.for_user(user, "view").order_by()
    if scoped.query.is_empty():
        return None
    whole = not scoped.query.where  # the district: no scope condition at all
    narrowed = bool(_filter_q(f))
    y0, y1, t0, t1 = _year_bounds(f.year)
    params: list = []

    # People concerned: a post in scope, matching the filters, held in the year.
    person_filter, person_sql, person_params = "", "", []
    if not whole or narrowed:
        person_sql, person_params = _compiled(
            scoped.filter(_held_q(f.year), _filter_q(f)).values("person_id")
        )
        person_filter = f"WHERE p.person_id IN ({person_sql})"
        params += person_params
    # Every post of those people (earlier ones decide initial or yearly), rated.
    person_scope = _table_case("p", "s", lambda m: _bool(m.initial_scope == InitialScope.PERSON))
    rated = f"""
rated AS (
  SELECT p.id, p.person_id, p.enterprise_id, p.start_date, p.end_date,
         {_manager_sql("p")} AS mgr,
         {_table_case("p", "s", lambda m: _num(m.initial_hours))} AS ih,
         {_table_case("p", "s", lambda m: _num(m.yearly_hours))} AS yh,
         {person_scope} AS by_person
    FROM workforce_post p
    JOIN orgs_enterprise e ON e.id = p.enterprise_id
    JOIN orgs_sector s ON s.id = e.sector_id
  {person_filter}
)"""
    held = """
held AS (
  SELECT r.* FROM rated r
   WHERE (r.start_date IS NULL OR r.start_date <= %s)
     AND (r.end_date IS NULL OR r.end_date >= %s)
)"""
    params += [_p(y1), _p(y0)]
    # Posts beginning in the year that an earlier post makes yearly (rules.is_initial).
    blocked = """
blocked AS (
  SELECT h.id FROM held h
   WHERE h.start_date >= %s AND h.start_date <= %s
     AND EXISTS (
       SELECT 1 FROM rated o
        WHERE o.person_id = h.person_id AND o.id <> h.id AND o.mgr = h.mgr
          AND (h.by_person OR o.enterprise_id = h.enterprise_id)
          AND (o.start_date IS NULL OR o.start_date < h.start_date)
          AND o.ih >= h.ih)
)"""
    params += [_p(y0), _p(y1)]
    new_in_year = "h.start_date >= %s AND h.start_date <= %s AND b.id IS NULL"
    req = f"""
req AS (
  SELECT h.id, h.person_id, h.enterprise_id, h.mgr,
         CASE WHEN {new_in_year} THEN 1 ELSE 0 END AS initial,
         CASE WHEN {new_in_year} THEN h.ih ELSE h.yh END AS hours
    FROM held h LEFT JOIN blocked b ON b.id = h.id
)"""
    params += [_p(y0), _p(y1), _p(y0), _p(y1)]
    # The deciding post: the strictest in scope. The person's requirement is the
    # strictest of all their posts (windows over every post, in scope or not).
    if whole:
        scope_flag, person_cols = "1", ""
    else:
        sql, ps = _compiled(scoped.filter(_held_q(f.year)).values("pk"))
        scope_flag = f"CASE WHEN r.id IN ({sql}) THEN 1 ELSE 0 END"
        params += ps
        person_cols = """,
         MAX(r.hours) OVER (PARTITION BY r.person_id) AS required,
         MAX(CASE WHEN r.initial = 1 THEN r.hours END)
             OVER (PARTITION BY r.person_id) AS initial_max"""
    order = "r.in_scope DESC, r.hours DESC, r.initial DESC, r.id"
    cols = "r.id, r.person_id, r.enterprise_id, r.mgr, r.hours, r.initial, r.in_scope"
    if connection.vendor == "postgresql":  # one sort, no window over every row
        pick = f"SELECT DISTINCT ON (r.person_id) {cols}, 1 AS rn{person_cols}"
        tail = f"ORDER BY r.person_id, {order}"
    else:
        pick = (
            f"SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY r.person_id ORDER BY {order})"
            f" AS rn{person_cols}"
        )
        tail = ""
    deciding = f"""
flagged AS (
  SELECT r.*, {scope_flag} AS in_scope FROM req r
),
deciding AS (
  {pick}
    FROM flagged r {tail}
)"""
    ctes = [rated, held, blocked, req, deciding]
    if whole:
        required, initial_max = "d.hours", "CASE WHEN d.initial = 1 THEN d.hours END"
    else:
        required, initial_max = "d.required", "d.initial_max"
    # The same people, from the base tables: the planner estimates their number (an
    # enterprise: index look-ups by person; a new town: one hash join over the year).
    credited_filter = f"AND a.person_id IN ({person_sql})" if person_sql else ""
    ctes.append(f"""
credited AS (
  SELECT a.person_id, ROUND(SUM(a.hours_credited), 1) AS hours
    FROM training_attendance a
    JOIN training_trainingsession t ON t.id = a.session_id
   WHERE t.starts_at >= %s AND t.starts_at < %s {credited_filter}
   GROUP BY a.person_id
)""")
    params += [_p(t0), _p(t1), *person_params]
    where, wparams = _final_where(f)
    params += wparams
    manager, staff = _lit(TrainingGroup.MANAGER), _lit(TrainingGroup.STAFF)
    final = f"""
SELECT d.person_id, d.id AS post_id, d.enterprise_id,
       CASE WHEN d.mgr THEN {manager} ELSE {staff} END AS grp,
       CASE WHEN {initial_max} = {required} THEN {_lit(TrainingKind.INITIAL)}
            ELSE {_lit(TrainingKind.YEARLY)} END AS kind,
       {required} AS required, COALESCE(c.hours, 0) AS credited,
       CASE WHEN {required} > COALESCE(c.hours, 0) THEN {required} - COALESCE(c.hours, 0)
            ELSE 0 END AS shortfall,
       e.sector_id, u.path AS unit_path
  FROM deciding d
  JOIN orgs_enterprise e ON e.id = d.enterprise_id
  JOIN orgs_unit u ON u.id = e.unit_id
  LEFT JOIN credited c ON c.person_id = d.person_id
 WHERE d.rn = 1 AND d.in_scope = 1 {where}"""
    return "WITH " + ",".join(ctes) + final, params


def _final_where(f: Filters) -> tuple[str, list]:
    parts, params = [], []
    if f.group:
        parts.append(("" if f.group == TrainingGroup.MANAGER else "NOT ") + "d.mgr")
    if f.enterprise_id:
        parts.append("d.enterprise_id = %s")
        params.append(int(f.enterprise_id))
    if f.sector_id:
        parts.append("e.sector_id = %s")
        params.append(int(f.sector_id))
    if f.unit_path:
        parts.append("u.path LIKE %s")
        params.append(f.unit_path.replace("%", "").replace("_", "") + "%")
    return "".join(f" AND {p}" for p in parts), params


def _dec(value) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value.quantize(TENTH)
    return Decimal(str(round(float(value), 1))).quantize(TENTH)


# Reading ------------------------------------------------------------------------------


def rows(
    user,
    f: Filters,
    *,
    below_only: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[Row]:
    """People of the viewer's scope, largest shortfall first, with names."""
    built = base_sql(user, f)
    if built is None:
        return []
    sql, params = built
    where = "WHERE b.shortfall > 0" if below_only else ""
    page = ""
    if limit is not None:
        page = "LIMIT %s OFFSET %s"
    sql = f"""
SELECT b.person_id, b.post_id, b.enterprise_id, po.post_type_id, b.grp, b.kind, b.required,
       b.credited, b.shortfall, pn.name, en.name, pt.name
  FROM ({sql}) b
  JOIN workforce_person pn ON pn.id = b.person_id
  JOIN orgs_enterprise en ON en.id = b.enterprise_id
  JOIN workforce_post po ON po.id = b.post_id
  JOIN workforce_posttype pt ON pt.code = po.post_type_id
 {where}
 ORDER BY b.shortfall DESC, b.enterprise_id, b.person_id
 {page}"""
    if limit is not None:
        params = [*params, int(limit), int(offset)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            Row(
                person_id=r[0],
                post_id=r[1],
                enterprise_id=r[2],
                post_type_id=r[3],
                group=r[4],
                kind=r[5],
                required=_dec(r[6]),
                credited=_dec(r[7]),
                shortfall=_dec(r[8]),
                name=r[9],
                enterprise=r[10],
                post_type=r[11],
            )
            for r in cursor.fetchall()
        ]


@dataclass(frozen=True)
class Breakdown:
    """Every table of the page from one statement: the grand total and the totals per
    enterprise, sector and 属地 unit (each most people below first)."""

    total: Total
    by_enterprise: list[Total]
    by_sector: list[Total]
    by_unit: list[Total]


def breakdown(user, f: Filters, *, unit_depth: int | None = None) -> Breakdown:
    """People, people below their minimum and hours required / credited / missing,
    counted per enterprise in SQL and rolled up per sector, per unit (the 属地 subtree at
    `unit_depth`, the tree level; an enterprise sitting higher keeps its own unit) and
    in all: an enterprise has one sector and one unit, so the sums are exact."""
    built = base_sql(user, f)
    empty = Total(None, 0, 0, ZERO, ZERO, ZERO)
    if built is None:
        return Breakdown(empty, [], [], [])
    sql, params = built
    sql = f"""
SELECT b.enterprise_id, b.sector_id, b.unit_path, COUNT(*),
       SUM(CASE WHEN b.shortfall > 0 THEN 1 ELSE 0 END),
       SUM(b.required), SUM(b.credited), SUM(b.shortfall)
  FROM ({sql}) b
 GROUP BY b.enterprise_id, b.sector_id, b.unit_path"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    width = 4 * int(unit_depth or 1)  # orgs.Unit.steplen
    sums: dict[str, dict] = {"enterprise": {}, "sector": {}, "unit": {}, "all": {}}
    for ent, sector, path, people, below, required, credited, missing in found:
        line = (people, int(below or 0), _dec(required), _dec(credited), _dec(missing))
        for by, key in (
            ("enterprise", ent),
            ("sector", sector),
            ("unit", path[:width]),
            ("all", None),
        ):
            old = sums[by].get(key)
            sums[by][key] = (
                line if old is None else tuple(a + b for a, b in zip(old, line, strict=True))
            )

    def ordered(by: str) -> list[Total]:
        out = [Total(k, *v) for k, v in sums[by].items()]
        out.sort(key=lambda t: (-t.below, -t.people, str(t.key)))
        return _labelled(out, by)

    total = Total(None, *sums["all"][None]) if sums["all"] else empty
    return Breakdown(total, ordered("enterprise"), ordered("sector"), ordered("unit"))


def totals(user, f: Filters, by: str, *, unit_depth: int | None = None) -> list[Total]:
    """One table of `breakdown` ("enterprise", "sector" or "unit")."""
    if by not in BY:
        raise ValueError(by)
    return getattr(breakdown(user, f, unit_depth=unit_depth), f"by_{by}")


def grand_total(user, f: Filters) -> Total:
    """One line for everything the filters keep (the sum of any of the breakdowns)."""
    return breakdown(user, f).total


def _labelled(out: list[Total], by: str) -> list[Total]:
    from dataclasses import replace

    from xuanpei.orgs.models import Enterprise, Sector, Unit

    keys = [t.key for t in out]
    if by == "enterprise":
        names = dict(Enterprise.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif by == "sector":
        names = dict(Sector.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        names = dict(Unit.objects.filter(path__in=keys).values_list("path", "name"))
    return [replace(t, label=names.get(t.key, str(t.key))) for t in out]


# Freshness of cached answers ----------------------------------------------------------

GENERATION_KEY = "training:shortfall:generation"


def data_version() -> tuple:
    """A cheap fingerprint of what the answers read: new attendance, posts or sessions
    change it at once (largest ids, sessions' last change); edits of existing rows
    through the ORM bump a generation counter (`bump`, connected to the models' save
    and delete signals). Pages cache their answers under it for a few minutes."""
    from django.core.cache import cache

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT MAX(id) FROM training_attendance),"
            " (SELECT MAX(id) FROM workforce_post),"
            " (SELECT MAX(updated_at) FROM training_trainingsession),"
            " (SELECT COUNT(*) FROM training_trainingsession)"
        )
        row = tuple(str(v) for v in cursor.fetchone())
    return (*row, cache.get(GENERATION_KEY, 0))


def bump(**kwargs) -> None:
    from django.core.cache import cache

    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from xuanpei.orgs.models import Enterprise, Sector
    from xuanpei.training.models import Attendance, TrainingSession
    from xuanpei.workforce.models import Person, Post

    for model in (Attendance, TrainingSession, Post, Person, Enterprise, Sector):
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=model, dispatch_uid=f"shortfall-{model.__name__}")
