"""Personal data of people on rosters (issue #3 §7): who sees ID numbers and phones whole.

The ONE place that decides it. Pages, the API and the roster export all ask
`can_see_personal_data(user)`; nothing else compares roles for this.

Decision:
- District admins and unit admins (and superusers) may see whole ID numbers and
  phones: they verify identities, chase uncertified workers and answer for the
  roster in their area. Reporters (enterprise and department 填报员) and
  read-only users see them masked (610***********123X, 139****1234); the
  enterprise typed its own roster in and does not need it echoed back.
- Seeing is not free even for them: every delivery of a whole ID number is
  written to the audit log as an ACCESS entry naming who saw whose number, when
  and through what (`log_id_access`). On pages the number stays masked until the
  user asks for it ("查看完整身份证号"), so a list of 25 people is not 25 disclosures;
  the API logs each person whose whole number it returns.
- A certificate number that embeds the holder's ID number (特种作业操作证: "T" +
  身份证号) is the ID number in disguise, so it is masked by the same rule
  (`display_certificate_number`).
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from xuanpei.core.permissions import Role
from xuanpei.core.validators import mask_id_number, mask_phone

# Roles whose work needs whole ID numbers and phones (see the module docstring).
PERSONAL_DATA_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.UNIT_ADMIN})


def can_see_personal_data(user) -> bool:
    """May `user` see whole ID numbers and phones of the people in its scope?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "role", None) in PERSONAL_DATA_ROLES


def display_phone(phone: str, user) -> str:
    """The phone as `user` may see it."""
    if not phone:
        return ""
    return phone if can_see_personal_data(user) else mask_phone(phone)


def mask_certificate_number(number: str, id_number: str) -> str:
    """The number with the holder's ID number inside it masked (T610***********123X)."""
    if id_number and id_number in number:
        return number.replace(id_number, mask_id_number(id_number))
    return number


def display_certificate_number(number: str, id_number: str, user, *, reveal: bool = False) -> str:
    """The certificate number as `user` may see it; whole only when revealing for an allowed user.

    `reveal` is the caller's statement that it logs the disclosure (`log_id_access`).
    """
    if reveal and can_see_personal_data(user):
        return number
    return mask_certificate_number(number, id_number)


def embeds_id_number(number: str, id_number: str) -> bool:
    return bool(id_number) and id_number in number


def log_id_access(user, people: Iterable, *, via: str, remote_addr: str | None = None) -> int:
    """Record that `user` was shown the whole ID number of each of `people` (ACCESS entries).

    `via` names the channel ("page", "api", "export"). One row per person, written in
    one statement. Returns the number of entries written.
    """
    people = [p for p in people if p is not None and p.pk is not None]
    if not people:
        return 0
    content_type = ContentType.objects.get_for_model(type(people[0]))
    actor = user if getattr(user, "is_authenticated", False) else None
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(person.pk),
            object_id=person.pk,
            object_repr=str(person)[:200],
            action=LogEntry.Action.ACCESS,
            changes={},
            changes_text="",
            actor=actor,
            actor_email=getattr(actor, "email", None) or None,
            remote_addr=remote_addr,
            additional_data={"field": "id_number", "via": via},
        )
        for person in people
    ]
    LogEntry.objects.bulk_create(entries)
    return len(entries)
