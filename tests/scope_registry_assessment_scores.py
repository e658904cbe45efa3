"""Scope registry entries of the assessment scores, library, manual entries and objections
(issue #13 §1–2); merged into tests/scope_registry.py at import.

The library and the runs are read down the tree (`SCOPE_SHARED_DOWN`), so their foreign
objects are 东新城's own (like publicity's Campaign): a set, an indicator and a run that
西新城, the department and the enterprise must not read. The score is 东新城's in the
district's current-quarter run, registered by the dashboards' file (its marker, an indicator that cost points, shows on the ranking page as
失分); an objection on it and a manual entry for 东新城 are this file's.
"""

from __future__ import annotations

from datetime import date

from tests.scope_registry import Foreign

SET_TITLE = "东城标记指标体系"


def _current_quarter() -> tuple[int, int]:
    today = date.today()
    return today.year, (today.month - 1) // 3 + 1


def _town_a_set(d):
    from xuanpei.assessment.factories import IndicatorSetFactory
    from xuanpei.assessment.models import IndicatorSet

    found = IndicatorSet.objects.filter(title=SET_TITLE).first()
    return found or IndicatorSetFactory(unit=d.town_a_unit, year=date.today().year, title=SET_TITLE)


def _town_a_indicator(d):
    from xuanpei.assessment.factories import IndicatorFactory
    from xuanpei.assessment.models import Indicator

    found = Indicator.objects.filter(name="东城标记考核指标").first()
    return found or IndicatorFactory(
        indicator_set=_town_a_set(d), code="marker-a", name="东城标记考核指标"
    )


def _foreign_set(d) -> Foreign:
    return Foreign(_town_a_set(d), (SET_TITLE,))


def _foreign_indicator(d) -> Foreign:
    return Foreign(_town_a_indicator(d), ("东城标记考核指标",))


def _foreign_run(d) -> Foreign:
    from xuanpei.assessment.factories import QuarterRunFactory

    year, quarter = _current_quarter()
    run = QuarterRunFactory(
        unit=d.town_a_unit, indicator_set=_town_a_set(d), year=year, quarter=quarter
    )
    # A run has no text of its own: its set's title (shown with it) is the marker.
    return Foreign(run, (SET_TITLE,))


def _town_a_score(d):
    """东新城's score in the district's current-quarter run: the one the dashboards' file
    registers (FOREIGN_OBJECTS["assessment.UnitScore"]), made here if that is gone."""
    from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
    from xuanpei.assessment.models import QuarterRun, UnitScore

    year, quarter = _current_quarter()
    found = UnitScore.objects.filter(
        unit=d.town_a_unit, run__unit=d.root, run__year=year, run__quarter=quarter
    ).first()
    if found:
        return found
    run = QuarterRun.objects.filter(unit=d.root, year=year, quarter=quarter).first()
    run = run or QuarterRunFactory(unit=d.root, year=year, quarter=quarter)
    return UnitScoreFactory(run=run, unit=d.town_a_unit)


def _foreign_objection(d) -> Foreign:
    from xuanpei.assessment.factories import ObjectionFactory

    objection = ObjectionFactory(score=_town_a_score(d), text="东城标记考核异议")
    return Foreign(objection, ("东城标记考核异议",))


def _foreign_entry(d) -> Foreign:
    from xuanpei.assessment.factories import ManualEntryFactory

    entry = ManualEntryFactory(
        indicator=_town_a_indicator(d), unit=d.town_a_unit, reason="东城标记督查事由"
    )
    return Foreign(entry, ("东城标记督查事由",))


FOREIGN_OBJECTS = {
    "assessment.IndicatorSet": _foreign_set,
    "assessment.Indicator": _foreign_indicator,
    "assessment.QuarterRun": _foreign_run,
    "assessment.Objection": _foreign_objection,
    "assessment.ManualEntry": _foreign_entry,
}
# Raising an objection names the score (`score_pk`) the user must be able to see.
ROUTE_MODELS = {"assessment:objection_add": "assessment.UnitScore"}

_DISTRICT_WRITES = "只有区安委办维护考核指标（单位只读）"
OWNER_GET = {
    "assessment:indicator_set_edit": ({200, 403}, _DISTRICT_WRITES),
    "assessment:indicator_add": ({200, 403}, _DISTRICT_WRITES),
    "assessment:indicator_edit": ({200, 403}, _DISTRICT_WRITES),
    "assessment:objection_answer": ({200, 403}, "只有区安委办答复考核异议"),
    "assessment:run_publish": ({405}, "只接受 POST（区安委办发布）"),
    "api:assessment-run-publish": ({405}, "只接受 POST（区安委办发布）"),
    "api:objection-answer": ({405}, "只接受 POST（区安委办答复）"),
}

OWNER_NO_MARKER = {
    "assessment:indicator_set_add": "新增表单，不列出已有指标体系",
    "assessment:entry_add": "新增表单，不列出已有录入",
}


def _bonus_indicator(d) -> int:
    """A manual bonus of the district's set for this year (no evidence needed)."""
    from xuanpei.assessment.factories import IndicatorFactory, IndicatorSetFactory
    from xuanpei.assessment.models import Indicator, IndicatorSet

    year = date.today().year
    iset = IndicatorSet.objects.filter(unit=d.root, year=year).first()
    iset = iset or IndicatorSetFactory(unit=d.root, year=year)
    found = iset.indicators.filter(code="scope-bonus").first()
    return (
        found
        or IndicatorFactory(
            indicator_set=iset, code="scope-bonus", kind=Indicator.Kind.BONUS, source="manual"
        )
    ).pk


_ENTRY = {
    "indicator": _bonus_indicator,
    "points": "1",
    "level": "",
    "reason": "范围新增督查加分",
}
ADD_FORM_DATA = {
    "assessment:entry_add": {**_ENTRY, "quarter": f"{date.today().year}Q1"},
    "api:manual-entry-list": {**_ENTRY, "year": date.today().year, "quarter": 1},
}
