"""factory_boy factories for plans, tasks, assignments and reports (tests and the demo).

`PlanFactory` needs a `unit` (the issuer): pass the district root or a unit.
"""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from xuanpei.plans.choices import (
    AssignmentRole,
    PlanKind,
    PlanStatus,
    ReportStatus,
    TaskKind,
    Timeframe,
)
from xuanpei.plans.models import (
    Adjustment,
    Assignment,
    Comment,
    Evidence,
    Plan,
    PlanSection,
    ProgressReport,
    ReportEvent,
    ReportQuantity,
    Target,
    Task,
)


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan

    kind = PlanKind.DISTRICT
    year = 2022
    title = factory.Sequence(lambda n: f"测试区2022年应急管理宣传教育培训工作计划{n}")
    status = PlanStatus.ISSUED


class PlanSectionFactory(DjangoModelFactory):
    class Meta:
        model = PlanSection

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(int)
    number = "一、"
    heading = factory.Sequence(lambda n: f"章节{n}")
    body = "章节内容"


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(int)
    number = factory.Sequence(lambda n: f"三(一){n + 1}")
    title = factory.Sequence(lambda n: f"重点任务{n}")
    content = "任务内容"
    kind = TaskKind.PUBLICITY
    timeframe = Timeframe.ALL_YEAR


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    task = factory.SubFactory(TaskFactory)
    name = "开展活动"
    value = Decimal("1")
    unit_label = "次"


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    role = AssignmentRole.LEAD


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = ProgressReport

    assignment = factory.SubFactory(AssignmentFactory)
    period_key = factory.LazyAttribute(lambda o: o.assignment.task.periods()[0].key)
    summary = "已按计划开展"
    status = ReportStatus.DRAFT


class ReportQuantityFactory(DjangoModelFactory):
    class Meta:
        model = ReportQuantity

    report = factory.SubFactory(ProgressReportFactory)
    target = factory.SubFactory(
        TargetFactory, task=factory.SelfAttribute("..report.assignment.task")
    )
    value = Decimal("1")


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    report = factory.SubFactory(ProgressReportFactory)
    file = factory.django.FileField(filename="evidence.pdf", data=b"%PDF-1.4\n%%EOF\n")
    name = "evidence.pdf"
    kind = "pdf"
    size = 15


class ReportEventFactory(DjangoModelFactory):
    class Meta:
        model = ReportEvent

    report = factory.SubFactory(ProgressReportFactory)
    action = ReportEvent.Action.SUBMIT


class AdjustmentFactory(DjangoModelFactory):
    class Meta:
        model = Adjustment

    assignment = factory.SubFactory(AssignmentFactory)
    period_key = factory.LazyAttribute(lambda o: o.assignment.task.periods()[0].key)
    current_due = factory.LazyAttribute(lambda o: o.assignment.task.periods()[0].due)
    requested_due = factory.LazyAttribute(
        lambda o: o.current_due.replace(day=1, month=1, year=o.current_due.year + 1)
    )
    reason = "因故延期"


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    assignment = factory.SubFactory(AssignmentFactory)
    text = "请抓紧落实"
