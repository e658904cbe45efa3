"""Who sees personal data whole, and how it is masked for everyone else (issue #3 §7, #9 item 3).

The ONE policy. People's ID numbers and phones (workforce), the ID numbers that
certificate numbers embed, and enterprises' contact phones (orgs) all ask
`can_see_personal_data(user)` and mask with the functions below; nothing else
compares roles for this. It lives in `core` because both `orgs` and the domain
apps use it (style.md §21: dependencies point down); `workforce.privacy` adds the
audit log of whole ID numbers on top.

Decision:
- District admins and unit admins (and superusers) may see whole ID numbers and
  phones: they verify identities, chase uncertified workers and answer for the
  roster in their area. Reporters (enterprise and department 填报员) and
  read-only users see them masked (610***********123X, 139****1234).
- A certificate number that embeds something shaped like an ID number is the
  ID number in disguise, whether or not it is exactly the holder's: "T" + an ID
  with two digits swapped reveals as much. So every ID-like run inside a number
  is masked by the ID rule (`mask_id_like`).
"""

from __future__ import annotations

import re
from datetime import date

from xuanpei.core.permissions import Role
from xuanpei.core.validators import mask_id_number, mask_phone

# Roles whose work needs whole ID numbers and phones (see the module docstring).
PERSONAL_DATA_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.UNIT_ADMIN})


def can_see_personal_data(user) -> bool:
    """May `user` see whole ID numbers and phones in its scope?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "role", None) in PERSONAL_DATA_ROLES


# Phones --------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"([、;；,，/]+)")


def mask_phones(value: str) -> str:
    """Each number of a contact field masked (138****1234、029*****6666), separators kept."""
    parts = _PHONE_SEPARATORS.split(str(value or ""))
    return "".join(
        p if i % 2 else (mask_phone(p.strip()) if p.strip() else p) for i, p in enumerate(parts)
    )


def display_phone(phone: str, user) -> str:
    """One or several phone numbers as `user` may see them."""
    if not phone:
        return ""
    return phone if can_see_personal_data(user) else mask_phones(phone)


def keep_masked_phone(form, name: str, user) -> None:
    """An edit form for a user who sees phones masked: the stored number is shown masked,
    and sending the masked text back unchanged keeps the stored number (the form must
    not echo what the page hides, nor turn it into stars)."""
    stored = getattr(form.instance, name, "") or ""
    if not stored or can_see_personal_data(user) or name not in form.fields:
        return
    masked = mask_phones(stored)
    field = form.fields[name]
    form.initial[name] = masked
    clean = field.clean

    def clean_keeping_masked(value):
        return clean(stored if str(value or "").strip() == masked else value)

    field.clean = clean_keeping_masked


# ID numbers inside other strings -----------------------------------------------------

# An 18-character run shaped like a GB 11643-1999 number (17 digits + digit/X,
# any check character), or a 15-digit GB 11643-1989 number. Lookahead: overlapping
# runs are all found (a number may carry extra digits before the ID).
_ID18_RUN = re.compile(r"(?=(\d{17}[\dXx]))")
_ID15_RUN = re.compile(r"(?=(\d{15}))")
_ID_HEAD, _ID_TAIL = 3, 4  # what mask_id_number keeps


def _plausible_birth_date(year: int, month: int, day: int) -> bool:
    if not 1800 <= year <= 2099:  # domain.md §4.3 has a valid ID born in 1880
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def id_like_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every run of `text` shaped like an ID number with a real birth date."""
    text = str(text or "")
    spans = []
    for m in _ID18_RUN.finditer(text):
        run = m.group(1)
        if _plausible_birth_date(int(run[6:10]), int(run[10:12]), int(run[12:14])):
            spans.append((m.start(1), m.start(1) + 18))
    for m in _ID15_RUN.finditer(text):
        run = m.group(1)
        if _plausible_birth_date(1900 + int(run[6:8]), int(run[8:10]), int(run[10:12])):
            spans.append((m.start(1), m.start(1) + 15))
    return spans


def _near(run: str, id_number: str) -> bool:
    """`run` is the holder's ID number with at most two characters changed (a typo or a swap)."""
    return (
        len(run) == len(id_number) and sum(a != b for a, b in zip(run, id_number, strict=True)) <= 2
    )


def mask_id_like(text: str, id_number: str = "") -> str:
    """`text` with every ID-like run masked as `mask_id_number` masks an ID (T610***********123X).

    Each run keeps at most its first 3 and last 4 characters; overlapping runs
    hide the union of their middles. `id_number` (the holder's) adds the runs
    within two characters of it, even when a swap broke the birth date.
    """
    text = str(text or "")
    spans = id_like_spans(text)
    if id_number:
        size = len(id_number)
        spans += [
            (i, i + size)
            for i in range(len(text) - size + 1)
            if _near(text[i : i + size].upper(), id_number.upper())
        ]
    if not spans:
        return text
    hidden = [False] * len(text)
    for start, end in spans:
        for i in range(start + _ID_HEAD, end - _ID_TAIL):
            hidden[i] = True
    return "".join("*" if h else c for c, h in zip(text, hidden, strict=True))


def embeds_id_like(text: str, id_number: str = "") -> bool:
    """Does masking change `text`, i.e. does it carry an ID-like run?"""
    return mask_id_like(text, id_number) != str(text or "")


__all__ = [
    "PERSONAL_DATA_ROLES",
    "can_see_personal_data",
    "display_phone",
    "embeds_id_like",
    "id_like_spans",
    "mask_id_like",
    "mask_id_number",
    "mask_phones",
]
