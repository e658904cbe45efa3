"""Training institutions and exam sites (issue #12 §8): register them; inspections (date,
findings, "走过场" problems); rectification with deadline and evidence, closed by the
inspector; the sessions each delivered and their pass rates."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xuanpei.training import services_institutions as services
from xuanpei.training.factories import (
    EnrolmentFactory,
    InspectionFactory,
    InstitutionFactory,
    RectificationFactory,
    TrainingSessionFactory,
)
from xuanpei.training.models import Inspection, Institution, Rectification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def institution(district):
    return InstitutionFactory(name="东城安全培训学校", unit=district.town_a_unit)


def png(name="整改后.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


# --------------------------------------------------------------------------- pass rates


def test_pass_rate_is_passed_over_enrolments_with_a_result(district, institution):
    session = TrainingSessionFactory(unit=district.town_a_unit, institution=institution)
    for passed in (True, True, True, False):
        EnrolmentFactory(session=session, passed=passed)
    EnrolmentFactory(session=session, passed=None)  # no result yet: not counted

    rate = services.pass_rate(institution, district.town_a)
    assert (rate.passed, rate.with_result) == (3, 4)
    assert rate.rate == 0.75
    (row,) = services.delivered_sessions(institution, district.town_a)
    assert (row.passed_count, row.with_result, row.enrolled) == (3, 4, 5)


def test_no_results_means_no_rate_rather_than_zero(district, institution):
    session = TrainingSessionFactory(unit=district.town_a_unit, institution=institution)
    EnrolmentFactory(session=session)
    assert services.pass_rate(institution, district.town_a).rate is None


def test_sessions_of_other_institutions_do_not_count(district, institution):
    other = InstitutionFactory(unit=district.town_a_unit)
    session = TrainingSessionFactory(unit=district.town_a_unit, institution=other)
    EnrolmentFactory(session=session, passed=False)
    assert services.pass_rate(institution, district.town_a).with_result == 0


def test_the_detail_page_shows_inspections_and_pass_rates(client, district, institution):
    session = TrainingSessionFactory(
        unit=district.town_a_unit, institution=institution, title="特种作业取证班"
    )
    EnrolmentFactory(session=session, passed=True)
    EnrolmentFactory(session=session, passed=False)
    InspectionFactory(institution=institution, findings="签到表代签", perfunctory=True)
    client.force_login(district.town_a)
    body = client.get(reverse("training:institution_detail", args=[institution.pk])).content
    text = body.decode()
    assert "特种作业取证班" in text and "50%" in text and "签到表代签" in text


# --------------------------------------------------------------------------- inspections


def test_a_perfunctory_inspection_must_name_the_problems(district, institution):
    with pytest.raises(ValidationError) as exc:
        services.record_inspection(
            institution,
            actor=district.town_a,
            inspected_on=TODAY,
            findings="抽查两个班次",
            perfunctory=True,
        )
    assert "走过场" in exc.value.message_dict["problems"][0]
    assert not Inspection.objects.exists()


def test_an_inspection_in_the_future_is_refused(district, institution):
    with pytest.raises(ValidationError):
        services.record_inspection(
            institution,
            actor=district.town_a,
            inspected_on=TODAY + timedelta(days=1),
            findings="抽查",
        )


def test_inspecting_is_the_overseeing_units(client, district, institution):
    client.force_login(district.town_b)
    url = reverse("training:inspection_add", args=[institution.pk])
    assert client.post(url, {"inspected_on": TODAY, "findings": "x"}).status_code == 404
    client.force_login(district.town_a)
    response = client.post(
        url, {"inspected_on": TODAY.isoformat(), "findings": "台账齐全", "inspectors": "张、李"}
    )
    assert response.status_code == 302
    assert Inspection.objects.get().created_by == district.town_a


# --------------------------------------------------------------------------- rectifications


def test_the_deadline_cannot_precede_the_inspection(district, institution):
    inspection = InspectionFactory(institution=institution, inspected_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.add_rectification(
            inspection, actor=district.town_a, requirement="补签到", due_on=TODAY - timedelta(1)
        )
    assert "整改期限不能早于检查日期" in exc.value.message_dict["due_on"]


def test_closing_needs_evidence_first(district, institution):
    item = RectificationFactory(inspection__institution=institution)
    with pytest.raises(ValidationError) as exc:
        services.close_rectification(item, actor=district.town_a)
    assert "尚未提交整改情况" in exc.value.messages[0]


def test_evidence_with_a_checked_file_then_close_by_the_inspector(district, institution):
    item = RectificationFactory(inspection__institution=institution)
    services.submit_evidence(item, actor=district.town_a, text="已补齐签到", upload=png())
    item.refresh_from_db()
    assert item.evidence == "已补齐签到" and item.evidence_file.name.endswith(".png")

    services.close_rectification(item, actor=district.town_a)
    item.refresh_from_db()
    assert item.closed_at and item.closed_by == district.town_a
    # Audited (auditlog registration of Rectification).
    assert LogEntry.objects.get_for_object(item).filter(actor=district.town_a).exists()
    with pytest.raises(ValidationError):  # once only
        services.close_rectification(item, actor=district.town_a)
    with pytest.raises(ValidationError):  # closed: no more evidence
        services.submit_evidence(item, actor=district.town_a, text="再补")


def test_a_file_that_is_not_what_its_name_says_is_refused(district, institution):
    item = RectificationFactory(inspection__institution=institution)
    fake = SimpleUploadedFile("整改.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.submit_evidence(item, actor=district.town_a, text="x", upload=fake)
    item.refresh_from_db()
    assert item.evidence == "" and not item.evidence_file


def test_only_the_inspectors_unit_closes(client, district, institution):
    item = RectificationFactory(inspection__institution=institution, evidence="已整改")
    # A street below the overseeing new town sees nothing of it; a sibling town neither;
    # the town's read-only user may not close.
    for outsider in (district.town_b, district.department, district.enterprise):
        with pytest.raises(PermissionDenied):
            services.close_rectification(item, actor=outsider)
    with pytest.raises(PermissionDenied):
        services.close_rectification(item, actor=district.town_a_viewer)

    url = reverse("training:rectification_close", args=[item.pk])
    client.force_login(district.town_b)
    assert client.post(url).status_code == 404
    client.force_login(district.town_a_viewer)
    assert client.post(url).status_code == 403
    item.refresh_from_db()
    assert item.closed_at is None

    client.force_login(district.town_a)
    assert client.post(url).status_code == 302
    item.refresh_from_db()
    assert item.closed_by == district.town_a


def test_the_district_above_closes_too(district, institution):
    item = RectificationFactory(inspection__institution=institution, evidence="已整改")
    services.close_rectification(item, actor=district.district)
    assert Rectification.objects.get().closed_by == district.district


def test_evidence_page_posts_text_and_file(client, district, institution):
    item = RectificationFactory(inspection__institution=institution)
    client.force_login(district.town_a)
    url = reverse("training:rectification_submit_evidence", args=[item.pk])
    response = client.post(url, {"evidence": "补齐台账", "evidence_file": png()})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.evidence == "补齐台账"
    download = client.get(reverse("training:rectification_file", args=[item.pk]))
    assert download.status_code == 200
    client.force_login(district.town_b)
    assert client.get(reverse("training:rectification_file", args=[item.pk])).status_code == 404


# --------------------------------------------------------------------------- scoping, API


def test_institutions_are_scoped_to_the_overseeing_unit(client, district, institution):
    client.force_login(district.town_b)
    assert (
        client.get(reverse("training:institution_detail", args=[institution.pk])).status_code == 404
    )
    assert (
        "东城安全培训学校" not in client.get(reverse("training:institution_list")).content.decode()
    )
    client.force_login(district.town_a)
    assert "东城安全培训学校" in client.get(reverse("training:institution_list")).content.decode()


def test_registering_an_institution_on_the_page_and_the_api(client, district):
    client.force_login(district.town_a)
    response = client.post(
        reverse("training:institution_add"),
        {
            "name": "东城考试点",
            "kind": "exam_site",
            "unit": district.town_a_unit.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/api/v1/training-institutions/",
        {"name": "东城培训中心", "kind": "training", "unit": district.town_a_unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # Not in another town's subtree.
    response = client.post(
        "/api/v1/training-institutions/",
        {"name": "越界机构", "kind": "training", "unit": district.town_b_unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(Institution.objects.values_list("name", flat=True)) == {"东城考试点", "东城培训中心"}


def test_a_bad_credit_code_is_refused_with_a_reason(client, district):
    client.force_login(district.town_a)
    response = client.post(
        reverse("training:institution_add"),
        {
            "name": "东城考试点",
            "kind": "exam_site",
            "unit": district.town_a_unit.pk,
            "credit_code": "123",
        },
    )
    assert response.status_code == 200
    assert not Institution.objects.exists()
