"""Scope registry entries of the assessment dashboards (issue #13 item 4), merged into
tests/scope_registry.py.

A unit's dashboard reads `UnitScore.objects.for_user` (its view's `queryset`): the
reader's own and its subtree's scores (`?unit=<东新城>` → 404 for a sibling). The cockpit
gathers several apps' figures (like core:home), so it is a model-less route; it is the
district's alone (everyone else 403). The foreign object is a
score of 东新城 in the current quarter's run; its marker is an item's name, shown in
东新城's list of points lost. The numbers are checked on a hand-built world in
xuanpei/assessment/tests/test_dashboards.py.
"""

from decimal import Decimal

from tests.scope_registry import Foreign


def _foreign_score(d) -> Foreign:
    from django.utils import timezone

    from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
    from xuanpei.assessment.models import QuarterRun
    from xuanpei.training.quarters import quarter_of

    today = quarter_of(timezone.localdate())
    # The district's current-quarter run (another area's foreign object may have made it).
    run = QuarterRun.objects.filter(unit=d.root, year=today.year, quarter=today.number).first()
    run = run or QuarterRunFactory(unit=d.root, year=today.year, quarter=today.number)
    items = [
        {
            "code": "marker",
            "name": "标记考核指标甲",
            "weight": "10",
            "score": "4",
            "value": 4,
            "detail": "",
            "records_url": "",
        },
    ]
    score = UnitScoreFactory(run=run, unit=d.town_a_unit, total=Decimal("71.5"), items=items)
    return Foreign(score, ("标记考核指标甲",))


FOREIGN_OBJECTS = {"assessment.UnitScore": _foreign_score}

MODEL_LESS_ROUTES: dict[str, str] = {
    "assessment:cockpit": "全区态势（区安委办专用，其他单位403）：各应用本人范围内的宣传活动、培训、持证率、"
    "逾期任务，以及各单位得分、排名和趋势；数字见 xuanpei/assessment/tests/test_dashboards.py",
}
