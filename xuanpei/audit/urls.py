from django.urls import path

from xuanpei.audit import views, views_batches

app_name = "audit"
urlpatterns = [
    path("", views.LogEntryListView.as_view(), name="logentry_list"),
    path("batches/", views_batches.ImportBatchListView.as_view(), name="importbatch_list"),
    path(
        "batches/<int:pk>/",
        views_batches.ImportBatchDetailView.as_view(),
        name="importbatch_detail",
    ),
    path(
        "batches/<int:pk>/file/",
        views_batches.ImportBatchFileView.as_view(),
        name="importbatch_file",
    ),
    path(
        "batches/<int:pk>/changes.xlsx",
        views_batches.ImportBatchChangesExportView.as_view(),
        name="importbatch_changes_export",
    ),
    path(
        "batches/<int:pk>/revert/",
        views_batches.ImportBatchRevertView.as_view(),
        name="importbatch_revert",
    ),
]
