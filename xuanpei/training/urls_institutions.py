"""Pages: training institutions and exam sites, inspections, rectifications (issue #12 §8)."""

from django.urls import path

from xuanpei.training import views_institutions as v

urlpatterns = [
    path("institutions/", v.InstitutionListView.as_view(), name="institution_list"),
    path("institutions/add/", v.InstitutionCreateView.as_view(), name="institution_add"),
    path("institutions/<int:pk>/", v.InstitutionDetailView.as_view(), name="institution_detail"),
    path("institutions/<int:pk>/edit/", v.InstitutionUpdateView.as_view(), name="institution_edit"),
    path(
        "institutions/<int:institution_pk>/inspections/add/",
        v.InspectionCreateView.as_view(),
        name="inspection_add",
    ),
    path("inspections/<int:pk>/", v.InspectionDetailView.as_view(), name="inspection_detail"),
    path(
        "inspections/<int:inspection_pk>/rectifications/add/",
        v.RectificationCreateView.as_view(),
        name="rectification_add",
    ),
    path(
        "rectifications/<int:pk>/evidence/",
        v.RectificationEvidenceView.as_view(),
        name="rectification_submit_evidence",
    ),
    path(
        "rectifications/<int:pk>/file/",
        v.RectificationFileView.as_view(),
        name="rectification_file",
    ),
    path(
        "rectifications/<int:pk>/close/",
        v.RectificationCloseView.as_view(),
        name="rectification_close",
    ),
]
