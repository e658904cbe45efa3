"""Use cases of attendance (issue #12 §3, "Attendance that holds up"): QR sign-in and
sign-out, the organiser's ticked list, corrections of credited hours.

Keyword-only, atomic, audited (auditlog is registered for `Attendance`; the organiser's
writes run inside `acting_as`). Every rule of the issue's "Bad input" is checked here,
so the sign-in page, the API and the importer answer alike, in Chinese:

- a sign-in/out through a link whose token is not the session's (a replayed link of
  another session, a token the organiser changed) is refused;
- outside [sign_in_opens_at, sign_in_closes_at] (both ends included) it is refused,
  with the opening or closing time in local time;
- the trainee confirms with name + the last 4 characters of the ID number; both must
  match exactly one person on the roster. Off the roster: refused, unless the session
  allows walk-ins and exactly one person within the organiser's scope (the session's
  `created_by`) has that name and tail (then enrolled, source WALK_IN); otherwise "see
  the organiser";
- the same person twice is one attendance: the first sign-in is kept and returned,
  `SignInResult.created` False (two racing sign-ins: the unique constraint decides);
- credited hours: the time present inside the session, rounded down to 0.5 h, capped
  at `session.hours` (whole presence credits `session.hours` exactly, which need not
  be a multiple of 0.5); an organiser's correction (reason required) wins over a
  later sign-out.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core.concurrency import lock
from xuanpei.training.models import Attendance, Enrolment, TrainingSession
from xuanpei.workforce.models import Person

HALF_HOUR = Decimal("0.5")
ID_TAIL = re.compile(r"^\d{3}[\dX]$")
AGENT_LENGTH = Attendance._meta.get_field("sign_in_agent").max_length
REASON_LENGTH = Attendance._meta.get_field("correction_reason").max_length


@dataclass(frozen=True)
class SignInResult:
    attendance: Attendance
    created: bool  # False: this person had signed in (out) before; the first time is kept
    message: str


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# Checks shared by sign-in and sign-out ---------------------------------------------------


def _check_token(session: TrainingSession, token) -> None:
    if not isinstance(token, str) or not secrets.compare_digest(
        token.encode(), session.sign_in_token.encode()
    ):
        raise ValidationError(
            {"token": _("签到二维码无效：它不属于本期培训，或已被组织方更换。请扫描现场的签到码")}
        )


def _check_window(session: TrainingSession, now: datetime, *, verb: str) -> None:
    if now < session.sign_in_opens_at:
        raise ValidationError(
            _("%(verb)s尚未开放：本期培训%(opens)s开始%(verb)s")
            % {"verb": verb, "opens": _local(session.sign_in_opens_at)}
        )
    if now > session.sign_in_closes_at:
        raise ValidationError(
            _("%(verb)s已结束：本期培训的%(verb)s已于%(closes)s关闭")
            % {"verb": verb, "closes": _local(session.sign_in_closes_at)}
        )


def _clean_identity(name, id_tail) -> tuple[str, str]:
    name = (name or "").strip() if isinstance(name, str) or name is None else ""
    tail = (id_tail or "").strip().upper() if isinstance(id_tail, str) or id_tail is None else ""
    errors = {}
    if not name:
        errors["name"] = _("请填写姓名")
    elif len(name) > Person._meta.get_field("name").max_length:
        errors["name"] = _("姓名过长")
    if not ID_TAIL.match(tail):
        errors["id_tail"] = _("请填写身份证号后4位（4个字符，前3位为数字，末位为数字或X）")
    if errors:
        raise ValidationError(errors)
    return name, tail


def _see_organiser(name: str, tail: str) -> ValidationError:
    return ValidationError(
        _(
            "本期培训名单中没有姓名为“%(name)s”、身份证号后4位为“%(tail)s”的人员，"
            "请核对姓名和身份证号后4位；如确应参加，请联系培训组织方"
        )
        % {"name": name, "tail": tail}
    )


def _enrolled(session: TrainingSession, name: str, tail: str) -> Person | None:
    """The one person on the roster with this name and ID tail; None when nobody matches;
    refused when several do (the organiser must sort them out)."""
    matches = list(
        Person.objects.filter(
            training_enrolments__session=session, name=name, id_number__endswith=tail
        ).distinct()[:2]
    )
    if len(matches) > 1:
        raise ValidationError(
            _(
                "名单中有多位姓名为“%(name)s”、身份证号后4位为“%(tail)s”的人员，无法确认身份，请联系培训组织方"
            )
            % {"name": name, "tail": tail}
        )
    return matches[0] if matches else None


def _walk_in(session: TrainingSession, name: str, tail: str) -> Person:
    """A walk-in: the one person with this name and ID tail whom the organiser could
    have put on the roster (the scope of the user who created the session), enrolled now."""
    organiser = session.created_by
    people = Person.objects.for_user(organiser) if organiser else Person.objects.none()
    matches = list(people.filter(name=name, id_number__endswith=tail)[:2])
    if len(matches) != 1:
        raise ValidationError(
            _(
                "不在本期培训名单上，系统也无法唯一确认姓名为“%(name)s”、身份证号后4位为"
                "“%(tail)s”的人员，请联系培训组织方现场登记"
            )
            % {"name": name, "tail": tail}
        )
    person = matches[0]
    Enrolment.objects.get_or_create(
        session=session, person=person, defaults={"source": Enrolment.Source.WALK_IN}
    )
    return person


def _clean_ip(ip) -> str | None:
    try:
        return str(ipaddress.ip_address(str(ip).strip())) if ip else None
    except ValueError:
        return None  # a header we cannot read is not the trainee's fault


def _clean_agent(agent) -> str:
    return (agent or "")[:AGENT_LENGTH] if isinstance(agent, str) else ""


# Hours ----------------------------------------------------------------------------------


def credited_hours(session: TrainingSession, signed_in_at: datetime, signed_out_at: datetime):
    """The time present inside [starts_at, ends_at], rounded down to 0.5 h and capped at
    `session.hours`; present for the whole session: exactly `session.hours`."""
    start = max(signed_in_at, session.starts_at)
    end = min(signed_out_at, session.ends_at)
    if signed_in_at <= session.starts_at and signed_out_at >= session.ends_at:
        return session.hours
    if end <= start:
        return Decimal("0.0")
    seconds = int((end - start).total_seconds())
    halves = Decimal(seconds // 1800) * HALF_HOUR
    return min(halves, Decimal(session.hours)).quantize(Decimal("0.1"))


def _clean_hours(session: TrainingSession, hours) -> Decimal:
    try:
        value = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("学时应为数字")}) from None
    if not value.is_finite():
        raise ValidationError({"hours": _("学时应为数字")})
    if value < 0:
        raise ValidationError({"hours": _("学时不能为负数")})
    if value != value.quantize(Decimal("0.1"), rounding=ROUND_FLOOR):
        raise ValidationError({"hours": _("学时最多保留1位小数")})
    if value > session.hours:
        raise ValidationError(
            {
                "hours": _("认定学时%(hours)s超过本期培训的学时%(max)s")
                % {"hours": value, "max": session.hours}
            }
        )
    return value.quantize(Decimal("0.1"))


def _require_organiser(actor, session: TrainingSession) -> None:
    if not TrainingSession.objects.in_scope(actor, session.pk, "change"):
        raise PermissionDenied(_("您没有权限管理该培训班次的签到记录"))


# QR sign-in and sign-out -----------------------------------------------------------------


def _existing(session: TrainingSession, person: Person) -> Attendance | None:
    return Attendance.objects.filter(session=session, person=person).first()


def sign_in(
    session: TrainingSession, *, token, name, id_tail, now: datetime, ip=None, agent=""
) -> SignInResult:
    """A trainee's QR sign-in; a second one returns the first (created=False)."""
    _check_token(session, token)
    _check_window(session, now, verb=_("签到"))
    name, tail = _clean_identity(name, id_tail)
    fields = {
        "signed_in_at": now,
        "sign_in_ip": _clean_ip(ip),
        "sign_in_agent": _clean_agent(agent),
    }
    with transaction.atomic():
        person = _enrolled(session, name, tail)
        if person is None:
            if not session.allow_walk_ins:
                raise _see_organiser(name, tail)
            person = _walk_in(session, name, tail)
        existing = _existing(session, person)
        if existing is None:
            try:
                with transaction.atomic():  # a savepoint: a racing twin may win
                    attendance = Attendance.objects.create(
                        session=session, person=person, method=Attendance.Method.QR, **fields
                    )
                return SignInResult(attendance, True, _("签到成功"))
            except IntegrityError:
                existing = Attendance.objects.get(session=session, person=person)
        if existing.signed_in_at is None:
            # Ticked by the organiser before scanning: the scan adds its evidence.
            lock(existing)
            if existing.signed_in_at is None:
                for key, value in fields.items():
                    setattr(existing, key, value)
                existing.save(update_fields=list(fields))
                return SignInResult(existing, True, _("签到成功"))
    return SignInResult(
        existing,
        False,
        _("您已于%(at)s签到，无需重复签到") % {"at": _local(existing.signed_in_at)},
    )


