"""Routes of the new-media pages and of the ledger's xlsx import/export (issue #11 items 5, 9).

Included by `publicity/urls.py` into the `publicity` namespace.
"""

from django.urls import path

from xuanpei.publicity import views_media as v

urlpatterns = [
    path("media/", v.MediaPostListView.as_view(), name="media_list"),
    path("media/add/", v.MediaPostCreateView.as_view(), name="media_add"),
    path("media/tally/", v.MediaTallyView.as_view(), name="media_tally"),
    path("media/tally/export/", v.MediaTallyExportView.as_view(), name="media_tally_export"),
    path("media/import/", v.MediaPostImportView.as_view(), name="media_import"),
    path(
        "media/import/template/",
        v.MediaPostImportTemplateView.as_view(),
        name="media_import_template",
    ),
    path("media/export/", v.MediaPostExportView.as_view(), name="media_export"),
    path("media/<int:pk>/", v.MediaPostDetailView.as_view(), name="media_detail"),
    path("media/<int:pk>/edit/", v.MediaPostUpdateView.as_view(), name="media_edit"),
    path("media/<int:pk>/delete/", v.MediaPostDeleteView.as_view(), name="media_delete"),
    path("activities/import/", v.ActivityImportView.as_view(), name="activity_import"),
    path(
        "activities/import/template/",
        v.ActivityImportTemplateView.as_view(),
        name="activity_import_template",
    ),
    path("activities/export/", v.ActivityExportView.as_view(), name="activity_export"),
]
