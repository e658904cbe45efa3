"""The demo activity ledger and new-media output (issue #11 item 10), after the demo calendar.

A year (the current one, up to today) of activities across the demo district,
written with bulk_create so that `xuanpei seed-demo` stays fast, with gaps the
coverage views must show:

- the last new town (秦岭新城 in the demo tree) holds nothing during 安全生产月;
- in most 镇街 one or two 村/社区 are never reached (no activity's locality), three
  in the first 镇街 of the second new town;
- most activities are accepted; some wait for review (submitted) or were returned,
  a few are drafts — only accepted ones count.

Media posts: about two a month per new town and 镇街 on the usual channels. Two
quotas: each new town ≥ 5 activities in 安全生产月, and every 镇街 reaches each of its
村/社区 at least once a year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.publicity.dictionaries import ensure_ledger_dictionaries
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import (
    Activity,
    ActivityForm,
    Audience,
    Channel,
    MediaKind,
    MediaPost,
    Quota,
    QuotaMeasure,
    ReviewStatus,
)

SEED = 20261111
ACTIVITIES_PER_TOWN = 36  # per 镇街 per year, plus ~12 of each new town itself
SAFETY_MONTH = "安全生产月"
_STATUSES = (
    (ReviewStatus.ACCEPTED, 0.84),
    (ReviewStatus.SUBMITTED, 0.08),
    (ReviewStatus.RETURNED, 0.04),
    (ReviewStatus.DRAFT, 0.04),
)
_PLACES = ("文化广场", "党群服务中心", "村委会", "中心小学", "社区活动室", "工业园区", "集贸市场")
_TOPICS = ("安全生产", "消防安全", "防灾减灾", "燃气安全", "交通安全", "防溺水", "应急避险")
_FORMS_IN_TITLE = ("宣讲", "咨询", "演练", "展览", "知识竞赛", "进门入户宣传")


@dataclass
class LedgerDemoResult:
    activities: int = 0
    accepted: int = 0
    media_posts: int = 0
    quotas: int = 0
    silent_town: str = ""
    never_reached: int = 0

    def summary_line(self) -> str:
        return (
            f"宣传台账：活动 {self.activities} 次（已通过 {self.accepted} 次），新媒体发布 "
            f"{self.media_posts} 条，宣传定额 {self.quotas} 项；{self.silent_town}安全生产月未开展活动，"
            f"{self.never_reached} 个村/社区本年度未到达。"
        )


def _status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in _STATUSES], [w for _, w in _STATUSES])[0]


def _days(rng: random.Random, start: date, end: date, n: int, june_weight: int = 3) -> list[date]:
    """`n` days in [start, end], June weighted (安全生产月 is the busy month)."""
    span = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(span)]
    weights = [june_weight if d.month == 6 else 1 for d in days]
    return rng.choices(days, weights, k=n)


def seed_ledger(*, today: date | None = None, seed: int = SEED) -> LedgerDemoResult:
    """Write the demo ledger for this year; returns what it wrote (empty if no demo tree)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    result = LedgerDemoResult()
    root = Unit.objects.get_first_root_node()
    if root is None or Activity.objects.exists():  # no demo tree, or a ledger already there
        return result
    ensure_ledger_dictionaries()
    year = today.year
    start, end = date(year, 1, 1), min(today, date(year, 12, 31))
    new_towns = list(
        Unit.objects.get_children(root).filter(kind=UnitKind.NEW_TOWN).order_by("path")
    )
    if not new_towns:
        return result
    silent = new_towns[-1]
    result.silent_town = silent.name
    towns = list(
        Unit.objects.filter(
            path__startswith=root.path, kind__in=(UnitKind.TOWN, UnitKind.SUBDISTRICT)
        ).order_by("path")
    )
    localities: dict[int, list[Unit]] = {t.pk: [] for t in towns}
    for loc in Unit.objects.filter(
        path__startswith=root.path, kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY)
    ).order_by("path"):
        parent = next((t for t in towns if loc.path.startswith(t.path)), None)
        if parent is not None:
            localities[parent.pk].append(loc)
    # The 村/社区 never reached: the last one or two of each 镇街, three in one.
    reachable: dict[int, list[Unit]] = {}
    second_first = next(
        (t for t in towns if len(new_towns) > 1 and t.path.startswith(new_towns[1].path)), None
    )
    for t in towns:
        locs = localities[t.pk]
        skip = 3 if t == second_first else t.pk % 3  # 0, 1 or 2
        skip = min(skip, max(len(locs) - 1, 0))
        reachable[t.pk] = locs[: len(locs) - skip] if skip else locs
        result.never_reached += skip
    campaigns = list(
        Campaign.objects.filter(unit=root, year=year, start_date__lte=end).order_by(
            "start_date", "pk"
        )
    )
    month = next((c for c in campaigns if c.name == SAFETY_MONTH), None)
    audiences = list(Audience.objects.order_by("order", "pk"))
    forms = list(ActivityForm.objects.order_by("order", "pk"))

    def campaign_on(day: date) -> Campaign | None:
        running = [c for c in campaigns if c.start_date <= day <= c.end_date]
        # The shortest running campaign is the one an activity of that day is held for.
        return min(running, key=lambda c: (c.end_date - c.start_date, c.pk)) if running else None

    rows: list[tuple[Activity, Campaign | None]] = []

    def add(unit: Unit, new_town: Unit, day: date, locality: Unit | None):
        if new_town == silent and month and month.start_date <= day <= month.end_date:
            day = month.start_date - timedelta(days=rng.randint(3, 40))  # silent in June
            if day < start:
                return
        campaign = campaign_on(day) if rng.random() < 0.8 else None
        topic = rng.choice(_TOPICS)
        flags = dict.fromkeys(
            ("to_enterprise", "to_village", "to_community", "to_school", "to_family"), False
        )
        if locality is not None:
            flags["to_village" if locality.kind == UnitKind.VILLAGE else "to_community"] = True
        for extra in rng.sample(list(flags), rng.choice((0, 1, 1, 2))):
            flags[extra] = True
        if not any(flags.values()):
            flags["to_enterprise"] = True
        where = locality.name if locality else unit.name
        label = campaign.name if campaign else topic
        status = _status(rng)
        activity = Activity(
            title=f"{where}{label}{rng.choice(_FORMS_IN_TITLE)}活动"[:200],
            unit=unit,
            held_on=day,
            place=f"{where}{rng.choice(_PLACES)}",
            locality=locality,
            participants=rng.randint(20, 400),
            summary=f"围绕“{topic}”开展宣传，发放宣传资料，现场解答群众咨询。",
            status=status,
            **flags,
        )
        if status != ReviewStatus.DRAFT:
            activity.submitted_at = timezone.now()
        if status in (ReviewStatus.ACCEPTED, ReviewStatus.RETURNED):
            activity.reviewed_at = timezone.now()
            if status == ReviewStatus.RETURNED:
                activity.review_comment = "照片不清晰，请补充活动现场照片后重新提交。"
        rows.append((activity, campaign))

    for nt in new_towns:
        for day in _days(rng, start, end, 12):
            add(nt, nt, day, None)
        for t in (t for t in towns if t.path.startswith(nt.path)):
            for day in _days(rng, start, end, ACTIVITIES_PER_TOWN):
                locs = reachable[t.pk]
                add(t, nt, day, rng.choice(locs) if locs and rng.random() < 0.75 else None)
            # Every reachable 村/社区 at least once (accepted), so only the chosen ones stay gaps.
            for loc in reachable[t.pk]:
                day = _days(rng, start, end, 1)[0]
                before = len(rows)
                add(t, nt, day, loc)
                if len(rows) > before:
                    rows[-1][0].status = ReviewStatus.ACCEPTED
    Activity.objects.bulk_create([a for a, _ in rows], batch_size=1000)
    Through = Activity.campaigns.through
    Through.objects.bulk_create(
        [Through(activity_id=a.pk, campaign_id=c.pk) for a, c in rows if c is not None],
        batch_size=2000,
    )
    AudThrough, FormThrough = Activity.audiences.through, Activity.forms.through
    AudThrough.objects.bulk_create(
        [
            AudThrough(activity_id=a.pk, audience_id=x.pk)
            for a, _ in rows
            for x in rng.sample(audiences, min(len(audiences), rng.randint(1, 2)))
        ],
        batch_size=2000,
    )
    FormThrough.objects.bulk_create(
        [
            FormThrough(activity_id=a.pk, activityform_id=x.pk)
            for a, _ in rows
            for x in rng.sample(forms, min(len(forms), rng.randint(1, 2)))
        ],
        batch_size=2000,
    )
    result.activities = len(rows)
    result.accepted = sum(1 for a, _ in rows if a.status == ReviewStatus.ACCEPTED)
    result.media_posts = _seed_media(rng, root, new_towns, towns, start, end, campaigns)
    result.quotas = _seed_quotas(root, year, month)
    return result