def sign_out(
    session: TrainingSession, *, token, name, id_tail, now: datetime, ip=None, agent=""
) -> SignInResult:
    """A trainee's QR sign-out: the latest one counts; hours are credited from it."""
    _check_token(session, token)
    _check_window(session, now, verb=_("签退"))
    name, tail = _clean_identity(name, id_tail)
    with transaction.atomic():
        person = _enrolled(session, name, tail)
        if person is None:
            raise _see_organiser(name, tail)
        attendance = _existing(session, person)
        if attendance is not None:
            lock(attendance)
        if attendance is None or attendance.signed_in_at is None:
            raise ValidationError(_("您尚未签到，不能签退：请先扫码签到"))
        if now < attendance.signed_in_at:
            raise ValidationError(
                _("签退时间不能早于签到时间%(at)s") % {"at": _local(attendance.signed_in_at)}
            )
        again = attendance.signed_out_at is not None
        attendance.signed_out_at = now
        attendance.sign_out_ip = _clean_ip(ip)
        attendance.sign_out_agent = _clean_agent(agent)
        fields = ["signed_out_at", "sign_out_ip", "sign_out_agent"]
        if not attendance.correction_reason:  # an organiser's correction wins
            attendance.hours_credited = credited_hours(session, attendance.signed_in_at, now)
            fields.append("hours_credited")
        attendance.save(update_fields=fields)
    message = _("签退成功，认定学时%(hours)s") % {"hours": attendance.hours_credited}
    if again:
        message = _("已更新签退时间。") + message
    return SignInResult(attendance, not again, message)


