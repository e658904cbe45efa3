"""Named personas (style.md §16), built by factories on a small district.

    district      区安委办管理员 at the root
    town_a        单位管理员 of 东新城 (sibling of town_b)
    town_b        单位管理员 of 西新城
    town_a_viewer 只读 user of 东新城
    department    填报员 of 教育局 (supervises `supervised`, which sits in 西新城)
    enterprise    填报员 of `ent_a1` (an enterprise of 东新城)
    department_admin, enterprise_admin
                  单位管理员 of 教育局 and of `ent_a1`: only after `add_admin_personas(d)`
                  (the scope meta-test: a role's 403 must not hide a missing scope check)

Objects: `ent_a1`, `ent_a2` in 东新城/甲街道; `ent_b1` in 西新城/乙镇; `supervised`
in 西新城/乙镇 supervised by 教育局.
"""

from dataclasses import dataclass

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import EnterpriseFactory, SectorFactory, add_unit


@dataclass
class District:
    root: object
    town_a_unit: object
    town_b_unit: object
    street_a: object
    town_b_sub: object
    village_a: object
    dept_unit: object
    other_dept_unit: object
    sector: object
    ent_a1: object
    ent_a2: object
    ent_b1: object
    supervised: object
    district: object
    town_a: object
    town_b: object
    town_a_viewer: object
    department: object
    enterprise: object
    department_admin: object = None
    enterprise_admin: object = None


def build_district() -> District:
    root = add_unit(None, "测试区", UnitKind.DISTRICT)
    town_a_unit = add_unit(root, "东新城", UnitKind.NEW_TOWN)
    town_b_unit = add_unit(root, "西新城", UnitKind.NEW_TOWN)
    street_a = add_unit(town_a_unit, "甲街道", UnitKind.SUBDISTRICT)
    village_a = add_unit(street_a, "甲社区", UnitKind.COMMUNITY)
    town_b_sub = add_unit(town_b_unit, "乙镇", UnitKind.TOWN)
    dept_unit = add_unit(root, "教育局", UnitKind.DEPARTMENT)
    other_dept_unit = add_unit(root, "住建局", UnitKind.DEPARTMENT)
    sector = SectorFactory(name="工矿商贸", code="industry")
    ent_a1 = EnterpriseFactory(name="东城甲企业", unit=street_a, sector=sector)
    ent_a2 = EnterpriseFactory(name="东城乙企业", unit=street_a, sector=sector)
    ent_b1 = EnterpriseFactory(
        name="西城丙企业", unit=town_b_sub, sector=sector, departments=[other_dept_unit]
    )
    supervised = EnterpriseFactory(
        name="西城教育监管企业", unit=town_b_sub, sector=sector, departments=[dept_unit]
    )
    return District(
        root=root,
        town_a_unit=town_a_unit,
        town_b_unit=town_b_unit,
        street_a=street_a,
        town_b_sub=town_b_sub,
        village_a=village_a,
        dept_unit=dept_unit,
        other_dept_unit=other_dept_unit,
        sector=sector,
        ent_a1=ent_a1,
        ent_a2=ent_a2,
        ent_b1=ent_b1,
        supervised=supervised,
        district=UserFactory(username="district", unit=root, role=Role.DISTRICT_ADMIN),
        town_a=UserFactory(username="town_a", unit=town_a_unit, role=Role.UNIT_ADMIN),
        town_b=UserFactory(username="town_b", unit=town_b_unit, role=Role.UNIT_ADMIN),
        town_a_viewer=UserFactory(username="town_a_viewer", unit=town_a_unit, role=Role.VIEWER),
        department=UserFactory(username="department", unit=dept_unit, role=Role.REPORTER),
        enterprise=UserFactory(username="enterprise", enterprise=ent_a1, role=Role.REPORTER),
    )


def add_admin_personas(d: District) -> District:
    """The 单位管理员 of the department and of the enterprise, beside their 填报员."""
    d.department_admin = UserFactory(
        username="department_admin", unit=d.dept_unit, role=Role.UNIT_ADMIN
    )
    d.enterprise_admin = UserFactory(
        username="enterprise_admin", enterprise=d.ent_a1, role=Role.UNIT_ADMIN
    )
    return d
