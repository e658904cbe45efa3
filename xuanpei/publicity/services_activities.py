"""Use cases of the activity ledger (issue #11 §3): record, edit, submit, review, publish.

Keyword-only, atomic, audited (auditlog through `acting_as`). Every rule of "Bad
input" is checked here, so the pages, the API and the importer answer alike, each
message in Chinese naming the field:

- the recording unit must lie in the actor's scope (an enterprise records for its
  属地, set here, not by the form);
- an activity dated after today may be kept as a draft, never submitted;
- participants 0 … MAX_PARTICIPANTS; media links http(s) only, one a line;
- campaigns and plan tasks of the activity's year, visible to the recording unit;
  the 村/社区 in the recording unit's subtree;
- files through core's shared checker (photos cleaned of EXIF, downscaled), stored
  with the rows in one `atomic_with_files()` block: nothing half-saved.

- an activity dated before its unit's 成立日期 (`orgs.Unit.established_on`; blank =
  unknown, refuses nothing): `established_error`, read by `_check` (every save),
  `submit_check` (the date may have been entered after the draft) and the importer.

Review: the unit above reviews (the parent of `unit`; for an enterprise's activity
its 属地 `unit`); the district's own activities are accepted on submit. Only accepted
activities count anywhere (`Activity.objects.counted()` → `accepted()`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core import uploads
from xuanpei.core.permissions import has_action, is_district_admin
from xuanpei.core.scoping import UserScope, ancestor_paths
from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.notifications.services import raise_notifications
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import (
    Activity,
    ActivityFile,
    ActivityMaterial,
    ReviewStatus,
)

MAX_PARTICIPANTS = 1_000_000
# Whatever the unit's 成立日期, a date before the platform's world is a typo.
EARLIEST = date(2000, 1, 1)
MAX_FILES_PER_ACTIVITY = 30
DUPLICATE_RATIO = 0.8
LOCALITY_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.TOWN, UnitKind.SUBDISTRICT)
EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
KIND = "publicity"


def _deny(message: str | None = None):
    raise PermissionDenied(message or _("您没有权限执行此操作"))


# Who ------------------------------------------------------------------------------------


def recording_units(user):
    """Units `user` may record an activity for: its own subtree (territorial units only);
    an enterprise account records for its 属地 only."""
    scope = UserScope.of(user)
    units = Unit.objects.exclude(kind=UnitKind.DEPARTMENT)
    if scope.enterprise_id:
        return Unit.objects.filter(enterprises__pk=scope.enterprise_id)
    if scope.everything:
        return Unit.objects.all()
    if not scope.unit_path:
        return Unit.objects.none()
    if user.unit.kind == UnitKind.DEPARTMENT:
        return Unit.objects.filter(pk=user.unit_id)  # a department records for itself
    return units.filter(path__startswith=scope.unit_path)


def reviewer_unit(activity: Activity) -> Unit | None:
    """The unit above: the 属地 of an enterprise's activity, else the recording unit's
    parent; None for the district's own (accepted on submit)."""
    if activity.enterprise_id:
        return activity.unit
    path = activity.unit.path[: -Unit.steplen]
    return Unit.objects.filter(path=path).first() if path else None


def can_edit(user, activity: Activity) -> bool:
    return activity.status in EDITABLE and Activity.objects.in_scope(user, activity.pk, "change")


def can_review(user, activity: Activity) -> bool:
    """The unit above (its admins and reporters), or the district admin, reviews."""
    if activity.status != ReviewStatus.SUBMITTED or not has_action(user, Activity, "change"):
        return False
    if user.is_superuser or is_district_admin(user):
        return True
    above = reviewer_unit(activity)
    return bool(above and user.unit_id == above.pk)


def reviewable_activities(user, queryset=None):
    """`can_review` as a queryset: the submitted activities `user` may review (待审核)."""
    qs = Activity.objects.all() if queryset is None else queryset
    qs = qs.filter(status=ReviewStatus.SUBMITTED)
    if not has_action(user, Activity, "change"):
        return qs.none()
    if user.is_superuser or is_district_admin(user):
        return qs
    if not user.unit_id:
        return qs.none()
    # An enterprise's activity: its 属地 reviews; a unit's: its parent.
    children = Unit.objects.filter(
        path__startswith=user.unit.path, depth=user.unit.depth + 1
    ).values("pk")
    return qs.filter(
        Q(enterprise__isnull=False, unit_id=user.unit_id)
        | Q(enterprise__isnull=True, unit__in=children)
    )


