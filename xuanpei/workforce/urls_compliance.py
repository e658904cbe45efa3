"""Workforce pages: compliance — the 持证率 dashboard, its drill-down and the due lists."""

from django.urls import path

from xuanpei.workforce import views_compliance as views

urlpatterns: list = [
    path("compliance/", views.ComplianceDashboardView.as_view(), name="compliance_dashboard"),
    path("compliance/unit/<int:pk>/", views.ComplianceUnitView.as_view(), name="compliance_unit"),
    path(
        "compliance/enterprise/<int:pk>/",
        views.ComplianceEnterpriseView.as_view(),
        name="compliance_enterprise",
    ),
    path("certificates/due/", views.CertificateDueListView.as_view(), name="certificates_due"),
    path(
        "certificates/due/export/",
        views.CertificateDueExportView.as_view(),
        name="certificates_due_export",
    ),
]
