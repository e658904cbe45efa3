"""Personal data of people on rosters (issue #3 §7): who sees ID numbers and phones whole.

The policy itself is `core.privacy` (one module for people, certificates and
enterprises' contacts); this module re-exports it for the workforce pages, the
API and the roster export, and adds what only they need:

- Seeing is not free even for the roles that may: every delivery of a whole ID
  number is written to the audit log as an ACCESS entry naming who saw whose
  number, when and through what (`log_id_access`). On pages the number stays
  masked until the user asks for it ("查看完整身份证号"), so a list of 25 people is
  not 25 disclosures; the API logs each person whose whole number it returns.
- A certificate number that embeds an ID-like string (特种作业操作证: "T" +
  身份证号, or a near miss of it) is the ID number in disguise, so it is masked
  by the same rule (`mask_certificate_number`, issue #9 item 3).
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from xuanpei.core.privacy import (
    PERSONAL_DATA_ROLES,
    can_see_personal_data,
    display_phone,
    embeds_id_like,
    mask_id_like,
)

__all__ = [
    "PERSONAL_DATA_ROLES",
    "can_see_personal_data",
    "display_certificate_number",
    "display_phone",
    "embeds_id_number",
    "log_id_access",
    "mask_certificate_number",
]


def mask_certificate_number(number: str, id_number: str = "") -> str:
    """The number with every ID-like run masked (T610***********123X), whatever its check digit."""
    return mask_id_like(number, id_number)


def display_certificate_number(number: str, id_number: str, user, *, reveal: bool = False) -> str:
    """The certificate number as `user` may see it; whole only when revealing for an allowed user.

    `reveal` is the caller's statement that it logs the disclosure (`log_id_access`).
    """
    if reveal and can_see_personal_data(user):
        return number
    return mask_certificate_number(number, id_number)


def embeds_id_number(number: str, id_number: str = "") -> bool:
    """Does the number carry an ID-like run (so showing it whole is a disclosure)?"""
    return embeds_id_like(number, id_number)


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