def can_publish(user) -> bool:
    return is_district_admin(user)


# What a unit may name ---------------------------------------------------------------------


def _visible_q(unit: Unit, prefix: str, enterprise: bool = False) -> Q:
    if enterprise:
        # An enterprise sees no unit's rows: only the district's own (public) calendar
        # and plan, whatever its 属地.
        return Q(**{f"{prefix}path": ancestor_paths(unit.path)[0]})
    return Q(**{f"{prefix}path__in": ancestor_paths(unit.path)}) | Q(
        **{f"{prefix}path__startswith": unit.path}
    )


def campaigns_for(unit: Unit | None, year: int | None, *, enterprise: bool = False):
    """Campaigns of `year` the recording unit sees: its own, its subtree's, those above
    (an enterprise: the district's only)."""
    qs = Campaign.objects.select_related("unit").order_by("start_date", "name", "pk")
    if unit is None:
        return qs.none()
    qs = qs.filter(_visible_q(unit, "unit__", enterprise))
    return qs.filter(year=year) if year else qs


def tasks_for(unit: Unit | None, year: int | None, *, enterprise: bool = False):
    """Tasks of issued plans of `year` visible to the recording unit (an enterprise:
    the district's plans only)."""
    from xuanpei.plans.models import PUBLISHED, Task

    qs = Task.objects.select_related("plan").order_by("plan__year", "plan_id", "order", "pk")
    if unit is None:
        return qs.none()
    qs = qs.filter(_visible_q(unit, "plan__unit__", enterprise), plan__status__in=PUBLISHED)
    return qs.filter(plan__year=year) if year else qs


def localities_for(unit: Unit | None):
    """村/社区 (or 镇街) in the recording unit's subtree (the unit itself included)."""
    if unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=unit.path, kind__in=LOCALITY_KINDS)


# Checks ------------------------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def media_links(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _check(activity: Activity, *, campaigns, tasks) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if activity.participants is not None and not (0 <= activity.participants <= MAX_PARTICIPANTS):
        add(
            "participants",
            _("参与人数须在 0 至 %(max)s 之间，填写的是 %(n)s")
            % {"max": f"{MAX_PARTICIPANTS:,}", "n": activity.participants},
        )
    for line in media_links(activity.media_links):
        if not _URL.match(line) or len(line) > 500:
            add(
                "media_links",
                _("媒体报道链接“%(link)s”不是 http:// 或 https:// 开头的网址")
                % {"link": line[:80]},
            )
    if activity.start_time and activity.end_time and activity.end_time < activity.start_time:
        add("end_time", _("结束时间不能早于开始时间"))
    if activity.held_on and activity.held_on < EARLIEST:
        add(
            "held_on",
            _("活动日期 %(d)s 早于 2000 年，请检查") % {"d": activity.held_on.isoformat()},
        )
    elif reason := established_error(activity.unit, activity.held_on):
        add("held_on", reason)
    year = activity.held_on.year if activity.held_on else None
    if year:
        ent = bool(activity.enterprise_id)
        allowed = set(
            campaigns_for(activity.unit, None, enterprise=ent).values_list("pk", flat=True)
        )
        for c in campaigns:
            if c.pk not in allowed:
                add("campaigns", _("宣传主题活动“%(name)s”不在本单位可选范围内") % {"name": c.name})
            elif c.year != year:
                add(
                    "campaigns",
                    _("宣传主题活动“%(name)s”属于%(y)s年，与活动日期（%(d)s年）不符")
                    % {"name": c.name, "y": c.year, "d": year},
                )
        allowed = set(tasks_for(activity.unit, None, enterprise=ent).values_list("pk", flat=True))
        for t in tasks:
            if t.pk not in allowed:
                add("tasks", _("计划任务“%(name)s”不在本单位可选范围内") % {"name": t.number})
            elif t.plan.year != year:
                add(
                    "tasks",
                    _("计划任务“%(name)s”属于%(y)s年计划，与活动日期（%(d)s年）不符")
                    % {"name": t.number, "y": t.plan.year, "d": year},
                )
    if (
        activity.locality_id
        and not localities_for(activity.unit).filter(pk=activity.locality_id).exists()
    ):
        add("locality", _("所在村/社区须在组织单位的辖区内"))
    if errors:
        raise ValidationError(errors)


