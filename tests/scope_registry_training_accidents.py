"""Scope registry entries of the training app's accidents, post-accident obligations
(issue #12 item 7) and institutions with their inspections and rectifications (item 8);
merged into tests/scope_registry.py at import.

Accidents and obligations are enterprise-owned: the enterprise persona (ent_a1) sees its
own, so the foreign ones sit at ent_a2, 东新城's other enterprise. Institutions belong to
their overseeing unit (东新城).
"""

from __future__ import annotations

from datetime import date

from tests.scope_registry import Foreign


def _accident(d, summary: str):
    from xuanpei.training.services_accidents import record_accident

    return record_accident(
        enterprise=d.ent_a2,
        occurred_on=date.today(),
        kind="机械伤害",
        severity="ordinary",
        injuries=1,
        summary=summary,
        actor=d.district,
    )


def _foreign_accident(d) -> Foreign:
    # The list shows the enterprise's name; the detail and the API the summary too.
    return Foreign(_accident(d, "甲标记事故经过"), (d.ent_a2.name, "甲标记事故经过"))


def _foreign_obligation(d) -> Foreign:
    accident = _accident(d, "乙标记事故经过")
    return Foreign(accident.obligations.get(audience="principal"), (d.ent_a2.name,))


def _institution(d, name="甲标记培训机构"):
    from xuanpei.training.factories import InstitutionFactory

    return InstitutionFactory(name=name, unit=d.town_a_unit)


def _foreign_institution(d) -> Foreign:
    return Foreign(_institution(d), ("甲标记培训机构",))


def _foreign_inspection(d) -> Foreign:
    from xuanpei.training.factories import InspectionFactory

    inspection = InspectionFactory(
        institution=_institution(d, "乙标记培训机构"), findings="甲标记检查情况"
    )
    return Foreign(inspection, ("乙标记培训机构", "甲标记检查情况"))


def _foreign_rectification(d) -> Foreign:
    from xuanpei.training.factories import InspectionFactory, RectificationFactory

    inspection = InspectionFactory(institution=_institution(d, "丙标记培训机构"))
    item = RectificationFactory(
        inspection=inspection, requirement="甲标记整改要求", evidence="甲标记整改情况"
    )
    return Foreign(item, ("甲标记整改要求", "甲标记整改情况"))


FOREIGN_OBJECTS = {
    "training.Accident": _foreign_accident,
    "training.TrainingObligation": _foreign_obligation,
    "training.Institution": _foreign_institution,
    "training.Inspection": _foreign_inspection,
    "training.Rectification": _foreign_rectification,
}

# Add pages on a parent: the URL names the parent, which scopes them.
ROUTE_MODELS = {
    "training:inspection_add": "training.Institution",
    "training:rectification_add": "training.Inspection",
}

OWNER_GET = {
    "training:rectification_file": (
        {404},
        "标记整改事项未上传佐证文件；上传与下载见 test_institutions",
    ),
}

OWNER_NO_MARKER = {
    "training:accident_add": "新增表单，不列出已有事故",
    "training:institution_add": "新增表单，不列出已有机构",
}

# The outsiders' POST naming 东新城's enterprise / unit must create nothing while the
# district's identical post does (an enterprise account records no accident at all).
_ACCIDENT = {
    "occurred_on": date.today().isoformat(),
    "kind": "触电",
    "severity": "ordinary",
    "deaths": 0,
    "injuries": 0,
    "summary": "范围新增事故",
}
ADD_FORM_DATA = {
    "training:accident_add": dict(_ACCIDENT),
    "api:accident-list": dict(_ACCIDENT),
    "training:institution_add": {"name": "范围新增培训机构", "kind": "training", "active": "on"},
    "api:institution-list": {"name": "范围新增培训机构", "kind": "training"},
}
