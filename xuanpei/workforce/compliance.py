"""持证率 (issue #3 §3): the numbers behind the compliance dashboard and its drill-down.

持证率 = compliant on-duty certified posts ÷ on-duty posts that require a
certificate, on a day, over the enterprises a user may see. Closed enterprises
are left out (an enterprise counts on day D when it is open, or closed after D).

Where the numbers come from (issue #3 performance target: the dashboard renders
in ≤ 500 ms at 1,000,000 people / 50,000 enterprises):

- **today and month-ends** read `ComplianceSnapshot` (one row per enterprise per
  day). `refresh_snapshots()` recomputes a day with ONE set-based
  ``INSERT … SELECT … ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite; other
  databases fall back to a bulk upsert). Today's rows are made by the daily job
  (`xuanpei refresh_compliance`, 01:30 in core.schedule); a past month-end is computed
  once, when first asked for.
- **any other day** is computed live from `PostQuerySet` — one GROUP BY query.

Who computes a missing snapshot day (issue #14 item 2): the system's own callers (the
assessment's scoring, commands) get the exact day, made inline (`inline=True`, the
default). A page never does — at 1,000,000 people the first render of a day took 28.6 s:
it reads the last snapshot day before the asked one (`page_reading`, "数据截至 …" on the
page), or computes that one day live when there is no snapshot at all, and queues one
background job (`compliance_refresh`, `queue_refresh`) that makes the missing days.

A day "has snapshots" when any row exists for it, so a partial refresh (some
enterprises, after an edit) only touches days that a full refresh already made:
it never leaves a half-filled day behind that readers would take as complete.
Writers that bypass model signals (bulk imports) call
`refresh_after_change(enterprise_ids=…, since=…)` after their commit.
"""

from __future__ import annotations

import calendar
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.ordering import name_order
from xuanpei.core.scoping import UserScope
from xuanpei.core.validators import mask_id_number
from xuanpei.orgs.models import Enterprise, Sector, Unit
from xuanpei.workforce import compliance_cache, rules
from xuanpei.workforce.choices import CertificateState, CertificateStatus
from xuanpei.workforce.models import Certificate, ComplianceSnapshot, Post

# Depths of the unit tree (treebeard depth: 区 = 1).
DEPTH_NEW_TOWN = 2
DEPTH_TOWN = 3

GROUP_CHOICES = ("new_town", "town", "unit", "sector", "department", "enterprise")

# How far ahead the due/expiring counts and lists look by default (issue #3 §3).
DEFAULT_WINDOW_DAYS = 90
TREND_POINTS = 12
# Non-month-end snapshot days older than this are pruned by `refresh_compliance`.
KEEP_DAILY_DAYS = 31
# The job kind that makes missing snapshot days for a page (registered in WorkforceConfig).
REFRESH_JOB_KIND = "compliance_refresh"
# After a page queued a day's refresh, other readers (any process: the cache is Redis in
# deployments) queue none for this long, even if the job already ended or failed.
REFRESH_GUARD_SECONDS = 15 * 60


# Rows ----------------------------------------------------------------------------------


@dataclass
class RateRow:
    """One group's counts (an enterprise, a sector, a unit…)."""

    key: object
    label: str
    required: int = 0
    compliant: int = 0
    url: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return rules.compliance_rate(self.compliant, self.required)

    @property
    def uncertified(self) -> int:
        return self.required - self.compliant


@dataclass
class ComplianceSummary:
    """The totals over a user's scope on a day, and the rows of one grouping."""

    on: date
    source: str  # "snapshot" or "live"
    required: int = 0
    compliant: int = 0
    rows: list[RateRow] = field(default_factory=list)
    # The snapshot day read when it is not `on` (a page while `on`'s are being made).
    as_of: date | None = None

    @property
    def data_day(self) -> date:
        return self.as_of or self.on

    @property
    def rate(self) -> float | None:
        return rules.compliance_rate(self.compliant, self.required)

    @property
    def uncertified(self) -> int:
        return self.required - self.compliant


