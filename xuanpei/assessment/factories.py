"""Factories of the assessment app. Pass `unit` (the district root for sets, runs and
bulletins; the assessed unit for scores and entries)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from xuanpei.assessment.models import (
    AssessedKind,
    Bulletin,
    Indicator,
    IndicatorSet,
    ManualEntry,
    Objection,
    QuarterRun,
    UnitScore,
)


class IndicatorSetFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorSet

    unit = None  # the district root
    year = 2026
    title = factory.LazyAttribute(lambda o: f"{o.year}年宣传教育培训工作考核指标")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    indicator_set = factory.SubFactory(IndicatorSetFactory)
    code = factory.Sequence(lambda n: f"ind-{n}")
    name = factory.Sequence(lambda n: f"考核指标{n}")
    kind = Indicator.Kind.SCORED
    applies_to = factory.LazyFunction(
        lambda: [AssessedKind.NEW_TOWN, AssessedKind.TOWN_STREET, AssessedKind.DEPARTMENT]
    )
    weight = Decimal("10")
    rule = "按完成比例计分，满分为本项分值。"
    source = "manual"


class ManualEntryFactory(DjangoModelFactory):
    class Meta:
        model = ManualEntry

    indicator = factory.SubFactory(IndicatorFactory)
    unit = None  # the assessed unit
    year = 2026
    quarter = 2
    points = Decimal("-1")
    reason = "督查发现宣传台账不全"


class QuarterRunFactory(DjangoModelFactory):
    class Meta:
        model = QuarterRun

    unit = None  # the district root
    indicator_set = factory.SubFactory(
        IndicatorSetFactory,
        unit=factory.SelfAttribute("..unit"),
        year=factory.SelfAttribute("..year"),
    )
    year = 2026
    quarter = 2
    quarter_ended = True


class UnitScoreFactory(DjangoModelFactory):
    class Meta:
        model = UnitScore

    run = None  # pass a run
    unit = None  # the assessed unit
    assessed_kind = AssessedKind.NEW_TOWN
    total = Decimal("90")
    ytd_total = Decimal("90")
    rank = 1
    items = factory.LazyFunction(list)


class ObjectionFactory(DjangoModelFactory):
    class Meta:
        model = Objection

    score = None  # pass a UnitScore
    text = "本单位第二季度已开展网格员培训，请核实。"


class BulletinFactory(DjangoModelFactory):
    class Meta:
        model = Bulletin

    unit = None  # the district root
    year = 2026
    quarter = 2
    doc_prefix = "测安委办"
    title = factory.LazyAttribute(
        lambda o: f"关于{o.year}年第{o.quarter}季度全区应急管理宣传教育培训工作情况的通报"
    )
    addressees = "各新城、镇街，区安委会各成员单位："
    signer = "测试区安全生产委员会办公室"
