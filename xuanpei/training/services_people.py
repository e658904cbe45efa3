"""Use cases of people's posts at units (issue #12 item 1, "One person, everywhere").

A cadre (干部) or a grid officer (网格员) is a `workforce.Person` — the one record
keyed by 身份证号, whichever module met the person first — with a `UnitPost` here.
The form, the API and the importers all write through these functions, so they
answer alike, in Chinese:

- the ID number is checked by the workforce rule (GB 11643-1999, a 15-digit number
  converted); an existing person is reused, never copied; a stored name that differs
  from the one given is refused without saying whose the number is (the person may
  be outside the writer's scope);
- a grid officer covers a 新城, 镇街 or 村/社区 grid (not a department, not the
  district); a cadre serves at any unit or department below the district root or at it;
- one on-duty post per person, unit and role (the import's natural key);
- the end date is not before the start date;
- the post must lie in the writer's scope afterwards (rolled back otherwise).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core.validators import parse_id_number
from xuanpei.core.views import ensure_in_scope
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.training.models import UnitPost
from xuanpei.workforce.models import Person

# The grids a grid officer covers (issue #12 item 1: 新城 / 镇街 / 村社区).
GRID_KINDS = frozenset(
    {
        UnitKind.NEW_TOWN,
        UnitKind.TOWN,
        UnitKind.SUBDISTRICT,
        UnitKind.VILLAGE,
        UnitKind.COMMUNITY,
    }
)
POST_FIELDS = ("title", "phone", "start_date", "end_date")
NAME_LENGTH = Person._meta.get_field("name").max_length


def normalize_name(name) -> str:
    return "".join(str(name or "").split())


def clean_id_number(value) -> str:
    """The stored 18-character form of an ID number; ValidationError naming 身份证号."""
    try:
        return parse_id_number(value).number
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None


def name_mismatch_error() -> ValidationError:
    return ValidationError(
        {"name": _("该身份证号已登记的姓名与填写的姓名不一致，请核对姓名和身份证号")}
    )


def find_person(id_number: str) -> Person | None:
    """The one person with this (normalised) ID number, whoever met them first."""
    return Person.objects.filter(id_number=id_number).first()


def find_or_create_person(*, id_number, name) -> tuple[Person, bool]:
    """The person keyed by `id_number`, created when nobody has it yet (created=True)."""
    number = clean_id_number(id_number)
    name = normalize_name(name)
    if not name:
        raise ValidationError({"name": _("请填写姓名")})
    if len(name) > NAME_LENGTH:
        raise ValidationError({"name": _("姓名不能超过%(n)s个字") % {"n": NAME_LENGTH}})
    person = find_person(number)
    if person is not None:
        if normalize_name(person.name) != name:
            raise name_mismatch_error()
        return person, False
    person = Person(name=name, id_number=number)
    person.full_clean(validate_unique=False, validate_constraints=False)
    person.save()
    return person, True


def unit_error(role: str, unit: Unit | None) -> str:
    """Why `unit` cannot hold a post of `role` ("" when it can)."""
    if unit is None:
        return _("请选择所在单位或网格")
    if role == UnitPost.Role.GRID_OFFICER and unit.kind not in GRID_KINDS:
        return _("网格员只能登记在新城、镇街或村（社区）网格，“%(unit)s”不是网格") % {
            "unit": unit.name
        }
    return ""


def post_errors(*, role, unit, start_date: date | None, end_date: date | None) -> dict:
    errors = {}
    if role not in UnitPost.Role.values:
        errors["role"] = _("未知的身份")
    elif reason := unit_error(role, unit):
        errors["unit"] = reason
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("离任日期不能早于任职日期")
    return errors


def _check_on_duty_unique(post: UnitPost) -> None:
    if post.end_date is not None:
        return
    twin = UnitPost.objects.filter(
        person=post.person, unit=post.unit, role=post.role, end_date__isnull=True
    ).exclude(pk=post.pk)
    if twin.exists():
        raise ValidationError(
            _("%(name)s已是%(unit)s在任的%(role)s，不能重复登记")
            % {"name": post.person.name, "unit": post.unit.name, "role": post.get_role_display()}
        )


def _save(post: UnitPost, *, actor, action: str, fields: list[str] | None = None) -> UnitPost:
    errors = post_errors(
        role=post.role, unit=post.unit, start_date=post.start_date, end_date=post.end_date
    )
    if errors:
        raise ValidationError(errors)
    post.full_clean(exclude=["person", "unit"], validate_unique=False, validate_constraints=False)
    _check_on_duty_unique(post)
    post.save(update_fields=fields)
    if actor is not None:
        ensure_in_scope(post, actor, action)
    return post


def create_unit_post(
    *, actor, role, unit, id_number, name, title="", phone="", start_date=None, end_date=None
) -> UnitPost:
    """A new post; its person found by 身份证号 or created."""
    with transaction.atomic(), acting_as(actor):
        person, _created = find_or_create_person(id_number=id_number, name=name)
        post = UnitPost(
            person=person,
            unit=unit,
            role=role,
            title=title or "",
            phone=phone or "",
            start_date=start_date,
            end_date=end_date,
        )
        return _save(post, actor=actor, action="add")


def update_unit_post(post: UnitPost, *, actor, unit=None, **fields) -> UnitPost:
    """Change a post's unit, title, phone or dates (the person and role stay)."""
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic(), acting_as(actor):
        changed = []
        if unit is not None and unit.pk != post.unit_id:
            post.unit = unit
            changed.append("unit")
        for name, value in fields.items():
            value = value if value is not None or name.endswith("_date") else ""
            if getattr(post, name) != value:
                setattr(post, name, value)
                changed.append(name)
        if not changed:
            return post
        return _save(post, actor=actor, action="change", fields=changed)


def end_unit_post(post: UnitPost, *, actor, on: date) -> UnitPost:
    """The person left the post on `on` (离任)."""
    if post.end_date is not None:
        raise ValidationError(_("该岗位已于%(day)s离任") % {"day": post.end_date.isoformat()})
    return update_unit_post(post, actor=actor, end_date=on)
