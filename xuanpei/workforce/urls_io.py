"""Workforce pages: roster import, its template and the roster export."""

from django.urls import path

from xuanpei.workforce import views_io as v

urlpatterns: list = [
    path("roster/import/", v.RosterImportView.as_view(), name="roster_import"),
    path("roster/import/template/", v.RosterTemplateView.as_view(), name="roster_import_template"),
    path("roster/export/", v.RosterExportView.as_view(), name="roster_export"),
]
