"""Use cases of the publicity calendar: generate a year's campaigns, save a campaign or a
rule, give a unit its private calendar link. Keyword-only, atomic, audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import UserScope
from xuanpei.orgs.models import Unit
from xuanpei.publicity.choices import COMPUTED_KINDS, ENTERED_KINDS
from xuanpei.publicity.models import CalendarFeed, Campaign, ThemedDayRule


def district_root() -> Unit:
    root = Unit.objects.get_first_root_node()
    if root is None:
        raise ValidationError(_("单位树中还没有区（根单位），请先建立单位树"), code="no_district")
    return root


def owner_of(rule: ThemedDayRule) -> Unit:
    """The unit a rule's campaigns belong to: its own unit, or the district for national rules."""
    return rule.unit if rule.unit_id else district_root()


@dataclass
class GenerateResult:
    year: int
    created: list[Campaign] = field(default_factory=list)
    unchanged: int = 0
    waiting: list[ThemedDayRule] = field(default_factory=list)

    def summary_line(self) -> str:
        waiting = "、".join(r.name for r in self.waiting) or "无"
        return _(
            "%(year)s年：新生成 %(created)s 项，已有 %(unchanged)s 项未改动；待通知 %(waiting)s"
        ) % {
            "year": self.year,
            "created": len(self.created),
            "unchanged": self.unchanged,
            "waiting": waiting,
        }


def _rules(actor, action: str):
    rules = ThemedDayRule.objects.all()
    if actor is not None:
        rules = rules.for_user(actor, action)
    return rules.filter(is_active=True).select_related("unit")


def waiting_rules(year: int, *, user=None) -> list[ThemedDayRule]:
    """Rules whose dates are entered each year and have no campaign in `year` yet (待通知)."""
    taken = Campaign.objects.filter(year=year, rule__isnull=False).values("rule_id")
    rules = _rules(user, "view").filter(kind__in=ENTERED_KINDS).exclude(pk__in=taken)
    return [r for r in rules if (r.since_year or year) <= year <= (r.until_year or year)]


@transaction.atomic
def generate_campaigns(year: int, *, actor=None) -> GenerateResult:
    """Create `year`'s occurrence of every computed rule the actor may change, once.

    Idempotent: a rule that already has its campaign this year is left as it is (its
    theme, notes and links stay). Rules whose dates are entered (by notice, seasonal,
    local) create nothing: they are listed as `waiting` until someone enters the dates.
    `actor=None` is the system (the CLI without --user): every rule.
    """
    if not 1900 <= year <= 2100:
        raise ValidationError(_("年份须在 1900—2100 之间"), code="year")
    result = GenerateResult(year=year)
    rules = list(_rules(actor, "change").filter(kind__in=COMPUTED_KINDS))
    taken = set(
        Campaign.objects.filter(year=year, rule__in=rules).values_list("rule_id", flat=True)
    )
    root = None
    with acting_as(actor):
        for rule in rules:
            if rule.pk in taken:
                result.unchanged += 1
                continue
            dates = rule.occurrence(year)
            if dates is None:
                continue
            if rule.unit_id is None and root is None:
                root = district_root()
            campaign = Campaign(
                rule=rule,
                year=year,
                name=rule.name,
                start_date=dates[0],
                end_date=dates[1],
                unit=rule.unit if rule.unit_id else root,
                created_by=actor,
            )
            campaign.full_clean()
            campaign.save()
            result.created.append(campaign)
    result.waiting = waiting_rules(year, user=actor)
    return result


def prepare_campaign(campaign: Campaign) -> Campaign:
    """Fill what a campaign takes from its rule: the owner, a name, computed dates."""
    rule = campaign.rule
    if rule is not None:
        campaign.unit = owner_of(rule)
        if not campaign.name:
            campaign.name = rule.name
        if rule.is_computed and campaign.year:
            dates = rule.occurrence(campaign.year)
            if dates is None:
                raise ValidationError(
                    {"year": _("该宣传日%(year)s年不举办") % {"year": campaign.year}}
                )
            campaign.start_date, campaign.end_date = dates
    return campaign


def check_tasks(campaign: Campaign, tasks) -> None:
    wrong = [t for t in tasks if t.plan.year != campaign.year]
    if wrong:
        raise ValidationError(
            {
                "tasks": _("计划任务“%(task)s”属于%(year)s年的计划，与活动年度不符")
                % {"task": wrong[0], "year": wrong[0].plan.year}
            }
        )


@transaction.atomic
def save_campaign(campaign: Campaign, *, actor, tasks=None) -> Campaign:
    """Create or update a campaign (theme, entered dates, notes, linked plan tasks)."""
    prepare_campaign(campaign)
    if campaign.pk is None and campaign.created_by_id is None:
        campaign.created_by = actor
    campaign.full_clean()
    with acting_as(actor):
        campaign.save()
        if tasks is not None:
            tasks = list(tasks)
            check_tasks(campaign, tasks)
            campaign.tasks.set(tasks)
    return campaign


def may_change_campaign(user, campaign: Campaign) -> bool:
    return Campaign.objects.in_scope(user, campaign.pk, "change")


# --------------------------------------------------------------------------- the feed


def new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_of(unit: Unit) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(unit=unit).first()


def may_manage_feed(user) -> bool:
    scope = UserScope.of(user)
    return bool(user.unit_id and scope.unit_path) and has_action(user, CalendarFeed, "change")


@transaction.atomic
def regenerate_feed(unit: Unit, *, actor) -> CalendarFeed:
    """Give `unit` a new private calendar link; the previous link stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(unit=unit).first()
    with acting_as(actor):
        if feed is None:
            feed = CalendarFeed.objects.create(unit=unit, token=new_token(), created_by=actor)
        else:
            feed.token = new_token()
            feed.save(update_fields=["token", "updated_at"])
    return feed


def feed_campaigns(unit: Unit):
    """The campaigns a unit's calendar shows: the district's, its ancestors' and its own."""
    return Campaign.objects.for_unit_calendar(unit).select_related("rule", "unit")
