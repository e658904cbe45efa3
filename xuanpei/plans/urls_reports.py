"""Plans pages: reports (see urls.py) — assignments, progress reports, evidence files,
deadline adjustments and comments. Names follow <model>_detail|_add|_edit|…"""

from django.urls import path

from xuanpei.plans import views_evidence as ve
from xuanpei.plans import views_reports as v
from xuanpei.plans import views_review as vr

urlpatterns: list = [
    path("assignments/<int:pk>/", v.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/reports/add/", v.ReportCreateView.as_view(), name="report_add"),
    path(
        "assignments/<int:pk>/adjustments/add/",
        v.AdjustmentCreateView.as_view(),
        name="adjustment_add",
    ),
    path("assignments/<int:pk>/comments/add/", v.CommentCreateView.as_view(), name="comment_add"),
    path("reports/<int:pk>/", v.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", v.ReportUpdateView.as_view(), name="report_edit"),
    path("reports/<int:pk>/submit/", v.ReportSubmitView.as_view(), name="report_submit"),
    path("reports/pending/", vr.ReviewQueueView.as_view(), name="report_queue"),
    path("reports/<int:pk>/review/", vr.ReportReviewView.as_view(), name="report_review"),
    path("assignments/<int:pk>/reopen/", vr.PeriodReopenView.as_view(), name="period_reopen"),
    path(
        "assignments/<int:pk>/exception/",
        vr.ExceptionAcceptView.as_view(),
        name="assignment_exception",
    ),
    path(
        "adjustments/<int:pk>/decide/", vr.AdjustmentDecideView.as_view(), name="adjustment_decide"
    ),
    path("evidence/<int:pk>/", ve.EvidenceDownloadView.as_view(), name="evidence_download"),
    path(
        "evidence/<int:pk>/thumbnail/",
        ve.EvidenceThumbnailView.as_view(),
        name="evidence_thumbnail",
    ),
    path("evidence/<int:pk>/delete/", ve.EvidenceDeleteView.as_view(), name="evidence_delete"),
]
