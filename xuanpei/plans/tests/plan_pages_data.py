"""Plan data for the page tests, built with the factories and the services.

`district_plan(d, year)` issues a plan of the personas' district with one task of
each kind: 三(一)1 (publicity, all year) led by both new towns with 教育局
cooperating; 三(二)3 (training, quarterly, ≥1 per quarter) led by both new towns and
甲街道; 四(一) (requirement, a date range) led by 东新城 and 教育局.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from xuanpei.plans import services
from xuanpei.plans.choices import PlanStatus, TaskKind, Timeframe
from xuanpei.plans.factories import PlanFactory, PlanSectionFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment


def district_plan(d, year: int = 2022, *, issue: bool = True, title: str = ""):
    plan = PlanFactory(
        unit=d.root,
        year=year,
        title=title or f"测试区{year}年应急管理宣传教育培训工作计划",
        doc_number=f"测试安委办发〔{year}〕3号",
        status=PlanStatus.DRAFT,
        preamble="为进一步加强应急管理宣传教育培训工作，制定本计划。",
    )
    PlanSectionFactory(plan=plan, order=1, number="一、", heading="总体思路", body="坚持问题导向")
    PlanSectionFactory(plan=plan, order=2, number="二、", heading="总体目标", body="全面覆盖")
    publicity = TaskFactory(
        plan=plan,
        order=1,
        number="三(一)1",
        title="学习宣传重要论述",
        kind=TaskKind.PUBLICITY,
        timeframe=Timeframe.ALL_YEAR,
    )
    publicity.lead_units.set([d.town_a_unit, d.town_b_unit])
    publicity.cooperating_units.set([d.dept_unit])
    training = TaskFactory(
        plan=plan,
        order=2,
        number="三(二)3",
        title="网格员每季度培训",
        kind=TaskKind.TRAINING,
        timeframe=Timeframe.QUARTERLY,
    )
    training.lead_units.set([d.town_a_unit, d.town_b_unit, d.street_a])
    TargetFactory(
        task=training, name="网格员培训", value=Decimal("1"), unit_label="次", per_period=True
    )
    requirement = TaskFactory(
        plan=plan,
        order=3,
        number="四(一)",
        title="制定本单位年度计划",
        kind=TaskKind.REQUIREMENT,
        timeframe=Timeframe.DATE_RANGE,
        start_date=date(year, 1, 1),
        end_date=date(year, 3, 31),
    )
    requirement.lead_units.set([d.town_a_unit, d.dept_unit])
    if issue:
        services.issue_plan(plan, actor=d.district, on=date(year, 1, 10))
    return plan


def assignment(plan, number: str, unit) -> Assignment:
    return Assignment.objects.get(task__plan=plan, task__number=number, unit=unit)


def accept(assignment_, *, reporter, reviewer, period_key: str | None = None):
    """A report on the assignment's first period, submitted and accepted."""
    key = period_key or assignment_.task.periods()[0].key
    report = services.save_report(
        assignment_, actor=reporter, period_key=key, summary="已按计划完成"
    )
    services.submit_report(report, actor=reporter)
    return services.review_report(report, actor=reviewer, accept=True)


def submit(assignment_, *, reporter, period_key: str | None = None):
    key = period_key or assignment_.task.periods()[0].key
    report = services.save_report(assignment_, actor=reporter, period_key=key, summary="已开展")
    return services.submit_report(report, actor=reporter)
