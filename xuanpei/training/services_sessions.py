"""Use cases of training sessions (issue #12 §2, and the organiser's side of §3): record
and edit a session, its status (计划中 → 已举办 → 已归档), its roster, exam results and
files, and the organiser's attendance actions.

Keyword-only, atomic, audited (auditlog through `acting_as`). The pages and the API call
the same functions, so every rule answers alike, in Chinese, naming the field:

- the organiser unit lies in the actor's scope (publicity's `recording_units`); an
  enterprise account organises for itself, on its 属地 (set here, not by the form);
- the session ends after it starts; its hours are > 0 and at most its length;
- the plan task is a task of a plan the organising unit sees (publicity's `tasks_for`),
  the institution one the actor sees;
- an archived session is read-only (roster, scores, files, attendance, its fields);
  only a draft without attendance may be deleted;
- enrolment is idempotent (one row per session and person: `Enrolment` is unique);
  people are those the actor may name (`enrollable_people`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core import uploads
from xuanpei.core.concurrency import lock, transition
from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import UserScope
from xuanpei.publicity.services_activities import recording_units, tasks_for
from xuanpei.training import services as attendance_services
from xuanpei.training.models import (
    Attendance,
    Enrolment,
    Institution,
    SessionFile,
    TrainingSession,
    UnitPost,
)
from xuanpei.workforce.models import Person, Post

Status = TrainingSession.Status
MAX_FILES_PER_SESSION = 60
MAX_SCORE = Decimal("100")
MAX_HEADCOUNT = 100_000


def _deny(message: str | None = None):
    raise PermissionDenied(message or _("您没有权限执行此操作"))


# Who and what ---------------------------------------------------------------------------


def organiser_units(user):
    """Units `user` may organise a session for (an enterprise: its 属地 only)."""
    return recording_units(user)


def tasks_for_session(user, unit=None):
    """Plan tasks (附件2 rows) a session of `unit` (default: the user's) may deliver."""
    from xuanpei.plans.models import Task

    scope = UserScope.of(user)
    if unit is None:
        if scope.enterprise_id:
            from xuanpei.orgs.models import Enterprise

            unit = Enterprise.objects.get(pk=scope.enterprise_id).unit
        else:
            unit = user.unit
    visible = Task.objects.for_user(user, "view").values("pk")
    return tasks_for(unit, None, enterprise=bool(scope.enterprise_id)).filter(pk__in=visible)


def enrollable_people(user):
    """People `user` may put on a roster: those it sees (enterprise staff through their
    posts) and the cadres and grid officers of the units it sees (their `UnitPost`)."""
    posts = UnitPost.objects.for_user(user, "view").values("person_id")
    seen = Person.objects.for_user(user, "view").values("pk")
    return Person.objects.filter(Q(pk__in=seen) | Q(pk__in=posts))


def can_change(user, session: TrainingSession) -> bool:
    return session.status != Status.ARCHIVED and TrainingSession.objects.in_scope(
        user, session.pk, "change"
    )


def _require_change(actor, session: TrainingSession) -> None:
    if not TrainingSession.objects.in_scope(actor, session.pk, "change"):
        _deny(_("您没有权限管理该培训班次"))
    if session.status == Status.ARCHIVED:
        raise ValidationError(_("该培训班次已归档，不能再修改"))


# Recording a session ----------------------------------------------------------------------


def session_hours_limit(session: TrainingSession) -> Decimal:
    """The session's length in hours (one decimal, rounded down)."""
    seconds = (session.ends_at - session.starts_at).total_seconds()
    return (Decimal(int(seconds)) / Decimal(3600)).quantize(Decimal("0.1"), rounding="ROUND_FLOOR")


def _check_organiser(actor, session: TrainingSession) -> None:
    """The organiser unit lies in the actor's scope; an enterprise organises on its 属地."""
    scope = UserScope.of(actor)
    if scope.enterprise_id:
        from xuanpei.orgs.models import Enterprise

        enterprise = Enterprise.objects.select_related("unit").get(pk=scope.enterprise_id)
        session.enterprise = enterprise
        session.unit = enterprise.unit
        return
    if not session.unit_id and actor.unit_id and session.pk is None:
        session.unit = actor.unit  # not named: the actor's own unit
    if not session.unit_id or not organiser_units(actor).filter(pk=session.unit_id).exists():
        raise ValidationError({"unit": _("组织单位不在您的管辖范围内，不能为其登记培训")})


def _check(actor, session: TrainingSession) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not (session.title or "").strip():
        add("title", _("请填写培训名称"))
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        add("ends_at", _("结束时间必须晚于开始时间"))
    if session.hours is None:
        add("hours", _("请填写学时"))
    elif session.hours <= 0:
        add("hours", _("学时必须大于0"))
    elif session.starts_at and session.ends_at and session.ends_at > session.starts_at:
        limit = session_hours_limit(session)
        if session.hours > limit:
            add(
                "hours",
                _("学时不能超过培训时长（%(n)s 小时）") % {"n": f"{limit.normalize():f}"},
            )
    if session.planned_headcount is not None and session.planned_headcount > MAX_HEADCOUNT:
        add("planned_headcount", _("计划人数不能超过%(n)s") % {"n": MAX_HEADCOUNT})
    if session.task_id and not tasks_for_session(actor, session.unit).filter(pk=session.task_id):
        add("task", _("计划任务不在本单位可选范围内"))
    if session.institution_id and not Institution.objects.for_user(actor, "view").filter(
        pk=session.institution_id
    ):
        add("institution", _("培训机构不在您可选的范围内"))
    if not session.online and not (session.place or "").strip():
        add("place", _("请填写培训地点，或勾选“线上”"))
    if errors:
        raise ValidationError(errors)


def save_session(session: TrainingSession, *, actor) -> TrainingSession:
    """Record a new session (as 计划中) or save an edited one; the one check of the
    pages and the API. Its unit and enterprise stay once stored (field_rules)."""
    creating = session.pk is None
    if creating:
        if not has_action(actor, TrainingSession, "add"):
            _deny()
        session.status = Status.DRAFT
        session.created_by = actor
        _check_organiser(actor, session)
    else:
        stored = TrainingSession.objects.get(pk=session.pk)
        _require_change(actor, stored)
        session.status = stored.status  # moved only by the status actions
    _check(actor, session)
    if not creating and session.hours is not None:
        credited = (
            Attendance.objects.filter(session=session, hours_credited__gt=session.hours)
            .order_by("-hours_credited")
            .values_list("hours_credited", flat=True)
            .first()
        )
        if credited is not None:
            raise ValidationError(
                {
                    "hours": _("已有签到记录认定了%(h)s学时，学时不能低于它（请先更正签到学时）")
                    % {"h": credited}
                }
            )
    with transaction.atomic(), acting_as(actor):
        session.full_clean(exclude=["sign_in_token"])
        session.save()
        if not TrainingSession.objects.in_scope(actor, session.pk, "change"):
            raise PermissionDenied(_("保存后的培训班次不在您的管辖范围内"))
    return session


def delete_session(session: TrainingSession, *, actor) -> None:
    """Delete a draft nobody attended (its roster and files go with it)."""
    with uploads.atomic_with_files(), acting_as(actor):
        lock(session)
        if not TrainingSession.objects.in_scope(actor, session.pk, "delete"):
            _deny()
        if session.status != Status.DRAFT:
            raise ValidationError(_("只有计划中的培训班次可以删除"))
        if session.attendances.exists():
            raise ValidationError(_("该培训班次已有签到记录，不能删除"))
        doomed = [n for f in session.files.all() for n in (f.file.name, f.thumbnail.name)]
        session.delete()
        transaction.on_commit(lambda: uploads.delete_files(doomed))


def can_delete(user, session: TrainingSession) -> bool:
    return (
        session.status == Status.DRAFT
        and TrainingSession.objects.in_scope(user, session.pk, "delete")
        and not session.attendances.exists()
    )


# Status ---------------------------------------------------------------------------------


def mark_held(session: TrainingSession, *, actor, now=None) -> TrainingSession:
    """计划中 → 已举办, once the session has started."""
    now = now or timezone.now()
    if not TrainingSession.objects.in_scope(actor, session.pk, "change"):
        _deny(_("您没有权限管理该培训班次"))
    if session.starts_at > now:
        raise ValidationError(_("培训尚未开始，不能标记为已举办"))
    with transaction.atomic(), acting_as(actor):
        return transition(
            session,
            from_states=[Status.DRAFT],
            changes={"status": Status.HELD},
            refused=_("只有计划中的培训班次可以标记为已举办"),
        )


def archive(session: TrainingSession, *, actor) -> TrainingSession:
    """已举办 → 已归档: from then on read-only (一期一档)."""
    if not TrainingSession.objects.in_scope(actor, session.pk, "change"):
        _deny(_("您没有权限管理该培训班次"))
    with transaction.atomic(), acting_as(actor):
        return transition(
            session,
            from_states=[Status.HELD],
            changes={"status": Status.ARCHIVED},
            refused=_("只有已举办的培训班次可以归档"),
        )


# Roster -----------------------------------------------------------------------------------


def enrol_people(
    session: TrainingSession, people: Iterable[Person], *, actor, source=Enrolment.Source.PICKED
) -> int:
    """Put people on the roster; those already on it stay as they are. Returns how many
    were added. Every person must be one the actor may name."""
    _require_change(actor, session)
    people = list(dict.fromkeys(people))
    allowed = set(
        enrollable_people(actor).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    foreign = [p.name for p in people if p.pk not in allowed]
    if foreign:
        raise ValidationError(
            {"people": _("以下人员不在您的管辖范围内：%(names)s") % {"names": "、".join(foreign)}}
        )
    with transaction.atomic(), acting_as(actor):
        lock(session)
        if session.status == Status.ARCHIVED:
            raise ValidationError(_("该培训班次已归档，不能再修改"))
        present = set(
            Enrolment.objects.filter(session=session, person__in=people).values_list(
                "person_id", flat=True
            )
        )
        added = 0
        for person in people:
            if person.pk in present:
                continue
            # One save per row (audited); a racing twin's insert is the constraint's.
            _row, created = Enrolment.objects.get_or_create(
                session=session,
                person=person,
                defaults={"source": source, "created_by": actor},
            )
            added += created
    return added


@dataclass(frozen=True)
class PostScope:
    """Who to enrol by post: grid officers or cadres of a unit subtree (`role`, `unit`),
    or people with a post type at an enterprise (`post_type`, `enterprise`)."""

    role: str = ""
    unit: object = None
    post_type: object = None
    enterprise: object = None


def people_by_post(actor, scope: PostScope):
    """The on-duty people a PostScope names, within the actor's scope."""
    if scope.role:
        if scope.role not in UnitPost.Role.values:
            raise ValidationError({"role": _("请选择身份（干部或网格员）")})
        posts = UnitPost.objects.for_user(actor, "view").filter(
            role=scope.role, end_date__isnull=True
        )
        if scope.unit is not None:
            posts = posts.filter(unit__path__startswith=scope.unit.path)
        return Person.objects.filter(pk__in=posts.values("person_id"))
    if scope.post_type is not None:
        posts = Post.objects.for_user(actor, "view").filter(
            post_type=scope.post_type, end_date__isnull=True
        )
        if scope.enterprise is not None:
            posts = posts.filter(enterprise=scope.enterprise)
        if scope.unit is not None:
            posts = posts.filter(enterprise__unit__path__startswith=scope.unit.path)
        return Person.objects.filter(pk__in=posts.values("person_id"))
    raise ValidationError(_("请选择按身份（网格员、干部）或按企业岗位添加"))


def enrol_by_post(session: TrainingSession, *, actor, scope: PostScope) -> int:
    """Enrol everyone on duty in the posts `scope` names (idempotent)."""
    people = list(people_by_post(actor, scope))
    if not people:
        raise ValidationError(_("所选范围内没有在岗人员"))
    return enrol_people(session, people, actor=actor, source=Enrolment.Source.BY_POST)


def unenrol(enrolment: Enrolment, *, actor) -> None:
    """Take a person off the roster (not once they attended)."""
    session = enrolment.session
    _require_change(actor, session)
    with transaction.atomic(), acting_as(actor):
        if Attendance.objects.filter(session=session, person_id=enrolment.person_id).exists():
            raise ValidationError(
                _("%(name)s已有签到记录，不能移出名单") % {"name": enrolment.person.name}
            )
        enrolment.delete()


# Attendance (the organiser) ---------------------------------------------------------------


def mark_present(session: TrainingSession, people: Iterable[Person], *, actor):
    """The organiser ticks roster people present (services.mark_present), not once archived."""
    _require_change(actor, session)
    return attendance_services.mark_present(session, people, actor=actor)


def correct_hours(attendance: Attendance, *, hours, reason, actor) -> Attendance:
    """An audited correction with a reason (services.correct_hours), not once archived."""
    _require_change(actor, attendance.session)
    return attendance_services.correct_hours(attendance, hours=hours, reason=reason, actor=actor)


# Exam results ----------------------------------------------------------------------------


def _clean_score(raw, name: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(name)s的考试成绩应为数字") % {"name": name}) from None
    if not value.is_finite() or value < 0 or value > MAX_SCORE:
        raise ValidationError(
            _("%(name)s的考试成绩须在 0 至 %(max)s 之间") % {"name": name, "max": MAX_SCORE}
        )
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError(_("%(name)s的考试成绩最多保留1位小数") % {"name": name})
    return value


def set_scores(session: TrainingSession, rows, *, actor) -> int:
    """Record exam results: `rows` are (enrolment, score or None, passed True/False/None).
    All rows are checked before any is saved. Returns how many changed."""
    _require_change(actor, session)
    rows = list(rows)
    errors, cleaned = [], []
    for enrolment, score, passed in rows:
        if enrolment.session_id != session.pk:
            raise ValidationError(_("名单不属于本期培训"))
        try:
            cleaned.append((enrolment, _clean_score(score, enrolment.person.name), passed))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    changed = 0
    with transaction.atomic(), acting_as(actor):
        for enrolment, score, passed in cleaned:
            if enrolment.exam_score == score and enrolment.passed == passed:
                continue
            enrolment.exam_score, enrolment.passed = score, passed
            enrolment.save(update_fields=["exam_score", "passed", "updated_at"])
            changed += 1
    return changed


# Files -----------------------------------------------------------------------------------


def add_files(session: TrainingSession, files, *, purpose, actor) -> list[SessionFile]:
    """Store photos and materials checked by core's shared checker (photos cleaned)."""
    _require_change(actor, session)
    if purpose not in SessionFile.Purpose.values:
        raise ValidationError({"purpose": _("请选择文件用途")})
    try:
        checked = uploads.check_files(files or [], clean_photo=True)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from exc
    if not checked:
        raise ValidationError({"files": _("请选择要上传的文件")})
    if session.files.count() + len(checked) > MAX_FILES_PER_SESSION:
        raise ValidationError(
            {"files": _("每期培训最多 %(n)d 个照片和资料") % {"n": MAX_FILES_PER_SESSION}}
        )
    stored = []
    with uploads.atomic_with_files(), acting_as(actor):
        for item in checked:
            row = SessionFile(
                session=session,
                purpose=purpose,
                name=item.name,
                kind=item.kind,
                size=item.size,
                created_by=actor,
            )
            stored.append(uploads.store_checked(row, item))
    return stored


def delete_file(item: SessionFile, *, actor) -> None:
    _require_change(actor, item.session)
    doomed = [item.file.name, item.thumbnail.name]
    with transaction.atomic(), acting_as(actor):
        item.delete()
        transaction.on_commit(lambda: uploads.delete_files(doomed))


# Certificates from a passed certification course (issue #12 §5) --------------------------


def certify_refusal(user, enrolment: Enrolment) -> str:
    """Why `user` may not issue or review a certificate from this roster row ("" if it may)."""
    from xuanpei.workforce.models import Certificate

    session = enrolment.session
    if session.kind != TrainingSession.Kind.CERTIFICATION:
        return _("只有三项岗位取证/复审培训可以据此发证或复审")
    if session.status == Status.DRAFT:
        return _("培训尚未举办，不能据此发证或复审")
    if enrolment.passed is not True:
        return _("%(name)s考试未合格（或未录入结果），不能据此发证或复审") % {
            "name": enrolment.person.name
        }
    if enrolment.certificate_id:
        return _("已据此发证或复审，证书编号%(n)s") % {"n": enrolment.certificate.number}
    if not (has_action(user, Certificate, "add") and has_action(user, Certificate, "change")):
        return _("您没有登记证书的权限")
    return ""


def certify_enrolment(
    enrolment: Enrolment,
    *,
    actor,
    on,
    certificate=None,
    kind=None,
    enterprise=None,
    number: str = "",
    operation_item=None,
    issuing_authority: str = "",
):
    """据此发证/复审, once an authorised user confirms it: a passed trainee of a
    certification course gets a new certificate (`kind`, `enterprise`, `number`) or a
    review of `certificate` (theirs) on `on`, through the workforce services; the roster
    row keeps the version it produced. All or nothing."""
    from xuanpei.orgs.models import Enterprise
    from xuanpei.workforce import services as certificates
    from xuanpei.workforce.models import Certificate

    if not Enrolment.objects.in_scope(actor, enrolment.pk, "change"):
        _deny(_("您没有权限管理该培训班次"))
    reason = certify_refusal(actor, enrolment)
    if reason:
        raise ValidationError(reason)
    person = enrolment.person
    with transaction.atomic(), acting_as(actor):
        lock(enrolment)
        if enrolment.certificate_id:
            raise ValidationError(_("已据此发证或复审"))
        if certificate is not None:
            if certificate.holder_id != person.pk or not Certificate.objects.in_scope(
                actor, certificate.pk, "change"
            ):
                raise ValidationError({"certificate": _("请选择该人员本人的现行证书")})
            result = certificates.record_review(certificate, actor=actor, review_date=on)
        else:
            errors = {}
            if kind is None:
                errors["kind"] = _("请选择证书类型")
            if enterprise is None or not Enterprise.objects.for_user(actor, "view").filter(
                pk=enterprise.pk
            ):
                errors["enterprise"] = _("请选择您管辖范围内的所在企业")
            if not (number or "").strip():
                errors["number"] = _("请填写证书编号")
            if errors:
                raise ValidationError(errors)
            result = certificates.issue_certificate(
                actor=actor,
                holder=person,
                kind=kind,
                enterprise=enterprise,
                number=number,
                issue_date=on,
                operation_item=operation_item,
                issuing_authority=issuing_authority,
            )
            if not Certificate.objects.in_scope(actor, result.pk, "change"):
                raise PermissionDenied(_("登记后的证书不在您的管辖范围内"))
        enrolment.certificate = result
        enrolment.save(update_fields=["certificate", "updated_at"])
    return result
