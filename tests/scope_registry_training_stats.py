"""Scope registry entries of training's statistics (issue #12 item 10), merged into
tests/scope_registry.py. The pages are model-less: each outsider reads them and must
see none of 东新城's markers (they show counts, unit names of the viewer's own
children and the district plan's task titles, never a session's title)."""

MODEL_LESS_ROUTES: dict[str, str] = {
    "training:stats": "培训统计：本人范围内已举办培训的班次、人次、人数、学时（按类型、下级单位、"
    "行业领域、季度）和附件2计划执行情况；?unit= 只接受本人范围内的单位（否则 404）",
    "training:stats_export": "培训统计的 xlsx：与 training:stats 相同的范围和数字，每张表一个工作表",
}