def _check_unit(actor, activity: Activity) -> None:
    """The recording unit lies in the actor's scope; an enterprise records for its 属地."""
    scope = UserScope.of(actor)
    if scope.enterprise_id:
        from xuanpei.orgs.models import Enterprise

        enterprise = Enterprise.objects.select_related("unit").get(pk=scope.enterprise_id)
        activity.enterprise = enterprise
        activity.unit = enterprise.unit
        if activity.locality_id:
            raise ValidationError(
                {"locality": _("企业账号登记的活动不填写所在村/社区（以企业属地计）")}
            )
        return
    if not activity.unit_id and actor.unit_id and activity.pk is None:
        activity.unit = actor.unit  # not named: the actor's own unit
    if not activity.unit_id or not recording_units(actor).filter(pk=activity.unit_id).exists():
        raise ValidationError({"unit": _("组织单位不在您的管辖范围内，不能为其登记活动")})


# Files -------------------------------------------------------------------------------------


def check_uploads(files: Iterable) -> list[uploads.CheckedFile]:
    """Core's shared checker, photos cleaned (EXIF and GPS dropped, downscaled)."""
    return uploads.check_files(files, clean_photo=True)


def _store(activity: Activity, checked: uploads.CheckedFile, actor) -> ActivityFile:
    item = ActivityFile(
        activity=activity,
        name=checked.name,
        kind=checked.kind,
        size=checked.size,
        created_by=actor,
    )
    return uploads.store_checked(item, checked)


# Use cases -------------------------------------------------------------------------------


@dataclass
class Relations:
    """What an activity names besides its own columns (None: leave as it is)."""

    campaigns: list | None = None
    tasks: list | None = None
    audiences: list | None = None
    forms: list | None = None
    materials: list[tuple[str, int]] | None = None  # (kind, count)


def _save(activity: Activity, *, actor, relations: Relations, files, remove_files) -> Activity:
    creating = activity.pk is None
    if creating:
        if not has_action(actor, Activity, "add"):
            _deny()
        activity.status = ReviewStatus.DRAFT
        activity.created_by = actor
    elif not can_edit(actor, activity):
        _deny(_("只有草稿或已退回的活动可以修改"))
    _check_unit(actor, activity)
    campaigns = (
        relations.campaigns
        if relations.campaigns is not None
        else (list(activity.campaigns.all()) if not creating else [])
    )
    tasks = (
        relations.tasks
        if relations.tasks is not None
        else (list(activity.tasks.select_related("plan")) if not creating else [])
    )
    _check(activity, campaigns=campaigns, tasks=tasks)
    checked = check_uploads(files or [])
    present = 0 if creating else activity.files.count()
    if present + len(checked) - len(remove_files or []) > MAX_FILES_PER_ACTIVITY:
        raise ValidationError(
            {"files": _("每个活动最多 %(n)d 个照片和附件") % {"n": MAX_FILES_PER_ACTIVITY}}
        )
    doomed: list[str] = []
    with uploads.atomic_with_files(), acting_as(actor):
        activity.full_clean(exclude=["campaigns", "tasks", "audiences", "forms"])
        activity.save()
        if not Activity.objects.in_scope(actor, activity.pk, "change"):
            raise PermissionDenied(_("保存后的活动不在您的管辖范围内"))
        for name in ("campaigns", "tasks", "audiences", "forms"):
            values = getattr(relations, name)
            if values is not None:
                getattr(activity, name).set(values)
        if relations.materials is not None:
            activity.materials.all().delete()
            ActivityMaterial.objects.bulk_create(
                ActivityMaterial(activity=activity, kind=kind, count=count, created_by=actor)
                for kind, count in relations.materials
            )
        for item in activity.files.filter(pk__in=[f.pk for f in remove_files or []]):
            doomed += [item.file.name, item.thumbnail.name]
            item.delete()
        for c in checked:
            _store(activity, c, actor)
        transaction.on_commit(lambda: uploads.delete_files(doomed))
    return activity


