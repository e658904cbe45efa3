"""Pages: the grid-officer quarterly rule (issue #12 §6)."""

from django.urls import path

from xuanpei.training import views_grid as v

urlpatterns = [
    path("grid/", v.GridMatrixView.as_view(), name="grid_matrix"),
    # The current quarter's cell; listed first so that reverse() with the unit alone
    # (and the scope meta-test, which fills in the unit only) finds it.
    path("grid/<int:unit_pk>/", v.GridCellView.as_view(), name="grid_cell"),
    path(
        "grid/<int:unit_pk>/<int:year>/<int:quarter>/",
        v.GridCellView.as_view(),
        name="grid_cell",
    ),
]
