"""Pages of the orgs app. Names follow `<model>_list|_detail|_add|_edit|_delete|_import|_export`."""

from django.urls import path

from xuanpei.orgs import views, views_io

app_name = "orgs"
urlpatterns = [
    path("units/", views.UnitTreeView.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit_edit"),
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("enterprises/add/", views.EnterpriseCreateView.as_view(), name="enterprise_add"),
    path(
        "enterprises/autocomplete/",
        views.EnterpriseAutocompleteView.as_view(),
        name="enterprise_autocomplete",
    ),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path(
        "enterprises/<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="enterprise_edit"
    ),
    path(
        "enterprises/<int:pk>/close/", views.EnterpriseCloseView.as_view(), name="enterprise_close"
    ),
    path("enterprises/export/", views_io.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("enterprises/import/", views_io.EnterpriseImportView.as_view(), name="enterprise_import"),
    path(
        "enterprises/import/template/",
        views_io.EnterpriseTemplateView.as_view(),
        name="enterprise_import_template",
    ),
]