def create_activity(
    activity: Activity, *, actor, relations: Relations | None = None, files=()
) -> Activity:
    """Record a new activity as a draft (unit set here for an enterprise account)."""
    if activity.pk is not None:
        raise ValueError("create_activity takes an unsaved activity")
    return _save(
        activity, actor=actor, relations=relations or Relations(), files=files, remove_files=()
    )


def update_activity(
    activity: Activity, *, actor, relations: Relations | None = None, files=(), remove_files=()
) -> Activity:
    """Edit a draft or returned activity (its unit and enterprise stay: field_rules)."""
    return _save(
        activity,
        actor=actor,
        relations=relations or Relations(),
        files=files,
        remove_files=remove_files,
    )


def _normalise(title: str) -> str:
    text = unicodedata.normalize("NFKC", title or "").lower()
    return re.sub(r"[\s\W_]+", "", text)


def likely_duplicates(activity: Activity) -> list[Activity]:
    """Other activities of the same unit on the same day with a similar title (same
    normalised title, or difflib ratio ≥ DUPLICATE_RATIO)."""
    return likely_duplicates_of([activity])[activity.pk]


def likely_duplicates_of(activities: Iterable[Activity]) -> dict[int, list[Activity]]:
    """`likely_duplicates` of each activity (a page of the review queue) in one query."""
    activities = list(activities)
    if not activities:
        return {}
    same_day = Q()
    for a in activities:
        same_day |= Q(unit_id=a.unit_id, held_on=a.held_on)
    candidates = defaultdict(list)
    others = Activity.objects.filter(same_day).order_by("-held_on", "-pk")
    for other in others.only("pk", "title", "status", "held_on", "unit_id"):
        candidates[(other.unit_id, other.held_on)].append(other)
    found = {}
    for a in activities:
        mine = _normalise(a.title)
        found[a.pk] = [
            other
            for other in candidates[(a.unit_id, a.held_on)]
            if other.pk != a.pk and _similar(mine, _normalise(other.title))
        ]
    return found


def _similar(mine: str, theirs: str) -> bool:
    return theirs == mine or difflib.SequenceMatcher(None, mine, theirs).ratio() >= DUPLICATE_RATIO


def established_error(unit: Unit | None, held_on: date | None) -> str:
    """Why an activity of `unit` cannot be dated `held_on` ("" when it can): the day is
    before the unit's 成立日期 (issue #11, Bad input). The day itself is allowed; a unit
    with no 成立日期 (unknown) refuses nothing. The one rule for the pages and the API
    (`_check`, `submit_check`) and the xlsx import (`ActivityImporter.clean_row`)."""
    founded = getattr(unit, "established_on", None)
    if founded is None or held_on is None or held_on >= founded:
        return ""
    return _("活动日期（%(d)s）早于单位“%(unit)s”的成立日期（%(founded)s）") % {
        "d": held_on.isoformat(),
        "unit": unit.name,
        "founded": founded.isoformat(),
    }


def submit_check(activity: Activity, today: date | None = None) -> None:
    """What a finished activity must meet on submit: dated no later than today and not
    before its unit existed."""
    today = today or timezone.localdate()
    if activity.held_on > today:
        raise ValidationError(
            {
                "held_on": _("活动日期 %(d)s 晚于今天，尚未举办的活动不能提交")
                % {"d": activity.held_on.isoformat()}
            }
        )
    if reason := established_error(activity.unit, activity.held_on):
        raise ValidationError({"held_on": reason})


def _message(*, unit_id, enterprise_id=None, key, title, body="", url="", level=None):
    return Notification(
        unit_id=unit_id,
        enterprise_id=enterprise_id,
        kind=KIND,
        key=f"publicity:{key}",
        level=level or NotificationLevel.INFO,
        title=title[:200],
        body=body,
        url=url,
    )


