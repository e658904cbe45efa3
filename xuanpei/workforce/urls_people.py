"""Workforce pages: people and certificates (names follow <model>_list|_detail|…)."""

from django.urls import path

from xuanpei.workforce import views_people as v

urlpatterns: list = [
    path("people/", v.PersonListView.as_view(), name="person_list"),
    path("people/<int:pk>/", v.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/id-number/", v.PersonIdNumberView.as_view(), name="person_id_number"),
    path("certificates/<int:pk>/", v.CertificateDetailView.as_view(), name="certificate_detail"),
    path(
        "certificates/<int:pk>/review/",
        v.CertificateReviewView.as_view(),
        name="certificate_review",
    ),
    path(
        "certificates/<int:pk>/renew/", v.CertificateRenewView.as_view(), name="certificate_renew"
    ),
    path(
        "certificates/<int:pk>/revoke/",
        v.CertificateRevokeView.as_view(),
        name="certificate_revoke",
    ),
    path(
        "certificates/<int:pk>/cancel/",
        v.CertificateCancelView.as_view(),
        name="certificate_cancel",
    ),
]
