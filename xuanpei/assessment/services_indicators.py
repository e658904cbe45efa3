"""The indicator library's writes (issue #13 §1): sets and indicators, district only.

An indicator is saved on its own (a library is built one line at a time); the set is
checked when it is saved (`save_set`): the weights of its scored indicators must add up
to 100 for every unit type (`indicators.validate_weights`, refused with the sum). A new
year's set may start as a copy of last year's (`copy_indicator_set`).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.assessment.models import AssessedKind, Indicator, IndicatorSet
from xuanpei.core.permissions import is_district_admin


def _district_only(actor) -> None:
    if not is_district_admin(actor):
        raise PermissionDenied(_("只有区安委办维护考核指标"))


def weight_sums(indicator_set: IndicatorSet) -> list[tuple[str, Decimal]]:
    """(unit type label, sum of scored weights) per unit type, for the page."""
    scored = list(
        indicator_set.indicators.filter(kind=Indicator.Kind.SCORED).values_list(
            "applies_to", "weight"
        )
    )
    return [
        (label, sum((w for kinds, w in scored if value in (kinds or [])), Decimal(0)))
        for value, label in AssessedKind.choices
    ]


@transaction.atomic
def save_set(*, indicator_set: IndicatorSet, actor) -> IndicatorSet:
    """Save the set; an existing set's weights are checked (ValidationError names the sum)."""
    from xuanpei.assessment import indicators

    _district_only(actor)
    if indicator_set.pk is None:
        indicator_set.created_by = actor
    indicator_set.full_clean()
    indicator_set.save()
    if indicator_set.indicators.exists():
        indicators.validate_weights(indicator_set)
    return indicator_set


@transaction.atomic
def save_indicator(*, indicator: Indicator, actor) -> Indicator:
    """Save one indicator of a set (the set's sum is checked when the set is saved)."""
    _district_only(actor)
    if indicator.weight is not None and indicator.weight < 0:
        raise ValidationError({"weight": _("权重不能为负数")})
    kinds = set(AssessedKind.values)
    if not indicator.applies_to or not set(indicator.applies_to) <= kinds:
        raise ValidationError({"applies_to": _("请选择适用的单位类型")})
    if indicator.pk is None:
        indicator.created_by = actor
    indicator.full_clean()
    indicator.save()
    return indicator


# The fields an indicator is copied with (everything but its set and its bookkeeping).
COPIED_FIELDS = (
    "code",
    "name",
    "kind",
    "applies_to",
    "weight",
    "rule",
    "source",
    "params",
    "sort_order",
)


def copied_title(source_set: IndicatorSet, year: int) -> str:
    """The copy's title: the source's with its year replaced ("2026年…" → "2027年…")."""
    old = str(source_set.year)
    if old in source_set.title:
        return source_set.title.replace(old, str(year))
    return _("%(year)s年%(title)s") % {"year": year, "title": source_set.title}


@transaction.atomic
def copy_indicator_set(source_set: IndicatorSet, *, year: int, actor) -> IndicatorSet:
    """Year `year`'s set of the same unit as a copy of `source_set` (its notes and every
    indicator with its code, name, kind, unit types, weight, rule, source, params and
    order). Refused when the unit already has a set for that year; all or nothing."""
    from xuanpei.assessment.quarters import YEARS

    _district_only(actor)
    if not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        raise ValidationError(
            _("年度应在 %(lo)s–%(hi)s 之间") % {"lo": YEARS[0], "hi": YEARS[1]}, code="year"
        )
    if IndicatorSet.objects.filter(unit=source_set.unit, year=year).exists():
        raise ValidationError(
            _("%(unit)s已有%(year)s年的考核指标体系，不能再复制；请直接修改该年度的指标体系")
            % {"unit": source_set.unit, "year": year},
            code="exists",
        )
    copy = IndicatorSet(
        unit=source_set.unit,
        year=year,
        title=copied_title(source_set, year)[: IndicatorSet._meta.get_field("title").max_length],
        notes=source_set.notes,
        created_by=actor,
    )
    copy.full_clean()
    copy.save()
    Indicator.objects.bulk_create(
        Indicator(
            indicator_set=copy,
            created_by=actor,
            **{name: getattr(ind, name) for name in COPIED_FIELDS},
        )
        for ind in source_set.indicators.order_by("sort_order", "pk")
    )
    return copy