# The organiser ---------------------------------------------------------------------------


def mark_present(
    session: TrainingSession, people: Iterable[Person], *, actor, hours=None
) -> list[Attendance]:
    """The organiser ticks people of the roster as present, crediting `hours` (default:
    the session's). An existing attendance keeps its sign-in evidence and method; its
    hours are set (audited, with the actor)."""
    _require_organiser(actor, session)
    value = session.hours if hours is None else _clean_hours(session, hours)
    people = list(dict.fromkeys(people))
    enrolled = set(
        Enrolment.objects.filter(session=session, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    missing = [p.name for p in people if p.pk not in enrolled]
    if missing:
        raise ValidationError(
            {
                "people": _("以下人员不在本期培训名单上，请先加入名单：%(names)s")
                % {"names": "、".join(missing)}
            }
        )
    result = []
    with transaction.atomic(), acting_as(actor):
        # The existing ones in one locked read; each write is its own save (audited).
        existing = {
            a.person_id: a
            for a in Attendance.objects.select_for_update().filter(
                session=session, person__in=people
            )
        }
        for person in people:
            attendance = existing.get(person.pk)
            if attendance is None:
                try:
                    with transaction.atomic():  # a racing QR sign-in may have won
                        attendance = Attendance.objects.create(
                            session=session,
                            person=person,
                            method=Attendance.Method.LIST,
                            hours_credited=value,
                        )
                except IntegrityError:
                    attendance = Attendance.objects.select_for_update().get(
                        session=session, person=person
                    )
            if attendance.hours_credited != value:
                attendance.hours_credited = value
                attendance.save(update_fields=["hours_credited"])
            result.append(attendance)
    return result


def correct_hours(attendance: Attendance, *, hours, reason, actor) -> Attendance:
    """An organiser's correction of the credited hours, with a reason (audited)."""
    session = attendance.session
    _require_organiser(actor, session)
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else ""
    errors = {}
    if not reason:
        errors["reason"] = _("更正学时必须填写原因")
    elif len(reason) > REASON_LENGTH:
        errors["reason"] = _("更正原因不能超过%(n)s个字") % {"n": REASON_LENGTH}
    try:
        value = _clean_hours(session, hours)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(actor):
        lock(attendance)
        attendance.hours_credited = value
        attendance.correction_reason = reason
        attendance.save(update_fields=["hours_credited", "correction_reason"])
    return attendance
