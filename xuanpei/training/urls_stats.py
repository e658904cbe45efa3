"""Pages: stats (issue #12 item 10)."""

from django.urls import path

from xuanpei.training import views_stats as v

urlpatterns = [
    path("stats/", v.StatsView.as_view(), name="stats"),
    path("stats/export/", v.StatsExportView.as_view(), name="stats_export"),
    path("stats/people/", v.StatsPeopleView.as_view(), name="stats_people"),
]
