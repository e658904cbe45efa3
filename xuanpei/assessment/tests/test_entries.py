"""Manual entries corrected and deleted by the district while their quarter is not
published (issue #13 §1): the services' rules, then the pages (edit → confirmation
listing old → new → saved; delete after a confirmation page; nobody else gets them)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuanpei.assessment import services_entries as svc
from xuanpei.assessment.factories import IndicatorFactory, IndicatorSetFactory, QuarterRunFactory
from xuanpei.assessment.models import Indicator, IndicatorSet, ManualEntry, QuarterRun

pytestmark = pytest.mark.django_db


def _pdf(name="督查记录.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _indicator(d, kind=Indicator.Kind.DEDUCTION, name="督查扣分"):
    iset = IndicatorSet.objects.filter(unit=d.root, year=2026).first()
    iset = iset or IndicatorSetFactory(unit=d.root, year=2026)
    return IndicatorFactory(indicator_set=iset, kind=kind, name=name, source="manual")


def _deduction(d, **extra) -> ManualEntry:
    """东新城 2026 Q2: −2 for an incomplete ledger, with evidence."""
    values = {
        "indicator": _indicator(d),
        "unit": d.town_a_unit,
        "year": 2026,
        "quarter": 2,
        "points": Decimal("-2"),
        "reason": "督查发现宣传台账不全",
        "evidence": _pdf(),
        "actor": d.district,
    }
    values.update(extra)
    return svc.save_manual_entry(**values)


def _publish(d, quarter=2):
    QuarterRunFactory(
        unit=d.root,
        indicator_set=IndicatorSet.objects.get(unit=d.root, year=2026),
        year=2026,
        quarter=quarter,
        status=QuarterRun.Status.PUBLISHED,
    )


# ------------------------------------------------------------------------------ services


def test_an_edit_changes_the_fields_given_and_keeps_the_rest(district):
    d = district
    entry = _deduction(d)
    stored = entry.evidence.name
    svc.update_manual_entry(entry, actor=d.district, points=Decimal("3"), reason=" 台账缺两月 ")
    entry.refresh_from_db()
    # A deduction indicator stores its points negative, whatever the sign typed.
    assert entry.points == Decimal("-3") and entry.reason == "台账缺两月"
    assert entry.evidence.name == stored  # no new file: the stored one stays
    assert (entry.unit, entry.year, entry.quarter) == (d.town_a_unit, 2026, 2)


def test_a_blank_evidence_on_edit_keeps_the_stored_file_and_it_counts(district):
    d = district
    entry = _deduction(d)
    stored = entry.evidence.name
    for blank in (None, "", False):
        svc.update_manual_entry(entry, actor=d.district, evidence=blank, reason="台账不全")
        entry.refresh_from_db()
        assert entry.evidence.name == stored
    assert default_storage.exists(stored)


def test_a_new_evidence_file_replaces_the_stored_one(district, django_capture_on_commit_callbacks):
    d = district
    entry = _deduction(d)
    old = entry.evidence.name
    with django_capture_on_commit_callbacks(execute=True):
        svc.update_manual_entry(entry, actor=d.district, evidence=_pdf("复查记录.pdf"))
    entry.refresh_from_db()
    assert "复查记录" in entry.evidence.name
    assert not default_storage.exists(old)


def test_an_edit_follows_the_rules_of_a_new_entry(district):
    d = district
    bonus = _deduction(
        d,
        indicator=_indicator(d, Indicator.Kind.BONUS, "督查加分"),
        points=Decimal("1"),
        evidence=None,
    )
    with pytest.raises(ValidationError) as exc:
        svc.update_manual_entry(bonus, actor=d.district, reason="  ")
    assert "请填写事由" in str(exc.value)
    # A bonus turned into negative points is a deduction: evidence becomes required.
    with pytest.raises(ValidationError) as exc:
        svc.update_manual_entry(bonus, actor=d.district, points=Decimal("-1"))
    assert "扣分必须填写事由并上传佐证材料" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.update_manual_entry(bonus, actor=d.district, points=Decimal("0"))
    bonus.refresh_from_db()
    assert (bonus.points, bonus.reason) == (Decimal("1"), "督查发现宣传台账不全")


def test_only_the_district_edits_or_deletes(district):
    d = district
    entry = _deduction(d)
    with pytest.raises(PermissionDenied):
        svc.update_manual_entry(entry, actor=d.town_a, reason="自己改")
    with pytest.raises(PermissionDenied):
        svc.delete_manual_entry(entry, actor=d.town_a)
    assert ManualEntry.objects.filter(pk=entry.pk, reason="督查发现宣传台账不全").exists()


def test_delete_removes_the_entry_and_its_file(district, django_capture_on_commit_callbacks):
    d = district
    entry = _deduction(d)
    name = entry.evidence.name
    with django_capture_on_commit_callbacks(execute=True):
        svc.delete_manual_entry(entry, actor=d.district)
    assert not ManualEntry.objects.filter(pk=entry.pk).exists()
    assert not default_storage.exists(name)


def test_a_published_quarter_refuses_edit_delete_and_moving_in(district):
    d = district
    entry = _deduction(d)
    _publish(d)
    with pytest.raises(ValidationError) as exc:
        svc.update_manual_entry(entry, actor=d.district, reason="发布后修改")
    assert "2026年第2季度考核已发布" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.delete_manual_entry(entry, actor=d.district)
    assert ManualEntry.objects.filter(pk=entry.pk, reason="督查发现宣传台账不全").exists()
    # An entry of an open quarter may not be moved into the published one either.
    q3 = _deduction(d, quarter=3)
    with pytest.raises(ValidationError):
        svc.update_manual_entry(q3, actor=d.district, quarter=2)
    q3.refresh_from_db()
    assert q3.quarter == 3


def test_the_changes_listed_are_those_the_save_makes(district):
    d = district
    entry = _deduction(d)
    changes = svc.entry_changes(
        entry, points=Decimal("-2"), reason="台账缺两月", evidence=_pdf("复查记录.pdf")
    )
    assert changes == [
        ("事由", "督查发现宣传台账不全", "台账缺两月"),
        ("佐证材料", entry.evidence.name.rsplit("/", 1)[-1], "复查记录.pdf"),
    ]
    assert svc.entry_changes(entry, points=Decimal("2")) == []  # stored −2 either way


# --------------------------------------------------------------------------------- pages


def _form(entry, **extra):
    data = {
        "indicator": entry.indicator_id,
        "unit": entry.unit_id,
        "quarter": f"{entry.year}Q{entry.quarter}",
        "points": str(entry.points),
        "level": "",
        "reason": entry.reason,
    }
    data.update(extra)
    return data


def test_district_edits_through_a_confirmation_of_old_and_new(client, district):
    d = district
    entry = _deduction(d)
    client.force_login(d.district)
    listing = client.get(reverse("assessment:entry_list")).content.decode()
    url = reverse("assessment:entry_edit", args=[entry.pk])
    assert url in listing and reverse("assessment:entry_delete", args=[entry.pk]) in listing
    page = client.get(url).content.decode()
    assert "督查发现宣传台账不全" in page and "不选择文件即保留原佐证" in page
    # The form's POST shows what will change and saves nothing yet.
    response = client.post(url, _form(entry, reason="台账缺两月", points="-3"))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="entry-changes"' in page
    assert "督查发现宣传台账不全" in page and "台账缺两月" in page and "-3" in page
    entry.refresh_from_db()
    assert entry.reason == "督查发现宣传台账不全"
    # The confirmation's POST saves.
    response = client.post(url, _form(entry, reason="台账缺两月", points="-3", confirm="1"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.reason, entry.points) == ("台账缺两月", Decimal("-3"))
    assert entry.evidence  # a blank file field kept it


def test_a_new_evidence_file_is_carried_to_the_confirmation(client, district):
    d = district
    entry = _deduction(d)
    client.force_login(d.district)
    url = reverse("assessment:entry_edit", args=[entry.pk])
    page = client.post(url, _form(entry, evidence=_pdf("复查记录.pdf"))).content.decode()
    assert "复查记录.pdf" in page and 'name="evidence_token"' in page
    token = page.split('name="evidence_token" value="')[1].split('"')[0]
    assert client.post(url, _form(entry, evidence_token=token, confirm="1")).status_code == 302
    entry.refresh_from_db()
    assert "复查记录" in entry.evidence.name
    # A forged token is refused with a message, never a 500.
    page = client.post(url, _form(entry, evidence_token="junk", confirm="1")).content.decode()
    assert "上传的佐证材料已失效" in page


def test_bad_input_on_the_edit_page_is_explained(client, district):
    d = district
    entry = _deduction(d)
    client.force_login(d.district)
    url = reverse("assessment:entry_edit", args=[entry.pk])
    page = client.post(url, _form(entry, quarter="2026Q9")).content.decode()
    assert "格式不正确" in page
    page = client.post(url, _form(entry)).content.decode()
    assert "没有修改任何内容" in page
    page = client.post(url, _form(entry, reason="")).content.decode()
    assert "事由" in page
    _publish(d)
    page = client.post(url, _form(entry, reason="发布后", confirm="1")).content.decode()
    assert "考核已发布" in page
    entry.refresh_from_db()
    assert entry.reason == "督查发现宣传台账不全"


def test_district_deletes_after_a_confirmation_page(client, district):
    d = district
    entry = _deduction(d)
    client.force_login(d.district)
    url = reverse("assessment:entry_delete", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "确认删除" in page and "督查发现宣传台账不全" in page
    assert client.post(url).status_code == 302
    assert not ManualEntry.objects.filter(pk=entry.pk).exists()


def test_a_published_quarter_entry_is_not_deleted_by_the_page(client, district):
    d = district
    entry = _deduction(d)
    _publish(d)
    client.force_login(d.district)
    url = reverse("assessment:entry_delete", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "考核已发布" in page and "确认删除" not in page
    response = client.post(url, follow=True)
    assert "考核已发布" in response.content.decode()
    assert ManualEntry.objects.filter(pk=entry.pk).exists()
    # The list offers no edit or delete the pages would refuse.
    listing = client.get(reverse("assessment:entry_list")).content.decode()
    assert "已发布" in listing
    assert reverse("assessment:entry_edit", args=[entry.pk]) not in listing
    assert url not in listing


def test_a_town_gets_no_links_and_is_refused(client, district):
    d = district
    entry = _deduction(d)
    client.force_login(d.town_a)  # the entry's own unit: reads it, may not change it
    listing = client.get(reverse("assessment:entry_list")).content.decode()
    assert "督查发现宣传台账不全" in listing
    assert "entry-edit" not in listing and "entry-delete" not in listing
    edit = reverse("assessment:entry_edit", args=[entry.pk])
    delete = reverse("assessment:entry_delete", args=[entry.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, _form(entry, reason="自己改", confirm="1")).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(d.town_b)  # a sibling: not even the entry's existence
    assert client.get(edit).status_code in (403, 404)
    assert client.post(delete).status_code in (403, 404)
    entry.refresh_from_db()
    assert entry.reason == "督查发现宣传台账不全"


def test_a_missing_entry_is_a_404_for_the_district(client, district):
    client.force_login(district.district)
    assert client.get(reverse("assessment:entry_edit", args=[987654])).status_code == 404
    assert client.post(reverse("assessment:entry_delete", args=[987654])).status_code == 404
