"""Scope registry entries of the training app's people pages (issue #12 item 1) and the
attendance import (item 3); merged into tests/scope_registry.py at import."""

from __future__ import annotations

from tests.scope_registry import Foreign


def _foreign_unit_post(d) -> Foreign:
    from xuanpei.training.factories import UnitPostFactory
    from xuanpei.workforce.factories import PersonFactory

    # A grid officer of 东新城's 甲社区: the marker is the person's name.
    person = PersonFactory(name="东城标记网格员")
    post = UnitPostFactory(person=person, unit=d.village_a, title="东城标记网格长")
    return Foreign(post, ("东城标记网格员",))


FOREIGN_OBJECTS = {"training.UnitPost": _foreign_unit_post}

OWNER_NO_MARKER = {
    "training:unitpost_add": "新增表单，不列出已有岗位",
    "training:grid_officer_import": "导入上传页，不列出数据",
    "training:grid_officer_import_template": "空白模板",
    "training:cadre_import": "导入上传页，不列出数据",
    "training:cadre_import_template": "空白模板",
    "training:cadre_list": "标记岗位是网格员，干部列表不列出它（按身份筛选）",
    "training:cadre_export": "标记岗位是网格员，干部导出不含它（按身份筛选）",
}

# The add page and the API create: the outsiders' POST naming 东新城's unit must create
# nothing while the district's identical post does.
ADD_FORM_DATA = {
    "training:unitpost_add": {
        "role": "grid_officer",
        "name": "范围新增网格员",
        "id_number": "11010519491231002X",
    },
    "api:unitpost-list": {
        "role": "grid_officer",
        "name": "范围新增网格员",
        "id_number": "11010519491231002X",
    },
}
