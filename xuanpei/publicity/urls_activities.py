"""URLs of the activity ledger (included by publicity/urls.py, namespace `publicity`)."""

from django.urls import path

from xuanpei.publicity import views_activities as v

urlpatterns = [
    path("activities/", v.ActivityListView.as_view(), name="activity_list"),
    path("activities/add/", v.ActivityCreateView.as_view(), name="activity_add"),
    path("activities/review/", v.ActivityQueueView.as_view(), name="activity_queue"),
    path("activities/<int:pk>/", v.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", v.ActivityUpdateView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/delete/", v.ActivityDeleteView.as_view(), name="activity_delete"),
    path("activities/<int:pk>/submit/", v.ActivitySubmitView.as_view(), name="activity_submit"),
    path("activities/<int:pk>/review/", v.ActivityReviewView.as_view(), name="activity_review"),
    path("activities/<int:pk>/publish/", v.ActivityPublishView.as_view(), name="activity_publish"),
    path("activity-files/<int:pk>/", v.ActivityFileView.as_view(), name="activity_file"),
    path(
        "activity-files/<int:pk>/thumbnail/",
        v.ActivityThumbnailView.as_view(),
        name="activity_thumbnail",
    ),
]
