"""Plans pages: a plan's attachment tables as xlsx — export, import, template (see urls.py)."""

from django.urls import path

from xuanpei.plans import views_io as v

urlpatterns: list = [
    path("<int:pk>/tasks/export/", v.TaskExportView.as_view(), name="task_export"),
    path("<int:pk>/tasks/import/", v.TaskImportView.as_view(), name="task_import"),
    path(
        "<int:pk>/tasks/import/template/",
        v.TaskImportTemplateView.as_view(),
        name="task_import_template",
    ),
]