@transaction.atomic
def submit_activity(activity: Activity, *, actor) -> Activity:
    """草稿/已退回 → 待审核 (the unit above hears of it); the district's own → 已通过."""
    activity = Activity.objects.select_for_update().select_related("unit").get(pk=activity.pk)
    if not can_edit(actor, activity):
        _deny(_("只有草稿或已退回的活动可以提交"))
    submit_check(activity)
    now = timezone.now()
    activity.submitted_at, activity.submitted_by = now, actor
    above = reviewer_unit(activity)
    fields = ["status", "submitted_at", "submitted_by", "updated_at"]
    if above is None:
        activity.status = ReviewStatus.ACCEPTED
        activity.reviewed_at, activity.reviewed_by = now, actor
        fields += ["reviewed_at", "reviewed_by"]
    else:
        activity.status = ReviewStatus.SUBMITTED
    with acting_as(actor):
        activity.save(update_fields=fields)
    if above is not None:
        dup = " " + _("（疑似重复）") if likely_duplicates(activity) else ""
        raise_notifications(
            [
                _message(
                    unit_id=above.pk,
                    key=f"activity:{activity.pk}:submit:{now.isoformat()}",
                    title=_("%(unit)s 提交了宣传活动：%(title)s%(dup)s")
                    % {
                        "unit": activity.enterprise.name
                        if activity.enterprise_id
                        else activity.unit.name,
                        "title": activity.title,
                        "dup": dup,
                    },
                    url=activity.get_absolute_url(),
                )
            ]
        )
    return activity


@transaction.atomic
def review_activity(activity: Activity, *, actor, accept: bool, comment: str = "") -> Activity:
    """待审核 → 已通过 or 已退回 (退回 needs a reason); the recorder hears of it."""
    activity = Activity.objects.select_for_update().select_related("unit").get(pk=activity.pk)
    if not can_review(actor, activity):
        _deny(_("只有上级单位可以审核该活动"))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("退回时请填写审核意见，说明需要修改的地方")})
    now = timezone.now()
    activity.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    activity.reviewed_at, activity.reviewed_by, activity.review_comment = now, actor, comment
    with acting_as(actor):
        activity.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"]
        )
    title = _("宣传活动已通过审核：%(t)s") if accept else _("宣传活动被退回：%(t)s")
    raise_notifications(
        [
            _message(
                unit_id=None if activity.enterprise_id else activity.unit_id,
                enterprise_id=activity.enterprise_id,
                key=f"activity:{activity.pk}:review:{now.isoformat()}",
                title=title % {"t": activity.title},
                body=comment,
                url=activity.get_absolute_url(),
                level=NotificationLevel.INFO if accept else NotificationLevel.WARNING,
            )
        ]
    )
    return activity


def accept_activity(activity: Activity, *, actor, comment: str = "") -> Activity:
    return review_activity(activity, actor=actor, accept=True, comment=comment)


def return_activity(activity: Activity, *, actor, comment: str) -> Activity:
    return review_activity(activity, actor=actor, accept=False, comment=comment)


@transaction.atomic
def publish_activity(activity: Activity, *, actor, public: bool = True) -> Activity:
    """The district shows an accepted activity on the public page (or takes it off)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not can_publish(actor) or not Activity.objects.in_scope(actor, activity.pk, "change"):
        _deny(_("只有区安委办可以公开展示活动"))
    if public and activity.status != ReviewStatus.ACCEPTED:
        raise ValidationError(_("只有已通过审核的活动可以公开展示"))
    activity.is_public = public
    activity.published_at = timezone.now() if public else None
    with acting_as(actor):
        activity.save(update_fields=["is_public", "published_at", "updated_at"])
    return activity


@transaction.atomic
def delete_activity(activity: Activity, *, actor) -> None:
    """Delete a draft (its files go after commit)."""
    if activity.status != ReviewStatus.DRAFT or not Activity.objects.in_scope(
        actor, activity.pk, "delete"
    ):
        _deny(_("只有草稿可以删除"))
    names = [n for f in activity.files.all() for n in (f.file.name, f.thumbnail.name)]
    with acting_as(actor):
        activity.delete()
    transaction.on_commit(lambda: uploads.delete_files(names))
