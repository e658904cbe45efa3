"""The assessment API (issue #13 §1–2): scoped reads, the district's compute and publish,
objections only to published scores, manual entries' refusals."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from xuanpei.assessment.factories import (
    IndicatorFactory,
    IndicatorSetFactory,
    QuarterRunFactory,
    UnitScoreFactory,
)
from xuanpei.assessment.models import Indicator, ManualEntry, Objection, QuarterRun

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _run(d, **kw):
    run = QuarterRunFactory(unit=d.root, year=2026, quarter=2, **kw)
    a = UnitScoreFactory(run=run, unit=d.town_a_unit, total=Decimal("91"), rank=1)
    b = UnitScoreFactory(run=run, unit=d.town_b_unit, total=Decimal("80"), rank=2)
    return run, a, b


def test_unit_scores_are_scoped(district):
    d = district
    _run(d)
    names = {
        r["unit_name"] for r in _client(d.district).get(API + "unit-scores/").json()["results"]
    }
    assert names == {"东新城", "西新城"}
    rows = _client(d.town_a).get(API + "unit-scores/").json()["results"]
    assert [r["unit_name"] for r in rows] == ["东新城"]


def test_runs_are_read_below_and_published_by_the_district_only(district):
    d = district
    run, *_ = _run(d)
    assert _client(d.town_a).get(API + f"assessment-runs/{run.pk}/").status_code == 200
    url = API + f"assessment-runs/{run.pk}/publish/"
    assert _client(d.town_a).post(url).status_code == 403
    response = _client(d.district).post(url)
    assert response.status_code == 200 and response.json()["status"] == "published"
    again = _client(d.district).post(url)
    assert again.status_code == 400 and "已发布" in str(again.json())


def test_an_unended_quarter_is_computed_as_a_draft_and_never_published(district):
    d = district
    client = _client(d.district)
    response = client.post(API + "assessment-runs/compute/", {"year": 2099, "quarter": 1})
    assert response.status_code == 201
    assert response.json()["quarter_ended"] is False
    run = QuarterRun.objects.get(year=2099)
    refused = client.post(API + f"assessment-runs/{run.pk}/publish/")
    assert refused.status_code == 400
    run.refresh_from_db()
    assert run.status == QuarterRun.Status.DRAFT


def test_objection_only_to_a_published_score_and_answered_by_the_district(district):
    d = district
    run, a, b = _run(d)
    town_a = _client(d.town_a)
    refused = town_a.post(API + "objections/", {"score": a.pk, "text": "请核实"})
    assert refused.status_code == 400
    assert "考核结果尚未发布，不能提出异议" in str(refused.json())
    run.status = QuarterRun.Status.PUBLISHED
    run.save()
    # A sibling's score is not in 东新城's scope: the same answer as a missing one.
    assert town_a.post(API + "objections/", {"score": b.pk, "text": "x"}).status_code == 400
    created = town_a.post(API + "objections/", {"score": a.pk, "text": "请核实培训人次"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert _client(d.town_b).get(API + f"objections/{pk}/").status_code == 404
    assert town_a.post(API + f"objections/{pk}/answer/", {"answer": "x"}).status_code == 403
    answered = _client(d.district).post(API + f"objections/{pk}/answer/", {"answer": "已核实"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert Objection.objects.get(pk=pk).answer == "已核实"


def test_manual_deduction_needs_reason_and_evidence(district):
    d = district
    ind = IndicatorFactory(
        indicator_set=IndicatorSetFactory(unit=d.root, year=2026),
        kind=Indicator.Kind.DEDUCTION,
        source="manual",
    )
    data = {
        "indicator": ind.pk,
        "unit": d.town_a_unit.pk,
        "year": 2026,
        "quarter": 2,
        "points": "-2",
        "reason": "督查发现台账不全",
    }
    client = _client(d.district)
    refused = client.post(API + "manual-entries/", data, format="multipart")
    assert refused.status_code == 400 and "佐证" in str(refused.json())
    assert not ManualEntry.objects.exists()
    pdf = SimpleUploadedFile("督查.pdf", b"%PDF-1.4\ntrailer<<>>\n%%EOF\n")
    created = client.post(API + "manual-entries/", {**data, "evidence": pdf}, format="multipart")
    assert created.status_code == 201, created.json()
    assert _client(d.town_a).post(API + "manual-entries/", data).status_code == 403
    assert len(_client(d.town_a).get(API + "manual-entries/").json()["results"]) == 1
    assert _client(d.town_b).get(API + "manual-entries/").json()["results"] == []


def test_indicators_are_read_by_units_and_written_by_the_district(district):
    d = district
    iset = IndicatorSetFactory(unit=d.root, year=2026)
    IndicatorFactory(indicator_set=iset, name="新媒体发布")
    rows = _client(d.town_a).get(API + "indicators/").json()["results"]
    assert [r["name"] for r in rows] == ["新媒体发布"]
    data = {
        "indicator_set": iset.pk,
        "code": "grid",
        "name": "网格员培训",
        "kind": "scored",
        "applies_to": ["town_street"],
        "weight": "10",
        "rule": "每季度至少一次",
        "source": "manual",
    }
    assert _client(d.town_a).post(API + "indicators/", data, format="json").status_code == 403
    created = _client(d.district).post(API + "indicators/", data, format="json")
    assert created.status_code == 201, created.json()
    bad = _client(d.district).post(API + "indicators/", {**data, "code": "x2", "applies_to": []})
    assert bad.status_code == 400
