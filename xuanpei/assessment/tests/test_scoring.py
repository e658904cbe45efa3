"""Quarterly scoring (issue #13 item 2): runs, ranks, freezing, manual entries."""

from datetime import date

import pytest

from xuanpei.assessment import services_scoring as scoring
from xuanpei.assessment.models import AssessedKind, UnitScore

pytestmark = pytest.mark.django_db

ENDED = date(2026, 7, 15)  # Q2 2026 has ended


def test_compute_default_set_scores_every_assessed_unit(district):
    run = scoring.compute_run(year=2026, quarter=2, actor=district.district, today=ENDED)
    kinds = dict(run.scores.values_list("unit__name", "assessed_kind"))
    assert kinds == {
        "东新城": AssessedKind.NEW_TOWN,
        "西新城": AssessedKind.NEW_TOWN,
        "甲街道": AssessedKind.TOWN_STREET,
        "乙镇": AssessedKind.TOWN_STREET,
        "教育局": AssessedKind.DEPARTMENT,
        "住建局": AssessedKind.DEPARTMENT,
    }
    score = UnitScore.objects.get(run=run, unit=district.town_a_unit)
    assert set(score.items[0]) >= {
        "code",
        "name",
        "weight",
        "value",
        "score",
        "detail",
        "records_url",
    }
