"""The assessment pages (issue #13 §1–2): rankings per unit type, a score's drill-down,
publish then object, manual entries and the weight check — as the district, a new town
and its sibling."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuanpei.assessment.factories import (
    IndicatorFactory,
    IndicatorSetFactory,
    QuarterRunFactory,
    UnitScoreFactory,
)
from xuanpei.assessment.models import (
    AssessedKind,
    Indicator,
    ManualEntry,
    Objection,
    QuarterRun,
)

pytestmark = pytest.mark.django_db

RECORDS = "/publicity/activities/?unit=1"


def _scores(d, *, status=QuarterRun.Status.DRAFT):
    """2026 Q2 (ended): 东新城 first of two new towns, up from 85; 西新城 second;
    甲街道 (in 东新城's subtree) ranked among the 镇街."""
    run = QuarterRunFactory(unit=d.root, year=2026, quarter=2, status=status)
    items = [
        {
            "code": "publicity",
            "name": "宣传活动完成率",
            "weight": "20",
            "value": "12/15",
            "score": "16",
            "detail": "已通过审核的活动12次，定额15次",
            "records_url": RECORDS,
        }
    ]
    a = UnitScoreFactory(
        run=run,
        unit=d.town_a_unit,
        total=Decimal("92.50"),
        ytd_total=Decimal("90.00"),
        previous_total=Decimal("85.00"),
        rank=1,
        items=items,
    )
    b = UnitScoreFactory(
        run=run, unit=d.town_b_unit, total=Decimal("80.00"), previous_total=Decimal("88"), rank=2
    )
    s = UnitScoreFactory(
        run=run, unit=d.street_a, assessed_kind=AssessedKind.TOWN_STREET, total=70, rank=1
    )
    return run, a, b, s


def test_district_sees_every_unit_ranked_within_its_type_with_the_change(client, district):
    d = district
    _scores(d)
    client.force_login(d.district)
    page = client.get(reverse("assessment:score_list"), {"quarter": "2026Q2"}).content.decode()
    assert "东新城" in page and "西新城" in page and "甲街道" in page
    assert "新城" in page and "镇街" in page
    assert "草稿" in page  # the run's status
    assert "↑7.50" in page  # 92.50 against 85.00
    assert "↓8.00" in page  # 80.00 against 88
    assert 'id="compute-run"' in page and 'id="publish-run"' in page
    assert "失分：宣传活动完成率" in page  # 16 of 20: what costs 东新城 points


def test_a_new_town_sees_its_subtree_and_its_rank_not_its_sibling(client, district):
    d = district
    _scores(d)
    client.force_login(d.town_a)
    page = client.get(reverse("assessment:score_list"), {"quarter": "2026Q2"}).content.decode()
    assert "东新城" in page and "甲街道" in page
    assert "西新城" not in page
    assert "第1名/共2个" in page  # rank within 新城: two new towns in the run
    assert 'id="compute-run"' not in page and 'id="publish-run"' not in page


def test_score_detail_drills_down_to_the_records_and_is_404_for_a_sibling(client, district):
    d = district
    _run, a, _b, _s = _scores(d)
    url = reverse("assessment:score_detail", args=[a.pk])
    client.force_login(d.town_a)
    page = client.get(url).content.decode()
    assert "宣传活动完成率" in page and "已通过审核的活动12次" in page
    assert f'href="{RECORDS.replace("&", "&amp;")}"' in page
    client.force_login(d.town_b)
    assert client.get(url).status_code == 404


def test_an_unknown_quarter_is_named_not_a_500(client, district):
    client.force_login(district.district)
    page = client.get(reverse("assessment:score_list"), {"quarter": "2026Q5"})
    assert page.status_code == 200
    assert "例如 2026Q2" in page.content.decode()


def test_only_the_district_computes_and_publishes(client, district):
    d = district
    run, *_ = _scores(d)
    client.force_login(d.town_a)
    assert client.post(reverse("assessment:run_compute"), {"quarter": "2026Q2"}).status_code == 403
    assert client.post(reverse("assessment:run_publish", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == QuarterRun.Status.DRAFT


def test_compute_from_the_page_makes_the_quarter_run(client, district, settings):
    settings.JOB_RUNNER = "sync"
    client.force_login(district.district)
    response = client.post(reverse("assessment:run_compute"), {"quarter": "2026Q1"})
    assert response.status_code == 302
    run = QuarterRun.objects.get(year=2026, quarter=1)
    assert run.scores.filter(unit=district.town_a_unit).exists()


def test_unpublished_score_refuses_an_objection(client, district):
    d = district
    _run, a, *_ = _scores(d)
    client.force_login(d.town_a)
    detail = client.get(reverse("assessment:score_detail", args=[a.pk])).content.decode()
    assert "提出异议</button>" not in detail
    page = client.post(reverse("assessment:objection_add", args=[a.pk]), {"text": "请核实"})
    assert "考核结果尚未发布，不能提出异议" in page.content.decode()
    assert not Objection.objects.exists()


def test_publish_then_object_then_the_district_answers(client, district):
    d = district
    run, a, *_ = _scores(d)
    client.force_login(d.district)
    client.post(reverse("assessment:run_publish", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == QuarterRun.Status.PUBLISHED

    client.force_login(d.town_a)
    detail = client.get(reverse("assessment:score_detail", args=[a.pk])).content.decode()
    assert "提出异议</button>" in detail
    text = "<script>alert(1)</script>本单位已开展网格员培训"
    client.post(
        reverse("assessment:objection_add", args=[a.pk]),
        {"text": text, "indicator_code": "publicity"},
    )
    objection = Objection.objects.get()
    assert objection.status == Objection.Status.OPEN and objection.raised_by == d.town_a
    listing = client.get(reverse("assessment:objection_list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert(1)" not in listing

    client.force_login(d.town_b)
    assert "网格员培训" not in client.get(reverse("assessment:objection_list")).content.decode()
    answer = reverse("assessment:objection_answer", args=[objection.pk])
    assert client.post(answer, {"answer": "x"}).status_code == 404
    client.force_login(d.town_a)
    assert client.post(answer, {"answer": "x"}).status_code == 403

    client.force_login(d.district)
    client.post(answer, {"answer": "经核实，加回2分。"})
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ANSWERED
    client.force_login(d.town_a)
    detail = client.get(reverse("assessment:score_detail", args=[a.pk])).content.decode()
    assert "经核实，加回2分。" in detail


def _manual_indicator(d, kind=Indicator.Kind.DEDUCTION):
    return IndicatorFactory(
        indicator_set=IndicatorSetFactory(unit=d.root, year=2026),
        kind=kind,
        name="督查扣分",
        source="manual",
    )


def _pdf(name="督查记录.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _entry(indicator, unit, **extra):
    data = {
        "indicator": indicator.pk,
        "unit": unit.pk,
        "quarter": "2026Q2",
        "points": "-2",
        "reason": "督查发现宣传台账不全",
    }
    data.update(extra)
    return data


def test_a_deduction_without_evidence_or_reason_is_refused(client, district):
    d = district
    ind = _manual_indicator(d)
    client.force_login(d.district)
    url = reverse("assessment:entry_add")
    page = client.post(url, _entry(ind, d.town_a_unit)).content.decode()
    assert "扣分必须填写事由并上传佐证材料" in page
    page = client.post(url, _entry(ind, d.town_a_unit, reason="", evidence=_pdf())).content
    assert "事由" in page.decode()
    assert not ManualEntry.objects.exists()
    response = client.post(url, _entry(ind, d.town_a_unit, evidence=_pdf()))
    assert response.status_code == 302
    entry = ManualEntry.objects.get()
    assert entry.points == Decimal("-2") and entry.evidence


def test_evidence_that_is_not_what_its_name_says_is_refused(client, district):
    d = district
    ind = _manual_indicator(d)
    client.force_login(d.district)
    fake = SimpleUploadedFile("记录.pdf", b"not a pdf at all")
    page = client.post(reverse("assessment:entry_add"), _entry(ind, d.town_a_unit, evidence=fake))
    assert "记录.pdf" in page.content.decode()
    assert not ManualEntry.objects.exists()


def test_units_read_their_entries_but_only_the_district_enters(client, district):
    d = district
    ind = _manual_indicator(d)
    ManualEntry.objects.create(
        indicator=ind, unit=d.town_a_unit, year=2026, quarter=2, points=-1, reason="东城台账不全"
    )
    client.force_login(d.town_a)
    assert "东城台账不全" in client.get(reverse("assessment:entry_list")).content.decode()
    assert client.get(reverse("assessment:entry_add")).status_code == 302  # back, with why
    assert (
        client.post(reverse("assessment:entry_add"), _entry(ind, d.town_a_unit)).status_code == 403
    )
    client.force_login(d.town_b)
    assert "东城台账不全" not in client.get(reverse("assessment:entry_list")).content.decode()


def test_weights_not_adding_up_to_100_are_refused_with_the_sum(client, district):
    d = district
    iset = IndicatorSetFactory(unit=d.root, year=2026)
    IndicatorFactory(indicator_set=iset, weight=Decimal("60"))
    client.force_login(d.district)
    detail = client.get(reverse("assessment:indicator_set_detail", args=[iset.pk]))
    assert "权重合计 60" in detail.content.decode()
    edit = reverse("assessment:indicator_set_edit", args=[iset.pk])
    page = client.post(edit, {"year": 2026, "title": "改名后的指标体系", "notes": ""})
    assert page.status_code == 200
    assert "60" in page.content.decode() and "100" in page.content.decode()
    iset.refresh_from_db()
    assert iset.title != "改名后的指标体系"  # nothing half-saved

    add = reverse("assessment:indicator_add", args=[iset.pk])
    response = client.post(
        add,
        {
            "code": "training",
            "name": "培训完成率",
            "kind": "scored",
            "applies_to": ["new_town", "town_street", "department"],
            "weight": "40",
            "rule": "按完成比例计分",
            "source": "manual",
            "sort_order": 2,
        },
    )
    assert response.status_code == 302
    response = client.post(edit, {"year": 2026, "title": "改名后的指标体系", "notes": ""})
    assert response.status_code == 302
    iset.refresh_from_db()
    assert iset.title == "改名后的指标体系"


def test_the_library_is_read_by_units_and_written_by_the_district(client, district):
    d = district
    iset = IndicatorSetFactory(unit=d.root, year=2026)
    IndicatorFactory(indicator_set=iset, name="持证率指标")
    client.force_login(d.town_a)
    page = client.get(reverse("assessment:indicator_set_detail", args=[iset.pk]))
    assert "持证率指标" in page.content.decode()
    assert client.get(reverse("assessment:indicator_add", args=[iset.pk])).status_code == 403


def test_an_unended_quarter_shows_as_a_draft_that_cannot_be_published(client, district):
    d = district
    run = QuarterRunFactory(unit=d.root, year=2026, quarter=4, quarter_ended=False)
    UnitScoreFactory(run=run, unit=d.town_a_unit)
    client.force_login(d.district)
    page = client.get(reverse("assessment:score_list"), {"quarter": "2026Q4"}).content.decode()
    assert "未结束" in page and "草稿" in page
    assert 'id="publish-run"' not in page


def test_the_district_edits_an_indicator_and_sees_the_new_sum(client, district):
    d = district
    iset = IndicatorSetFactory(unit=d.root, year=2026)
    ind = IndicatorFactory(indicator_set=iset, weight=Decimal("60"), name="培训人次")
    client.force_login(d.district)
    data = {
        "code": ind.code,
        "name": "培训人次完成率",
        "kind": "scored",
        "applies_to": ["new_town"],
        "weight": "100",
        "rule": "按完成比例计分",
        "source": "manual",
        "sort_order": 1,
    }
    response = client.post(reverse("assessment:indicator_edit", args=[ind.pk]), data)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "培训人次完成率" in page and "新城 权重合计 100" in page
    assert "镇街 权重合计 0" in page  # no longer applies to 镇街
    client.force_login(d.town_a)
    edit = reverse("assessment:indicator_edit", args=[ind.pk])
    assert client.post(edit, data).status_code == 403
