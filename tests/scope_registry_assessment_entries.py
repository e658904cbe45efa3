"""Scope registry entries of the manual entries' edit and delete pages (issue #13 §1);
merged into tests/scope_registry.py at import.

The foreign object is the manual entry for 东新城 that tests/scope_registry_assessment_scores.py
registers (FOREIGN_OBJECTS["assessment.ManualEntry"]). Only the district corrects or
deletes an entry: its own unit (东新城, an owner that reads it) is refused (403) before
any lookup, as on the library's edit pages; outsiders get 403/404 and the row stays.
"""

from __future__ import annotations

_DISTRICT_CHANGES = "只有区安委办修改或删除督查扣分和加分（单位只读）"
OWNER_GET = {
    "assessment:entry_edit": ({200, 403}, _DISTRICT_CHANGES),
    "assessment:entry_delete": ({200, 403}, _DISTRICT_CHANGES),
}
