"""The shape of a plan template (issue #4 §1): a past plan as plain data.

A template names units the way the plan's text does — a unit's name ("应急管理局",
with or without the district's "区" in front) or a group word ("各新城", "各行业部门");
`unit_names.py` resolves them against the unit tree when `loader.py` builds the plan.
Bodies outside the tree (区党工委宣传部, 消防救援) go to `other_units`, for the record.
Dates are those of the template's year; a copy moves them (`services.copy_plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from xuanpei.plans.choices import Comparator, Timeframe


@dataclass(frozen=True)
class TargetSpec:
    """A quantified target, per responsible unit (`per_period`: every period, e.g. quarter)."""

    name: str
    value: Decimal
    unit_label: str = ""
    comparator: str = Comparator.AT_LEAST
    per_period: bool = False
    metric: str = ""  # a `plans.metrics` key: counted from records, not typed


@dataclass(frozen=True)
class TaskSpec:
    number: str  # as in the plan's text: 三(一)5, 三(二)1(1), 四(六)
    title: str
    kind: str  # TaskKind
    content: str  # the plan's own sentence(s), verbatim
    lead: tuple[str, ...]
    cooperate: tuple[str, ...] = ()
    other_units: tuple[str, ...] = ()
    timeframe: str = Timeframe.ALL_YEAR
    start_date: date | None = None
    end_date: date | None = None
    timeframe_note: str = ""
    deliverables: str = ""
    audience: str = ""
    method: str = ""
    targets: tuple[TargetSpec, ...] = ()


@dataclass(frozen=True)
class SectionSpec:
    number: str  # "一、"
    heading: str
    body: str = ""


@dataclass(frozen=True)
class PlanTemplate:
    year: int
    title: str  # "{district}" is replaced by the root unit's name
    preamble: str
    sections: tuple[SectionSpec, ...]
    tasks: tuple[TaskSpec, ...]

    def tasks_of(self, kind: str) -> list[TaskSpec]:
        return [t for t in self.tasks if t.kind == kind]


def templates() -> dict[int, PlanTemplate]:
    """Every template by year (imported lazily: the text is long)."""
    from xuanpei.plans.template2022 import PLAN_2022

    return {PLAN_2022.year: PLAN_2022}
