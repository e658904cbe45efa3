"""Pages: grid officers and cadres (issue #12 item 1), the attendance import (item 3)."""

from django.urls import path

from xuanpei.training import views_people as v

urlpatterns = [
    path("grid-officers/", v.GridOfficerListView.as_view(), name="grid_officer_list"),
    path("grid-officers/import/", v.GridOfficerImportView.as_view(), name="grid_officer_import"),
    path(
        "grid-officers/import/template/",
        v.GridOfficerTemplateView.as_view(),
        name="grid_officer_import_template",
    ),
    path("grid-officers/export/", v.GridOfficerExportView.as_view(), name="grid_officer_export"),
    path("cadres/", v.CadreListView.as_view(), name="cadre_list"),
    path("cadres/import/", v.CadreImportView.as_view(), name="cadre_import"),
    path("cadres/import/template/", v.CadreTemplateView.as_view(), name="cadre_import_template"),
    path("cadres/export/", v.CadreExportView.as_view(), name="cadre_export"),
    path("posts/add/", v.UnitPostCreateView.as_view(), name="unitpost_add"),
    path("posts/<int:pk>/", v.UnitPostDetailView.as_view(), name="unitpost_detail"),
    path("posts/<int:pk>/edit/", v.UnitPostUpdateView.as_view(), name="unitpost_edit"),
    path("posts/<int:pk>/end/", v.UnitPostEndView.as_view(), name="unitpost_end"),
    path(
        "sessions/<int:pk>/attendance/import/",
        v.AttendanceImportView.as_view(),
        name="attendance_import",
    ),
    path(
        "sessions/<int:pk>/attendance/import/template/",
        v.AttendanceTemplateView.as_view(),
        name="attendance_import_template",
    ),
]
