"""Issued plans are readable below the issuer; drafts and editing stay with the issuer."""

import pytest

from xuanpei.plans.choices import PlanKind, PlanStatus
from xuanpei.plans.factories import AssignmentFactory, PlanFactory, TaskFactory
from xuanpei.plans.models import Assignment, Plan, Task

pytestmark = pytest.mark.django_db


def test_every_unit_reads_the_issued_district_plan_but_only_the_district_edits_it(district):
    plan = PlanFactory(unit=district.root)
    task = TaskFactory(plan=plan)
    for persona in (district.town_a, district.town_b, district.department, district.district):
        assert Plan.objects.for_user(persona).filter(pk=plan.pk).exists()
        assert Task.objects.for_user(persona).filter(pk=task.pk).exists()
    for persona in (district.town_a, district.town_b, district.department):
        assert not Plan.objects.for_user(persona, "change").filter(pk=plan.pk).exists()
    assert Plan.objects.for_user(district.district, "change").filter(pk=plan.pk).exists()
    assert not Plan.objects.for_user(district.enterprise).exists()


def test_a_draft_plan_is_seen_by_its_issuer_only(district):
    plan = PlanFactory(unit=district.root, status=PlanStatus.DRAFT)
    assert Plan.objects.for_user(district.district).filter(pk=plan.pk).exists()
    assert not Plan.objects.for_user(district.town_a).filter(pk=plan.pk).exists()


def test_a_town_plan_is_read_below_the_town_not_by_its_sibling(district):
    plan = PlanFactory(unit=district.town_a_unit, kind=PlanKind.UNIT)
    assert Plan.objects.for_user(district.town_a).filter(pk=plan.pk).exists()
    assert not Plan.objects.for_user(district.town_b).filter(pk=plan.pk).exists()
    assert not Plan.objects.for_user(district.department).filter(pk=plan.pk).exists()


def test_assignments_belong_to_the_responsible_unit(district):
    task = TaskFactory(plan=PlanFactory(unit=district.root))
    mine = AssignmentFactory(task=task, unit=district.street_a)
    theirs = AssignmentFactory(task=task, unit=district.town_b_sub)
    seen = set(Assignment.objects.for_user(district.town_a).values_list("pk", flat=True))
    assert mine.pk in seen and theirs.pk not in seen
    assert Assignment.objects.for_user(district.district).count() == 2