def _seed_media(rng, root, new_towns, towns, start, end, campaigns) -> int:
    channels = [c for c, _ in Channel.choices]
    posts, links = [], []
    n = MediaPost.objects.count()
    for unit in [root, *new_towns, *towns]:
        months = max(1, (end.year - start.year) * 12 + end.month - start.month + 1)
        for day in _days(rng, start, end, 2 * months, june_weight=2):
            n += 1
            channel = rng.choice(channels)
            post = MediaPost(
                unit=unit,
                channel=channel,
                account=f"{unit.name}{'发布' if channel != 'press' else '融媒体中心'}",
                kind=rng.choice([k for k, _ in MediaKind.choices]),
                title=f"{unit.name}{rng.choice(_TOPICS)}宣传{rng.choice(('图文', '短视频', '专题'))}",
                url=f"https://mp.weixin.qq.com/s/xuanpei-demo-{n:06d}",
                published_on=day,
                is_original=rng.random() < 0.7,
                views=int(rng.paretovariate(1.3) * 200),
                likes=rng.randint(0, 300),
                shares=rng.randint(0, 120),
            )
            posts.append(post)
            running = [c for c in campaigns if c.start_date <= day <= c.end_date]
            links.append(rng.choice(running) if running and rng.random() < 0.6 else None)
    MediaPost.objects.bulk_create(posts, batch_size=1000)
    Through = MediaPost.campaigns.through
    Through.objects.bulk_create(
        [
            Through(mediapost_id=p.pk, campaign_id=c.pk)
            for p, c in zip(posts, links, strict=True)
            if c is not None
        ],
        batch_size=2000,
    )
    return len(posts)


def _seed_quotas(root: Unit, year: int, month: Campaign | None) -> int:
    quotas = [
        Quota(
            unit=root,
            year=year,
            name="村/社区宣传全覆盖",
            applies_to=UnitKind.TOWN,
            measure=QuotaMeasure.LOCALITIES,
            minimum=1,
        )
    ]
    if month is not None:
        quotas.append(
            Quota(
                unit=root,
                year=year,
                name="新城安全生产月活动",
                applies_to=UnitKind.NEW_TOWN,
                campaign=month,
                measure=QuotaMeasure.ACTIVITIES,
                minimum=5,
            )
        )
    Quota.objects.bulk_create(quotas)
    return len(quotas)
