"""URLs of quotas, coverage and roll-ups (issue #11 items 4 and 7), mounted by publicity/urls.py."""

from django.urls import path

from xuanpei.publicity import views_coverage as v

urlpatterns = [
    path("quotas/", v.QuotaListView.as_view(), name="quota_list"),
    path("quotas/add/", v.QuotaCreateView.as_view(), name="quota_add"),
    path("quotas/<int:pk>/", v.QuotaDetailView.as_view(), name="quota_detail"),
    path("quotas/<int:pk>/edit/", v.QuotaUpdateView.as_view(), name="quota_edit"),
    path("quotas/<int:pk>/delete/", v.QuotaDeleteView.as_view(), name="quota_delete"),
    path("coverage/", v.CoverageIndexView.as_view(), name="coverage"),
    path(
        "campaigns/<int:pk>/coverage/", v.CampaignCoverageView.as_view(), name="campaign_coverage"
    ),
    path("campaigns/<int:pk>/summary/", v.CampaignSummaryView.as_view(), name="campaign_summary"),
    path("rollup/", v.RollupView.as_view(), name="rollup"),
    path("rollup/export/", v.RollupExportView.as_view(), name="rollup_export"),
]
