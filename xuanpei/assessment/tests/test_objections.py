"""Objections (issue #13 §2): only to a published score, answered by the district only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuanpei.assessment import services_objections as svc
from xuanpei.assessment.factories import ObjectionFactory, QuarterRunFactory, UnitScoreFactory
from xuanpei.assessment.models import Objection, QuarterRun

pytestmark = pytest.mark.django_db


def _score(d, status):
    run = QuarterRunFactory(unit=d.root, status=status)
    items = [{"code": "grid", "name": "网格员季度培训", "weight": "10", "score": "0"}]
    return UnitScoreFactory(run=run, unit=d.town_a_unit, items=items)


def test_an_objection_to_an_unpublished_score_is_refused(district):
    score = _score(district, QuarterRun.Status.DRAFT)
    with pytest.raises(ValidationError) as exc:
        svc.raise_objection(score=score, text="请核实", actor=district.town_a)
    assert exc.value.messages == ["考核结果尚未发布，不能提出异议"]
    assert not Objection.objects.exists()


def test_an_objection_names_an_indicator_of_the_score_and_has_text(district):
    score = _score(district, QuarterRun.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        svc.raise_objection(score=score, text="   ", actor=district.town_a)
    with pytest.raises(ValidationError):
        svc.raise_objection(
            score=score, text="请核实", indicator_code="nonexistent", actor=district.town_a
        )
    objection = svc.raise_objection(
        score=score, text="已开展网格员培训", indicator_code="grid", actor=district.town_a
    )
    assert objection.status == Objection.Status.OPEN and objection.raised_by == district.town_a


def test_only_the_district_answers_and_an_answer_is_required(district):
    score = _score(district, QuarterRun.Status.PUBLISHED)
    objection = ObjectionFactory(score=score)
    with pytest.raises(PermissionDenied):
        svc.answer_objection(objection=objection, answer="已核实", actor=district.town_a)
    with pytest.raises(ValidationError):
        svc.answer_objection(objection=objection, answer=" ", actor=district.district)
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN
    svc.answer_objection(objection=objection, answer="已核实，维持原分", actor=district.district)
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ANSWERED
    assert objection.answered_by == district.district and objection.answered_at
