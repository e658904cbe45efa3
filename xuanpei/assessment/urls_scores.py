"""Pages: scores, runs, manual entries and objections (issue #13 §1–2)."""

from django.urls import path

from xuanpei.assessment import views_entries, views_objections, views_scores

urlpatterns = [
    path("", views_scores.ScoreListView.as_view(), name="score_list"),
    path("scores/<int:pk>/", views_scores.ScoreDetailView.as_view(), name="score_detail"),
    path(
        "scores/<int:score_pk>/objection/",
        views_objections.ObjectionAddView.as_view(),
        name="objection_add",
    ),
    path("runs/compute/", views_scores.RunComputeView.as_view(), name="run_compute"),
    path("runs/<int:pk>/publish/", views_scores.RunPublishView.as_view(), name="run_publish"),
    path("entries/", views_entries.EntryListView.as_view(), name="entry_list"),
    path("entries/add/", views_entries.EntryAddView.as_view(), name="entry_add"),
    path("entries/<int:pk>/edit/", views_entries.EntryEditView.as_view(), name="entry_edit"),
    path("entries/<int:pk>/delete/", views_entries.EntryDeleteView.as_view(), name="entry_delete"),
    path("objections/", views_objections.ObjectionListView.as_view(), name="objection_list"),
    path(
        "objections/<int:pk>/answer/",
        views_objections.ObjectionAnswerView.as_view(),
        name="objection_answer",
    ),
]