# Dates ---------------------------------------------------------------------------------


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def trend_days(on: date, points: int = TREND_POINTS) -> list[date]:
    """The `points` month-ends up to `on` (the month-end before it when `on` is mid-month),
    oldest first; `on` itself closes the series when it is not a month-end."""
    last = on if is_month_end(on) else on.replace(day=1) - timedelta(days=1)
    days = [last]
    while len(days) < points:
        days.append(days[-1].replace(day=1) - timedelta(days=1))
    days.reverse()
    if days[-1] != on:
        days = days[1:] + [on]
    return days


# Open enterprises ----------------------------------------------------------------------


def open_on_q(on: date, prefix: str = "enterprise") -> Q:
    """Enterprises counted on day `on`: open, or closed only after that day."""
    return Q(**{f"{prefix}__is_active": True}) | Q(**{f"{prefix}__closed_at__gt": on})


def _open_on_snapshot_day_q() -> Q:
    """The same for snapshot rows, each on its own day (for the multi-day trend query)."""
    return Q(enterprise__is_active=True) | Q(enterprise__closed_at__gt=F("on"))


# Snapshots: writing ----------------------------------------------------------------------


def snapshot_days(days: Iterable[date]) -> set[date]:
    """Which of `days` already have snapshot rows, in one query.

    Per day, the first snapshot day on or after it (`min(on) WHERE on >= day`) equals
    it: a MIN/MAX query is always answered from the (on, enterprise) index, one
    entry. An `EXISTS (… WHERE on = day)` probe was not: the planner, taking the rows
    of a day to be spread evenly over the table, seq-scanned for the first one —
    the whole table for a missing day (0.1 s per dashboard view at scale 10). A
    `SELECT DISTINCT on … WHERE on IN (…)` read every row of those days.
    """
    days = list(days)
    if not days:
        return set()
    table = connection.ops.quote_name(ComplianceSnapshot._meta.db_table)
    column = connection.ops.quote_name("on")
    probe = f"SELECT %s WHERE (SELECT MIN({column}) FROM {table} WHERE {column} >= %s) = %s"
    sql = " UNION ALL ".join([probe] * len(days))
    params = [
        p
        for i, day in enumerate(days)
        for p in (i, *[connection.ops.adapt_datefield_value(day)] * 2)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {days[row[0]] for row in cursor.fetchall()}


def refresh_snapshots(enterprise_ids: Iterable[int] | None = None, on: date | None = None) -> int:
    """Recompute the snapshot of day `on` (default today); returns the rows written.

    All enterprises: one ``INSERT … SELECT`` upsert of the per-enterprise aggregate,
    then the rows of enterprises that no longer have any certified post are
    deleted. With `enterprise_ids`, only those enterprises, and only on a day that
    already has snapshots (see the module docstring).
    """
    on = on or timezone.localdate()
    ids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    if ids is not None and (not ids or not snapshot_days([on])):
        return 0
    posts = Post.objects.all()
    if ids is not None:
        posts = posts.filter(enterprise_id__in=ids)
    aggregate = posts.compliance_by(on, "enterprise_id")
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor in ("postgresql", "sqlite"):
            written = _upsert_sql(aggregate, on, now)
        else:
            written = _upsert_bulk(aggregate, on, now)
        stale = ComplianceSnapshot.objects.filter(on=on, computed_at__lt=now)
        if ids is not None:
            stale = stale.filter(enterprise_id__in=ids)
        stale.delete()
        compliance_cache.snapshots_changed()
    return written


def _upsert_sql(aggregate: QuerySet, on: date, now) -> int:
    table = ComplianceSnapshot._meta.db_table
    q = connection.ops.quote_name
    select_sql, select_params = aggregate.query.sql_with_params()
    # "WHERE true" lets SQLite tell the upsert's ON CONFLICT from a join's ON.
    sql = (
        f"INSERT INTO {q(table)} ({q('enterprise_id')}, {q('required')}, {q('compliant')}, "
        f"{q('on')}, {q('computed_at')}) "
        f"SELECT agg.enterprise_id, agg.required, agg.compliant, %s, %s "
        f"FROM ({select_sql}) agg WHERE true "
        f"ON CONFLICT ({q('enterprise_id')}, {q('on')}) DO UPDATE SET "
        f"{q('required')} = excluded.{q('required')}, "
        f"{q('compliant')} = excluded.{q('compliant')}, "
        f"{q('computed_at')} = excluded.{q('computed_at')}"
    )
    params = (
        connection.ops.adapt_datefield_value(on),
        connection.ops.adapt_datetimefield_value(now),
        *select_params,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _upsert_bulk(aggregate: QuerySet, on: date, now) -> int:
    rows = [
        ComplianceSnapshot(
            enterprise_id=r["enterprise_id"],
            on=on,
            required=r["required"],
            compliant=r["compliant"],
            computed_at=now,
        )
        for r in aggregate
    ]
    ComplianceSnapshot.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["enterprise", "on"],
        update_fields=["required", "compliant", "computed_at"],
    )
    return len(rows)


def ensure_snapshots(days: Iterable[date]) -> set[date]:
    """Make the snapshots of `days` up to today that are missing; returns the days that
    have snapshots afterwards. Future days are never stored (they would go stale)."""
    today = timezone.localdate()
    days = sorted(set(days))
    have = snapshot_days(days)
    for day in days:
        if day not in have and day <= today:
            refresh_snapshots(on=day)
            have.add(day)
    return have


def refresh_after_change(enterprise_ids: Iterable[int], since: date | None = None) -> int:
    """After a write: recompute these enterprises on today and on the stored days ≥ `since`
    where they have rows (a backdated post or certificate changes past month-ends too).
    One small query per day, each on these enterprises only."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    today = timezone.localdate()
    days = {today}
    if since is not None and since < today:
        days |= set(
            ComplianceSnapshot.objects.filter(enterprise_id__in=ids, on__gte=since, on__lt=today)
            .order_by()
            .values_list("on", flat=True)
            .distinct()
        )
    return sum(refresh_snapshots(ids, on=day) for day in sorted(days))


def prune_snapshots(keep_daily_days: int = KEEP_DAILY_DAYS) -> int:
    """Delete non-month-end days older than `keep_daily_days` (the trend keeps month-ends)."""
    cutoff = timezone.localdate() - timedelta(days=keep_daily_days)
    old_days = (
        ComplianceSnapshot.objects.filter(on__lt=cutoff)
        .order_by()
        .values_list("on", flat=True)
        .distinct()
    )
    doomed = [d for d in old_days if not is_month_end(d)]
    if not doomed:
        return 0
    deleted, _ = ComplianceSnapshot.objects.filter(on__in=doomed).delete()
    compliance_cache.snapshots_changed()
    return deleted


# Keeping snapshots fresh after single edits (pages, API, services) ---------------------

_pending = threading.local()


def note_change(*, enterprise_ids: Iterable[int] = (), holder_ids: Iterable[int] = ()) -> None:
    """Queue enterprises (or certificate holders) for `refresh_after_change` on commit.

    Called by the post/certificate signal handlers, without a query: edits inside
    one transaction (a row-by-row import) are refreshed together, once, after the
    commit, on every stored day (a backdated post or certificate changes past
    month-ends too; one enterprise's day is one small indexed query).
    """
    queue = getattr(_pending, "queue", None)
    if queue is None:
        queue = _pending.queue = {"enterprises": set(), "holders": set()}
    queue["enterprises"].update(i for i in enterprise_ids if i)
    queue["holders"].update(i for i in holder_ids if i)
    # The cached readings (certificates due, rankings) are stale for this transaction
    # now, and for everyone once the flush below has run after the commit.
    compliance_cache.COMPLIANCE.new_generation()
    # One callback per change: the first to run empties the queue, the others find
    # nothing to do. (Registering only once would lose the queue when the savepoint
    # that registered it rolls back.) Outside a transaction it runs at once.
    transaction.on_commit(_flush_changes)


def _flush_changes() -> None:
    queue = getattr(_pending, "queue", None)
    _pending.queue = None
    if not queue:
        return
    compliance_cache.snapshots_changed()  # even when no snapshot day is rewritten
    ids = set(queue["enterprises"])
    if queue["holders"]:
        # A certificate covers its holder's posts wherever they work, not only at
        # the enterprise that registered it.
        ids |= set(
            Post.objects.filter(person_id__in=queue["holders"]).values_list(
                "enterprise_id", flat=True
            )
        )
    refresh_after_change(ids, since=date.min)


def on_post_change(sender, instance, **kwargs) -> None:
    """post_save/post_delete of a Post → refresh its enterprise's snapshots."""
    if not kwargs.get("raw"):
        note_change(enterprise_ids=[instance.enterprise_id])


def on_certificate_change(sender, instance, **kwargs) -> None:
    """post_save/post_delete of a Certificate → refresh its holder's enterprises."""
    if not kwargs.get("raw"):
        note_change(enterprise_ids=[instance.enterprise_id], holder_ids=[instance.holder_id])


def connect_signals() -> None:
    """Called from WorkforceConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        signal.connect(on_post_change, sender=Post, dispatch_uid=f"compliance-post-{signal}")
        signal.connect(
            on_certificate_change, sender=Certificate, dispatch_uid=f"compliance-cert-{signal}"
        )


# Reading -------------------------------------------------------------------------------


def is_snapshot_day(on: date) -> bool:
    """Today and past month-ends are kept as snapshots; other days are computed live."""
    today = timezone.localdate()
    return on == today or (on < today and is_month_end(on))


def source_for(on: date, *, inline: bool = True) -> str:
    """'snapshot' when the day is (or, `inline`, can be made) a snapshot day, else 'live'.

    `inline` (the system's callers): a missing snapshot of today or a past month-end is
    made now, in the caller. Pages pass False — or better use `page_reading`, which
    also queues the refresh and falls back to the last snapshot day.
    """
    if inline and is_snapshot_day(on):
        ensure_snapshots([on])
        return "snapshot"
    return "snapshot" if snapshot_days([on]) else "live"


@dataclass(frozen=True)
class Reading:
    """What a page shows for an asked day: the day read (`day`) and from where (`source`)."""

    asked: date
    day: date
    source: str  # "snapshot" or "live"

    @property
    def stale(self) -> bool:
        """The numbers are of an earlier snapshot day ("数据截至 …" on the page)."""
        return self.day != self.asked


def last_snapshot_day(on: date) -> date | None:
    """The most recent snapshot day ≤ `on` (one backward step of the (on, enterprise) index)."""
    return (
        ComplianceSnapshot.objects.filter(on__lte=on)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )


def page_reading(on: date, *, user) -> Reading:
    """Where a page reads day `on` from, never computing a snapshot day in the request.

    A stored day is read as it is; a day that is never stored (not today, not a
    month-end) is computed live, one query, as before. A missing snapshot day (today
    before the daily job, a month-end nobody asked for yet) reads the last snapshot day
    before it; with no snapshot at all, that one day is computed live. The page's missing
    snapshot days — `on` and the month-ends of its trend — are queued in one refresh job
    for `user` (once, however many read them: `queue_refresh`).
    """
    days = trend_days(on)  # ends with `on`
    stored = snapshot_days(days)
    queue_refresh([d for d in days if d not in stored and is_snapshot_day(d)], user=user)
    if on in stored:
        return Reading(on, on, "snapshot")
    if not is_snapshot_day(on):
        return Reading(on, on, "live")
    last = last_snapshot_day(on)
    if last is None:
        return Reading(on, on, "live")
    return Reading(on, last, "snapshot")


def queue_refresh(days: Iterable[date], *, user):
    """Start one `compliance_refresh` job for the `days` (≤ today) not already queued.

    Many readers, one job: a day is left out while a pending or running refresh job
    holds it, or while another reader's claim on it (an atomic `cache.add`, shared by
    every process through Redis) is younger than REFRESH_GUARD_SECONDS. Returns the job,
    or None when there was nothing to queue.
    """
    from xuanpei.core import jobs
    from xuanpei.core.models import Job

    today = timezone.localdate()
    wanted = sorted({d for d in days if d <= today})
    if not wanted:
        return None
    # The claim first: the readers after the first one then cost no query at all.
    wanted = [d for d in wanted if cache.add(_refresh_key(d), 1, timeout=REFRESH_GUARD_SECONDS)]
    if not wanted:
        return None
    busy = set()  # another process's job (a per-process cache, no Redis, cannot tell)
    for params in Job.objects.filter(
        kind=REFRESH_JOB_KIND, status__in=(Job.Status.PENDING, Job.Status.RUNNING)
    ).values_list("params", flat=True):
        busy.update(params.get("days", []))
    wanted = [d for d in wanted if d.isoformat() not in busy]
    if not wanted:
        return None
    return jobs.start_job(
        kind=REFRESH_JOB_KIND, user=user, params={"days": [d.isoformat() for d in wanted]}
    )


def _refresh_key(day: date) -> str:
    return f"workforce:compliance-refresh:{day.isoformat()}"


def run_refresh_job(job, progress) -> dict:
    """Job handler "compliance_refresh": params {"days": ["YYYY-MM-DD", …]}.

    Makes each day's snapshots that are still missing (the daily job or another
    reader's job may have made them meanwhile); future days are never stored.
    """
    days = [date.fromisoformat(d) for d in job.params.get("days", [])]
    today = timezone.localdate()
    made = []
    for i, day in enumerate(days, start=1):
        if day <= today and not snapshot_days([day]):
            refresh_snapshots(on=day)
            made.append(day.isoformat())
        progress(i, len(days))
    return {"made": made}


def _base(user, on: date, source: str, *, unit=None, enterprise=None) -> QuerySet:
    """Scoped rows to aggregate: snapshot rows of day `on`, or live certified posts.
    `user` None is the whole district for the system's own reckoning (the assessment's
    scoring), never a person's view."""
    model = ComplianceSnapshot if source == "snapshot" else Post
    rows = model.objects.all() if user is None else model.objects.for_user(user, "view")
    qs = rows.filter(open_on_q(on))
    if source == "snapshot":
        qs = qs.filter(on=on)
    if unit is not None:
        qs = qs.filter(enterprise__unit__path__startswith=unit.path)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return qs


def _grouped(qs: QuerySet, on: date, source: str, fields: list[str], **annotations) -> QuerySet:
    """`required`/`compliant` per group of `fields`, from snapshots or live — one query."""
    if annotations:
        qs = qs.annotate(**annotations)
    if source == "snapshot":
        return (
            qs.order_by()
            .values(*fields)
            .annotate(required=Sum("required"), compliant=Sum("compliant"))
            .order_by(*fields)
        )
    return qs.compliance_by(on, *fields)


def _unit_path_expr(depth: int):
    return Substr("enterprise__unit__path", 1, Unit.steplen * depth)


def group_depth_for(user, unit: Unit | None = None) -> int | None:
    """The tree level a unit view groups by: the level below `unit` (or the user's unit).

    The district and departments see new towns; a new town its 镇街; a 镇街 has no
    level below where enterprises sit, so None (its view ranks enterprises instead).
    """
    if unit is None:
        scope = UserScope.of(user)
        if scope.enterprise_id:
            return None
        if scope.everything or scope.department_id:
            return DEPTH_NEW_TOWN
        unit = user.unit
    depth = unit.depth + 1
    return depth if depth <= DEPTH_TOWN else None


def compliance_summary(
    user,
    on: date | None = None,
    group_by: str | None = None,
    *,
    unit: Unit | None = None,
    enterprise: Enterprise | None = None,
    depth: int | None = None,
    source: str | None = None,
    inline: bool = True,
) -> ComplianceSummary:
    """持证率 over what `user` may see on day `on` (default today), optionally within `unit`
    (its subtree) or one `enterprise`, with rows per `group_by`:

    new_town / town / unit (children at `depth`), sector, department, enterprise.
    One aggregate query (plus, for today or a month-end, the snapshot-day check, which a
    page making several summaries does once and passes as `source`).

    `inline` False (a page, without `source`): a missing snapshot day is not made here;
    the summary is of the last snapshot day (`as_of`) while a job makes it (`page_reading`).
    """
    on = on or timezone.localdate()
    if group_by is not None and group_by not in GROUP_CHOICES:
        raise ValueError(f"group_by must be one of {GROUP_CHOICES}")
    asked = on
    if source is None and not inline:
        reading = page_reading(on, user=user)
        source, on = reading.source, reading.day
    source = source or source_for(on)
    if source != "snapshot":  # computed live from the records: never cached
        return _summarize(user, asked, on, source, group_by, unit, enterprise, depth)
    parts = (asked, on, group_by, unit and unit.pk, enterprise and enterprise.pk, depth)
    return compliance_cache.cached(
        "summary",
        user,
        parts,
        lambda: _summarize(user, asked, on, source, group_by, unit, enterprise, depth),
    )


def _summarize(user, asked, on, source, group_by, unit, enterprise, depth) -> ComplianceSummary:
    qs = _base(user, on, source, unit=unit, enterprise=enterprise)
    summary = ComplianceSummary(on=asked, source=source, as_of=on if on != asked else None)
    if group_by in ("new_town", "town", "unit"):
        depth = {"new_town": DEPTH_NEW_TOWN, "town": DEPTH_TOWN}.get(group_by, depth)
        rows = _grouped(qs, on, source, ["unit_path"], unit_path=_unit_path_expr(depth))
        summary.rows = _unit_rows(rows, depth)
    elif group_by == "sector":
        rows = _grouped(qs, on, source, ["enterprise__sector_id"])
        summary.rows = _sector_rows(rows)
    elif group_by == "department":
        # An enterprise supervised by two departments counts for each; the totals
        # are taken without this grouping.
        rows = _grouped(qs, on, source, ["enterprise__departments"])
        summary.rows = _department_rows(rows)
        _fill_totals(summary, qs, on, source)
        return summary
    elif group_by == "enterprise":
        rows = _grouped(qs, on, source, ["enterprise_id"])
        summary.rows = _enterprise_rows(rows)
    else:
        _fill_totals(summary, qs, on, source)
        return summary
    summary.required = sum(r.required for r in summary.rows)
    summary.compliant = sum(r.compliant for r in summary.rows)
    return summary


def _fill_totals(summary: ComplianceSummary, qs: QuerySet, on: date, source: str) -> None:
    if source == "snapshot":
        totals = qs.aggregate(required=Sum("required"), compliant=Sum("compliant"))
    else:
        totals = qs.compliance_totals(on)
    summary.required = totals["required"] or 0
    summary.compliant = totals["compliant"] or 0


def _unit_rows(rows, depth: int) -> list[RateRow]:
    counts = {r["unit_path"]: r for r in rows}
    units = {u.path: u for u in Unit.objects.filter(path__in=counts)}
    result = []
    for path, r in counts.items():
        unit = units.get(path)
        if unit is None:
            continue
        # Enterprises sitting at a higher level than the grouping (e.g. on a new
        # town itself when grouping by 镇街) form that unit's "本级" row.
        own_level = unit.depth < depth
        label = _("%(name)s（本级）") % {"name": unit.name} if own_level else unit.name
        result.append(
            RateRow(
                key=unit.pk,
                label=label,
                required=r["required"] or 0,
                compliant=r["compliant"] or 0,
                extra={"unit": unit, "own_level": own_level},
            )
        )
    result.sort(key=lambda row: row.extra["unit"].path)
    return result


def _sector_rows(rows) -> list[RateRow]:
    counts = {r["enterprise__sector_id"]: r for r in rows}
    sectors = Sector.objects.in_bulk(list(counts))
    result = [
        RateRow(
            key=pk,
            label=sectors[pk].name if pk in sectors else "—",
            required=r["required"] or 0,
            compliant=r["compliant"] or 0,
        )
        for pk, r in counts.items()
    ]
    result.sort(key=lambda row: (-(row.required or 0), row.label))
    return result


def _department_rows(rows) -> list[RateRow]:
    counts = {r["enterprise__departments"]: r for r in rows if r["enterprise__departments"]}
    departments = Unit.objects.in_bulk(list(counts))
    result = [
        RateRow(
            key=pk,
            label=departments[pk].name,
            required=r["required"] or 0,
            compliant=r["compliant"] or 0,
        )
        for pk, r in counts.items()
        if pk in departments
    ]
    result.sort(key=lambda row: row.label)
    return result


def _enterprise_rows(rows) -> list[RateRow]:
    counts = {r["enterprise_id"]: r for r in rows}
    names = dict(Enterprise.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    return [
        RateRow(key=pk, label=names.get(pk, ""), required=r["required"], compliant=r["compliant"])
        for pk, r in counts.items()
    ]


def enterprise_ranking(
    user, on: date | None = None, *, unit: Unit | None = None, source: str | None = None
) -> QuerySet:
    """Per-enterprise rows {enterprise_id, required, compliant, rate}, lowest rate first:
    a queryset, so a Paginator fetches one page (and counts) in SQL."""
    on = on or timezone.localdate()
    source = source or source_for(on)
    qs = _base(user, on, source, unit=unit)
    if source == "snapshot":
        rows = qs.filter(required__gt=0).values("enterprise_id", "required", "compliant")
    else:
        rows = qs.compliance_by(on, "enterprise_id")
    rate = ExpressionWrapper(F("compliant") * 1.0 / F("required"), output_field=FloatField())
    return rows.annotate(rate=rate).order_by("rate", "-required", "enterprise_id")


def ranking_page(user, on: date, *, unit: Unit | None, source: str, number, per_page: int) -> Page:
    """One page of `enterprise_ranking`; of a snapshot day, its count and rows are read
    once per scope (compliance_cache) instead of sorting the scope's snapshots per view."""
    rows = enterprise_ranking(user, on, unit=unit, source=source)
    paginator = Paginator(rows, per_page)
    if source != "snapshot":
        return paginator.get_page(number)
    parts = (on, unit.pk if unit is not None else None)
    paginator.count = compliance_cache.cached("ranking-count", user, parts, rows.count)
    page = paginator.get_page(number)
    page.object_list = compliance_cache.cached(
        "ranking-page", user, (*parts, page.number, per_page), lambda: list(page.object_list)
    )
    return page


def attach_enterprises(rows: Iterable[dict]) -> list[dict]:
    """Add `enterprise` (with its unit) to ranking rows of one page (one query)."""
    rows = list(rows)
    enterprises = Enterprise.objects.select_related("unit", "sector").in_bulk(
        [r["enterprise_id"] for r in rows]
    )
    for r in rows:
        r["enterprise"] = enterprises.get(r["enterprise_id"])
        r["rate_pct"] = rules.compliance_rate(r["compliant"], r["required"])
        r["uncertified"] = r["required"] - r["compliant"]
    return rows


def trend(
    user,
    on: date | None = None,
    *,
    unit=None,
    enterprise=None,
    points: int = TREND_POINTS,
    inline: bool = True,
) -> list[RateRow]:
    """持证率 at the month-ends up to `on` (and `on`): snapshots, made once when missing.

    `inline` False (pages): missing days are not made here (`page_reading` queued them)
    and show as gaps (no rate) until the job has made them.
    """
    on = on or timezone.localdate()
    days = trend_days(on, points)
    stored = ensure_snapshots(days) if inline else snapshot_days(days)
    if any(d not in stored and not is_snapshot_day(d) for d in days):  # a live point
        return _trend(user, days, stored, unit, enterprise)
    parts = (tuple(days), tuple(sorted(stored)), unit and unit.pk, enterprise and enterprise.pk)
    return compliance_cache.cached(
        "trend", user, parts, lambda: _trend(user, days, stored, unit, enterprise)
    )


def _trend(user, days: list[date], stored: set[date], unit, enterprise) -> list[RateRow]:
    snap_days = [d for d in days if d in stored]
    qs = ComplianceSnapshot.objects.for_user(user, "view").filter(
        _open_on_snapshot_day_q(), on__in=snap_days
    )
    if unit is not None:
        qs = qs.filter(enterprise__unit__path__startswith=unit.path)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    counts = {
        r["on"]: r
        for r in qs.order_by()
        .values("on")
        .annotate(required=Sum("required"), compliant=Sum("compliant"))
    }
    result = []
    for day in days:
        if day in stored:
            r = counts.get(day, {"required": 0, "compliant": 0})
            required, compliant = r["required"] or 0, r["compliant"] or 0
        elif is_snapshot_day(day):  # queued (a page): a gap until its snapshots are made
            required, compliant = 0, 0
        else:  # a future day, or a page's past mid-month day: computed live, never stored
            live = _base(user, day, "live", unit=unit, enterprise=enterprise).compliance_totals(day)
            required, compliant = live["required"], live["compliant"]
        label = f"{day:%Y-%m}" if is_month_end(day) else f"{day:%m-%d}"
        result.append(RateRow(key=day, label=label, required=required, compliant=compliant))
    return result


# Certificates due -----------------------------------------------------------------------


def due_certificates(user, on: date | None = None, days: int = DEFAULT_WINDOW_DAYS) -> QuerySet:
    """Current active certificates of open enterprises in scope whose review is due or
    which expire within `days` from `on` (the reminder lists)."""
    on = on or timezone.localdate()
    end = on + timedelta(days=days)
    return (
        Certificate.objects.for_user(user, "view")
        .current()
        .filter(open_on_q(on), state=CertificateState.ACTIVE)
        .filter(Q(review_due_date__range=(on, end)) | Q(valid_until__range=(on, end)))
    )


def due_counts(
    user, on: date | None = None, days: int = DEFAULT_WINDOW_DAYS, *, unit=None, enterprise=None
) -> dict:
    """{"review": n, "expiring": m} — both in one query over the partial indexes, once
    per scope until a certificate, post or enterprise changes (compliance_cache)."""
    on = on or timezone.localdate()
    parts = (on, days, getattr(unit, "pk", None), getattr(enterprise, "pk", None))
    return compliance_cache.cached(
        "due-counts",
        user,
        parts,
        lambda: _due_counts(user, on, days, unit, enterprise),
        model=Certificate,
    )


def _due_counts(user, on: date, days: int, unit, enterprise) -> dict:
    end = on + timedelta(days=days)
    qs = due_certificates(user, on, days)
    if unit is not None:
        qs = qs.filter(enterprise__unit__path__startswith=unit.path)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return qs.aggregate(
        review=Count("pk", filter=Q(review_due_date__range=(on, end))),
        expiring=Count("pk", filter=Q(valid_until__range=(on, end))),
    )


# Uncertified people ---------------------------------------------------------------------

REASONS = {
    "none": _("无证"),
    CertificateStatus.EXPIRED: _("证书已过期"),
    CertificateStatus.REVIEW_OVERDUE: _("逾期未复审（证书失效）"),
    CertificateStatus.REVOKED: _("证书已撤销"),
    CertificateStatus.CANCELLED: _("证书已注销"),
    CertificateStatus.NOT_YET_VALID: _("证书尚未生效"),
    "item": _("证书操作项目与岗位不符"),
}


def uncertified_posts(user, on: date | None = None, *, enterprise=None, unit=None) -> QuerySet:
    """On-duty posts requiring a certificate with none covering them on `on` (未持证上岗)."""
    on = on or timezone.localdate()
    qs = (
        Post.objects.for_user(user, "view")
        .filter(open_on_q(on))
        .on_duty(on)
        .non_compliant(on)
        .select_related("person", "post_type", "operation_item", "enterprise")
    )
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if unit is not None:
        qs = qs.filter(enterprise__unit__path__startswith=unit.path)
    return qs.order_by("enterprise_id", "post_type_id", name_order("person__name"), "pk")


def explain_uncertified(posts: Iterable[Post], on: date) -> list[dict]:
    """Why each post (of one page) is uncovered: no certificate / expired / review overdue /
    revoked…, from the holders' certificate versions (two queries for the page)."""
    posts = list(posts)
    certs: dict[int, list[Certificate]] = {}
    holders = {p.person_id for p in posts}
    for cert in (
        Certificate.objects.filter(holder_id__in=holders)
        .select_related("kind")
        .prefetch_related("kind__post_types")
        .order_by("holder_id", "-effective_from", "-pk")
    ):
        certs.setdefault(cert.holder_id, []).append(cert)
    rows = []
    for post in posts:
        rows.append(
            {
                "post": post,
                "person": post.person,
                "id_masked": mask_id_number(post.person.id_number),
                "reason": _reason(post, certs.get(post.person_id, []), on),
            }
        )
    return rows


def _reason(post: Post, certs: list[Certificate], on: date) -> str:
    facts = post.facts()
    kind_fits = [c for c in certs if facts.post_type in c.facts().kind.post_types]
    if not kind_fits:
        return REASONS["none"]
    fitting = [c for c in kind_fits if rules.certificate_fits_post(c.facts(), facts)]
    if not fitting:
        return REASONS["item"]
    # The version in force on the day (the latest to have taken effect), else the newest.
    started = [c for c in fitting if c.effective_from <= on]
    cert = started[0] if started else fitting[0]
    status = cert.status_on(on)
    if status == CertificateStatus.SUPERSEDED:
        status = fitting[0].status_on(on)
    return REASONS.get(status, REASONS["none"])
