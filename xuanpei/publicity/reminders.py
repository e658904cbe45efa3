"""Campaign coverage reminders (issue #11 item 4): in the last week of a running campaign,
each new town and 镇街 below the campaign's unit that has no accepted activity of it
yet gets one inbox message (and its unit admins an e-mail when SMTP is configured).

Run daily by `xuanpei send_reminders` (after the certificate reminders). A message's
key names the campaign and the unit, so running twice a day, or on every day of the
last week, raises it once; a unit that covers the campaign meanwhile is not reminded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.notifications import services as inbox
from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.publicity.coverage import branch_counts, campaign_activities
from xuanpei.publicity.models import Campaign

KIND = "publicity"
LAST_WEEK_DAYS = 7  # the campaign's last seven days, its end date included
REMINDED_KINDS = (UnitKind.NEW_TOWN, UnitKind.TOWN, UnitKind.SUBDISTRICT)


@dataclass
class CoverageReminderResult:
    campaigns: int = 0
    units: int = 0
    created: int = 0
    emailed: int = 0


def in_last_week(campaign: Campaign, on: date) -> bool:
    return campaign.end_date - timedelta(days=LAST_WEEK_DAYS - 1) <= on <= campaign.end_date


def uncovered_units(campaign: Campaign) -> list[Unit]:
    """New towns and 镇街 under the campaign's unit without an accepted activity of it
    (one aggregate per level of the tree)."""
    owner = campaign.unit
    units = list(
        Unit.objects.filter(path__startswith=owner.path, kind__in=REMINDED_KINDS)
        .exclude(pk=owner.pk)
        .order_by("path")
    )
    activities = campaign_activities(campaign)
    counts: dict[str, dict] = {}
    for depth in sorted({u.depth for u in units}):
        counts.update(branch_counts(activities, depth))
    return [u for u in units if not counts.get(u.path, {}).get("total")]


def _messages(on: date, result: CoverageReminderResult):
    running = Campaign.objects.filter(start_date__lte=on, end_date__gte=on).select_related("unit")
    for campaign in running.order_by("end_date", "pk"):
        if not in_last_week(campaign, on):
            continue
        result.campaigns += 1
        days = (campaign.end_date - on).days
        url = reverse("publicity:campaign_coverage", args=[campaign.pk])
        for unit in uncovered_units(campaign):
            result.units += 1
            yield Notification(
                unit_id=unit.pk,
                kind=KIND,
                key=f"publicity:campaign-uncovered:{campaign.pk}:{unit.pk}",
                level=NotificationLevel.WARNING,
                title=(
                    _("%(name)s还有 %(n)d 天结束，本单位尚无通过审核的活动")
                    % {"name": campaign.name, "n": days}
                    if days
                    else _("%(name)s今天结束，本单位尚无通过审核的活动") % {"name": campaign.name}
                )[:200],
                body=_(
                    "%(year)d年%(name)s（%(start)s—%(end)s）期间，本单位及下级尚未有关联该主题的"
                    "宣传活动通过审核。请及时开展并录入活动台账、提交审核。"
                )
                % {
                    "year": campaign.year,
                    "name": campaign.name,
                    "start": campaign.start_date.isoformat(),
                    "end": campaign.end_date.isoformat(),
                },
                url=url,
                due_date=campaign.end_date,
            )


def send_coverage_reminders(
    on: date | None = None, *, email: bool = True
) -> CoverageReminderResult:
    """Raise today's coverage reminders (idempotent) and e-mail the new ones."""
    on = on or timezone.localdate()
    result = CoverageReminderResult()
    created = inbox.raise_notifications(_messages(on, result))
    result.created = len(created)
    if email and created:
        result.emailed = inbox.email_notifications(
            [n.key for n in created], subject=_("【宣培通】宣传主题活动覆盖提醒")
        )
    return result
