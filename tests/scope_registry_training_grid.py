"""Scope registry entries of the training app's grid-officer pages (issue #12 §6).

Merged into tests/scope_registry.py at import (`_merge_app_registries`).

- `training:grid_matrix` has no single model: it shows, per quarter, a status for each
  new town in the user's scope (names of new towns, counts). Outsiders must not see a
  foreign marker there: 东新城's grid officer and its grid-officer session below.
- `training:grid_cell` names a unit (`unit_pk`): the foreign object is orgs.Unit's
  (甲社区 of 东新城): outsiders get 404; 东新城 and the district are redirected (302) to
  东新城's own cell, which lists the marker officer who missed the quarter.
"""

from __future__ import annotations

from datetime import timedelta

from tests.scope_registry import Foreign


def _grid_officer_who_missed(d) -> Foreign:
    """A grid officer of 东新城 (posted at 甲社区) who attended none of this quarter's
    held grid-officer session of 甲街道: its cell lists her by name."""
    from django.utils import timezone

    from xuanpei.training.factories import TrainingSessionFactory, UnitPostFactory
    from xuanpei.training.models import TrainingSession

    post = UnitPostFactory(person__name="网格标记员东甲", unit=d.village_a)
    TrainingSessionFactory(
        title="东城网格标记培训班",
        kind=TrainingSession.Kind.GRID_OFFICER,
        status=TrainingSession.Status.HELD,
        unit=d.street_a,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    return Foreign(post, ("网格标记员东甲",))


# Its own key (not "training.UnitPost"): the people area's registry may list UnitPost's
# objects under that label, and a dict merge would replace one list with the other.
MORE_FOREIGN_OBJECTS = {"training.UnitPost (grid quarter)": [_grid_officer_who_missed]}

ROUTE_MODELS = {"training:grid_cell": "orgs.Unit"}

MODEL_LESS_ROUTES = {
    "training:grid_matrix": "网格员季度培训矩阵：本人范围内各新城各季度的完成状态和次数、人数（不列姓名）",
}

# ?task= names a plan task whose grid target sets the sessions per quarter.
EXTRA_FILTERS = {"training:grid_matrix": [("task", "plans.Task")]}
