"""Scope registry entries of the manual entries' edit and delete pages and of the copy of
an indicator set (issue #13 §1); merged into tests/scope_registry.py at import.

The foreign objects are those tests/scope_registry_assessment_scores.py registers: the
manual entry for 东新城 and 东新城's own indicator set. Only the district corrects or
deletes an entry and copies a set: 东新城 (an owner that reads them) is refused (403)
before any lookup, as on the library's edit pages; outsiders get 403/404 and the rows
stay. The copy takes POST only.
"""

from __future__ import annotations

_DISTRICT_CHANGES = "只有区安委办修改或删除督查扣分和加分（单位只读）"
OWNER_GET = {
    "assessment:entry_edit": ({200, 403}, _DISTRICT_CHANGES),
    "assessment:entry_delete": ({200, 403}, _DISTRICT_CHANGES),
    "assessment:indicator_set_copy": ({405}, "只接受 POST（区安委办复制上年指标体系）"),
}
