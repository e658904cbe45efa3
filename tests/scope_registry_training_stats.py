"""Scope registry entries of training's statistics (issue #12 item 10), merged into
tests/scope_registry.py.

The pages read `TrainingSession.objects.for_user` (their view's `queryset` names the
model, so the generic test treats them as collection routes of sessions: outsiders,
widened parameters, `?unit=<东新城>` → 404). They show counts, the names of the
viewer's own child units and the district plan's task titles — never a session's
title, so the owner never sees the marker either: hence OWNER_NO_MARKER. The names
page (`training:stats_people`, a collection route of attendance) lists only people
of held classes; the registry's marked attendance hangs on a draft. The numbers
themselves are checked against a hand-built world, sibling new towns included, in
xuanpei/training/tests/test_stats.py.
"""

OWNER_NO_MARKER: dict[str, str] = {
    "training:stats": "培训统计：只显示本人范围内的班次、人次、人数、学时和单位名称，不列培训班名称；"
    "数字与范围见 xuanpei/training/tests/test_stats.py",
    "training:stats_export": "培训统计的 xlsx：与 training:stats 相同的数字，不列培训班名称",
    "training:stats_people": "统计数字背后的参训人员：只列已举办、已归档班次的签到人；东新城的标记签到人"
    "所在班次是草稿（计划中），不计入统计；名单与数字一致见 test_stats.py",
}
