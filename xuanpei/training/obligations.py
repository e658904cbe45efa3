"""When a post-accident training obligation is fulfilled (issue #12 §7), and reminders.

An obligation is fulfilled when every person of its audience at the enterprise —
主要负责人 / 安全生产管理人员: the on-duty `workforce.Post`s of that post type; 全体从业人员:
every on-duty post — has an `Attendance` at a held or archived session dated after the
accident and on or before the deadline, organised by the enterprise itself or a
事故单位培训 class (organised for accident units by a unit or department). Its
`fulfilled_on` is the date the last of them was trained.

An audience with nobody recorded is not fulfilled: the page says that the enterprise
has registered no such person (a regulator must not read "done" where nobody was
counted). A fulfilled obligation stays fulfilled (staff hired later do not reopen it);
a late class never fulfils an overdue one — the record says it was overdue.

`refresh_obligations(enterprise)` re-judges the open obligations of one enterprise;
signals on `Attendance` and `TrainingSession` (connected in `apps.py`) call it for the
enterprises whose staff an attendance touches — one indexed query when none is open.
Bulk writes (the xlsx attendance import) bypass signals: they call
`refresh_for_people(person_ids)` once after the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.training.models import Attendance, TrainingObligation, TrainingSession
from xuanpei.workforce.models import Person, Post

Audience = TrainingObligation.Audience
# The post type each audience means (workforce.PostType codes); None: every post.
AUDIENCE_POST_TYPES: dict[str, str | None] = {
    Audience.PRINCIPAL: "principal",
    Audience.SAFETY_MANAGER: "safety_manager",
    Audience.ALL_STAFF: None,
}
COUNTED_STATUSES = (TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED)
REMIND_DAYS = 7  # due within a week: reminded once; overdue: reminded once more

OPEN, OVERDUE, FULFILLED = "open", "overdue", "fulfilled"
STATUS_LABELS = {
    OPEN: gettext_lazy("未完成"),
    OVERDUE: gettext_lazy("已逾期"),
    FULFILLED: gettext_lazy("已完成"),
}


def status_of(obligation: TrainingObligation, today: date | None = None) -> str:
    if obligation.fulfilled_on:
        return FULFILLED
    today = today or timezone.localdate()
    return OVERDUE if obligation.due_on < today else OPEN


def status_q(status: str, today: date | None = None) -> Q:
    """The rows of one status, for list filters and counts."""
    today = today or timezone.localdate()
    if status == FULFILLED:
        return Q(fulfilled_on__isnull=False)
    if status == OVERDUE:
        return Q(fulfilled_on__isnull=True, due_on__lt=today)
    return Q(fulfilled_on__isnull=True, due_on__gte=today)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Judgement:
    """Who an obligation covers and who of them is trained, as of now."""

    obligation: TrainingObligation
    audience: list[int] = field(default_factory=list)
    trained_on: dict[int, date] = field(default_factory=dict)  # person id → first class

    @property
    def missing(self) -> list[int]:
        return [pk for pk in self.audience if pk not in self.trained_on]

    @property
    def fulfilled_on(self) -> date | None:
        if not self.audience or self.missing:
            return None
        return max(self.trained_on.values())


def judge_many(rows) -> dict[int, Judgement]:
    """Judge obligations together (a page of them, an enterprise's): three queries in all —
    the on-duty posts of their enterprises, the attendances of those people at counting
    sessions, nothing per row. Returns obligation pk → Judgement."""
    rows = list(rows)
    if not rows:
        return {}
    enterprise_ids = {o.accident.enterprise_id for o in rows}
    posts: dict[int, list[tuple[int, str]]] = {}
    for ent_id, person_id, type_id in (
        Post.objects.filter(enterprise_id__in=enterprise_ids, end_date__isnull=True)
        .order_by()
        .values_list("enterprise_id", "person_id", "post_type_id")
    ):
        posts.setdefault(ent_id, []).append((person_id, type_id))
    people = {pid for found in posts.values() for pid, _type in found}
    earliest = min(o.accident.occurred_on for o in rows) + timedelta(days=1)
    counted = Q(session__status__in=COUNTED_STATUSES) & (
        Q(session__enterprise_id__in=enterprise_ids)
        | Q(session__kind=TrainingSession.Kind.ACCIDENT_UNIT)
    )
    # person → [(organising enterprise, kind, local date)] of counting sessions.
    attended: dict[int, list[tuple[int | None, str, date]]] = {}
    if people:
        for person_id, ent_id, kind, starts_at in (
            Attendance.objects.filter(
                person_id__in=people, session__starts_at__gte=_start_of(earliest)
            )
            .filter(counted)
            .order_by()
            .values_list(
                "person_id", "session__enterprise_id", "session__kind", "session__starts_at"
            )
        ):
            attended.setdefault(person_id, []).append((ent_id, kind, timezone.localdate(starts_at)))
    found = {}
    for obligation in rows:
        accident = obligation.accident
        code = AUDIENCE_POST_TYPES[obligation.audience]
        audience = sorted(
            {
                pid
                for pid, type_id in posts.get(accident.enterprise_id, [])
                if code is None or type_id == code
            }
        )
        judgement = Judgement(obligation, audience)
        for pid in audience:
            days = [
                day
                for ent_id, kind, day in attended.get(pid, [])
                if (ent_id == accident.enterprise_id or kind == TrainingSession.Kind.ACCIDENT_UNIT)
                and accident.occurred_on < day <= obligation.due_on
            ]
            if days:
                judgement.trained_on[pid] = min(days)
        found[obligation.pk] = judgement
    return found


def judge(obligation: TrainingObligation) -> Judgement:
    return judge_many([obligation])[obligation.pk]


def refresh_obligations(enterprise) -> list[TrainingObligation]:
    """Set `fulfilled_on` on the enterprise's open obligations now fulfilled; returns them."""
    enterprise_id = getattr(enterprise, "pk", enterprise)
    pending = TrainingObligation.objects.filter(
        accident__enterprise_id=enterprise_id, fulfilled_on__isnull=True
    ).select_related("accident")
    done = []
    for judgement in judge_many(pending).values():
        if judgement.fulfilled_on:
            obligation = judgement.obligation
            obligation.fulfilled_on = judgement.fulfilled_on
            obligation.save(update_fields=["fulfilled_on"])
            done.append(obligation)
    return done


def refresh_for_people(person_ids) -> None:
    """Re-judge the open obligations of every enterprise where these people hold a post."""
    enterprise_ids = (
        TrainingObligation.objects.filter(
            fulfilled_on__isnull=True,
            accident__enterprise__posts__person_id__in=list(person_ids),
            accident__enterprise__posts__end_date__isnull=True,
        )
        .order_by()
        .values_list("accident__enterprise_id", flat=True)
        .distinct()
    )
    for enterprise_id in list(enterprise_ids):
        refresh_obligations(enterprise_id)


def missing_people(obligation: TrainingObligation) -> list[Person]:
    """The people of the audience not yet trained (nobody once fulfilled)."""
    if obligation.fulfilled_on:
        return []
    missing = judge(obligation).missing
    return list(Person.objects.filter(pk__in=missing).order_by("name", "pk"))


# --------------------------------------------------------------------------- signals


def _attendance_changed(sender, instance, **kwargs):
    refresh_for_people([instance.person_id])


def _session_saved(sender, instance, **kwargs):
    if instance.status not in COUNTED_STATUSES:
        return
    people = Attendance.objects.filter(session_id=instance.pk).values("person_id")
    enterprise_ids = (
        TrainingObligation.objects.filter(
            fulfilled_on__isnull=True,
            accident__enterprise__posts__person_id__in=people,
            accident__enterprise__posts__end_date__isnull=True,
        )
        .order_by()
        .values_list("accident__enterprise_id", flat=True)
        .distinct()
    )
    for enterprise_id in list(enterprise_ids):
        refresh_obligations(enterprise_id)


def connect_signals() -> None:
    """Called from `TrainingConfig.ready()`."""
    uid = "training.obligations"
    post_save.connect(_attendance_changed, sender=Attendance, dispatch_uid=f"{uid}.attendance")
    post_delete.connect(_attendance_changed, sender=Attendance, dispatch_uid=f"{uid}.att_del")
    post_save.connect(_session_saved, sender=TrainingSession, dispatch_uid=f"{uid}.session")


# --------------------------------------------------------------------------- reminders


def _recipients(enterprise) -> list[dict]:
    """The enterprise, its 属地 and its supervising departments."""
    found = [{"enterprise_id": enterprise.pk, "unit_id": None}]
    unit_ids = [enterprise.unit_id, *(d.pk for d in enterprise.departments.all())]
    found += [{"enterprise_id": None, "unit_id": pk} for pk in dict.fromkeys(unit_ids)]
    return found


def obligation_reminders(on: date):
    """Unsaved messages for obligations due within a week or overdue (a `reminders` source).

    To the enterprise, its 属地 and its supervising departments; one key per obligation,
    stage (due / overdue) and recipient, so a daily run raises each once.
    """
    from xuanpei.notifications.models import Notification, NotificationLevel

    due = TrainingObligation.objects.filter(
        fulfilled_on__isnull=True, due_on__lte=on + timedelta(days=REMIND_DAYS)
    ).select_related("accident__enterprise__unit")
    for obligation in due.prefetch_related("accident__enterprise__departments").order_by(
        "due_on", "pk"
    ):
        enterprise = obligation.accident.enterprise
        overdue = obligation.due_on < on
        stage = "overdue" if overdue else "due"
        facts = {
            "ent": enterprise.name,
            "who": obligation.get_audience_display(),
            "due": obligation.due_on.isoformat(),
            "accident": obligation.accident.occurred_on.isoformat(),
        }
        title = (
            _("%(ent)s事故后%(who)s培训已逾期（期限 %(due)s）")
            if overdue
            else _("%(ent)s事故后%(who)s培训将于 %(due)s 到期")
        ) % facts
        body = (
            _(
                "%(ent)s %(accident)s 发生生产安全事故，%(who)s须在 %(due)s 前完成培训并签到。"
                "请组织尚未培训的人员参加培训。"
            )
            % facts
        )
        url = reverse("training:accident_detail", args=[obligation.accident_id])
        for to in _recipients(enterprise):
            who = f"e{to['enterprise_id']}" if to["enterprise_id"] else f"u{to['unit_id']}"
            yield Notification(
                **to,
                kind="training",
                key=f"training:obligation-{stage}:{obligation.pk}:{who}",
                level=NotificationLevel.DANGER if overdue else NotificationLevel.WARNING,
                title=title[:200],
                body=body,
                url=url,
                due_date=obligation.due_on,
            )
