"""A small district with something on every page, for the navigation and role tests.

On top of tests/personas.py: a 镇街 admin (甲街道, under 东新城), an issued district
plan with a task assigned to 东新城 and to 甲街道 (one report each), and people with
posts and certificates in 东城甲企业 — enough that every list, detail and action
page a persona can reach has a row to show.
"""

from dataclasses import dataclass
from datetime import date

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.plans.factories import (
    AssignmentFactory,
    PlanFactory,
    PlanSectionFactory,
    ProgressReportFactory,
    TargetFactory,
    TaskFactory,
)
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory


@dataclass
class World:
    district: object
    street: object  # 单位管理员 of 甲街道 (a 镇街 under 东新城)
    plan: object
    task: object
    certificate: object

    def personas(self) -> dict:
        d = self.district
        return {
            "district": d.district,
            "new_town": d.town_a,
            "street": self.street,
            "department": d.department,
            "enterprise": d.enterprise,
            "viewer": d.town_a_viewer,
        }


def build_world(district) -> World:
    street = UserFactory(username="street_a", unit=district.street_a, role=Role.UNIT_ADMIN)
    plan = PlanFactory(unit=district.root, year=date.today().year)
    PlanSectionFactory(plan=plan)
    task = TaskFactory(plan=plan)
    TargetFactory(task=task)
    for unit in (district.town_a_unit, district.street_a):
        assignment = AssignmentFactory(task=task, unit=unit)
        ProgressReportFactory(assignment=assignment)
    holder = PersonFactory(name="持证甲")
    PostFactory(person=holder, enterprise=district.ent_a1)
    certificate = CertificateFactory(holder=holder, enterprise=district.ent_a1)
    PostFactory(person=PersonFactory(name="无证乙"), enterprise=district.ent_a1)
    return World(district, street, plan, task, certificate)
