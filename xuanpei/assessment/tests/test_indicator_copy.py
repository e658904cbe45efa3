"""A new year's indicator library as a copy of last year's (issue #13 §1): the service
copies every indicator and refuses a year the unit already has; the page's button is the
district's only."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xuanpei.assessment import services_indicators as svc
from xuanpei.assessment.factories import IndicatorFactory, IndicatorSetFactory
from xuanpei.assessment.models import AssessedKind, Indicator, IndicatorSet

pytestmark = pytest.mark.django_db

FIELDS = ("code", "name", "kind", "applies_to", "weight", "rule", "source", "params", "sort_order")


def _library(d, year=2026) -> IndicatorSet:
    iset = IndicatorSetFactory(
        unit=d.root, year=year, title=f"{year}年宣传教育培训工作考核指标", notes="按季度考核"
    )
    IndicatorFactory(
        indicator_set=iset,
        code="publicity",
        name="宣传活动",
        weight=Decimal("60"),
        source="publicity_activities",
        params={"quota": {"new_town": 6}},
        sort_order=2,
    )
    IndicatorFactory(
        indicator_set=iset,
        code="inspection",
        name="督查扣分",
        kind=Indicator.Kind.DEDUCTION,
        applies_to=[AssessedKind.NEW_TOWN],
        weight=Decimal("5"),
        rule="督查发现问题每项扣1分",
        sort_order=1,
    )
    return iset


def _rows(iset):
    return [
        tuple(getattr(i, f) for f in FIELDS) for i in iset.indicators.order_by("sort_order", "pk")
    ]


def test_the_copy_has_every_indicator_of_last_year(district):
    d = district
    source = _library(d)
    copy = svc.copy_indicator_set(source, year=2027, actor=d.district)
    assert (copy.unit, copy.year, copy.notes) == (d.root, 2027, "按季度考核")
    assert copy.title == "2027年宣传教育培训工作考核指标"
    assert _rows(copy) == _rows(source) and len(_rows(copy)) == 2
    assert set(copy.indicators.values_list("created_by", flat=True)) == {d.district.pk}
    # The source is untouched, and the copy is independent of it.
    assert source.indicators.count() == 2
    copy.indicators.filter(code="publicity").update(weight=Decimal("50"))
    assert source.indicators.get(code="publicity").weight == Decimal("60")


def test_a_year_the_unit_already_has_is_refused(district):
    d = district
    source = _library(d)
    IndicatorSetFactory(unit=d.root, year=2027, title="2027年已建")
    with pytest.raises(ValidationError) as exc:
        svc.copy_indicator_set(source, year=2027, actor=d.district)
    assert "已有2027年的考核指标体系" in str(exc.value)
    assert IndicatorSet.objects.get(unit=d.root, year=2027).indicators.count() == 0
    with pytest.raises(ValidationError):
        svc.copy_indicator_set(source, year=2026, actor=d.district)  # its own year
    with pytest.raises(ValidationError):
        svc.copy_indicator_set(source, year=1999, actor=d.district)


def test_the_copy_is_all_or_nothing(district, monkeypatch):
    d = district
    source = _library(d)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Indicator.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        svc.copy_indicator_set(source, year=2027, actor=d.district)
    assert not IndicatorSet.objects.filter(year=2027).exists()


def test_only_the_district_copies(district):
    d = district
    with pytest.raises(PermissionDenied):
        svc.copy_indicator_set(_library(d), year=2027, actor=d.town_a)
    assert not IndicatorSet.objects.filter(year=2027).exists()


def test_the_district_copies_from_the_list_and_the_set_page(client, district):
    d = district
    source = _library(d)
    client.force_login(d.district)
    url = reverse("assessment:indicator_set_copy", args=[source.pk])
    listing = client.get(reverse("assessment:indicator_set_list")).content.decode()
    assert url in listing and "复制为2027年指标体系" in listing
    detail = client.get(reverse("assessment:indicator_set_detail", args=[source.pk]))
    assert "复制为2027年指标体系" in detail.content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url, {"year": "2027", "back": "list"}, follow=True)
    copy = IndicatorSet.objects.get(unit=d.root, year=2027)
    assert response.redirect_chain[-1][0] == reverse(
        "assessment:indicator_set_detail", args=[copy.pk]
    )
    assert "已按2026年指标体系建立2027年指标体系（2项指标）" in response.content.decode()
    # Once 2027 exists the button is gone from 2026, and 2027 offers 2028.
    listing = client.get(reverse("assessment:indicator_set_list")).content.decode()
    assert "复制为2027年指标体系" not in listing and "复制为2028年指标体系" in listing
    # A second copy (an old page's button) is refused with the reason, on the list.
    response = client.post(url, {"year": "2027", "back": "list"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessment:indicator_set_list")
    assert "已有2027年的考核指标体系" in response.content.decode()
    page = client.post(url, {"year": "明年"}, follow=True).content.decode()
    assert "不是整数" in page
    assert IndicatorSet.objects.filter(unit=d.root).count() == 2


def test_a_town_sees_no_button_and_is_refused(client, district):
    d = district
    source = _library(d)
    client.force_login(d.town_a)
    url = reverse("assessment:indicator_set_copy", args=[source.pk])
    listing = client.get(reverse("assessment:indicator_set_list")).content.decode()
    assert source.title in listing and "indicator-set-copy" not in listing
    detail = client.get(reverse("assessment:indicator_set_detail", args=[source.pk]))
    assert "indicator-set-copy" not in detail.content.decode()
    assert client.post(url, {"year": "2027"}).status_code == 403
    assert not IndicatorSet.objects.filter(year=2027).exists()
