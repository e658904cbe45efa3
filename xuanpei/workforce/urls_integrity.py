"""Workforce pages: the integrity review queue (district admins only)."""

from django.urls import path

from xuanpei.workforce import views_integrity as v

urlpatterns: list = [
    path("integrity/", v.IntegrityFlagListView.as_view(), name="integrityflag_list"),
    path("integrity/<int:pk>/", v.IntegrityFlagDetailView.as_view(), name="integrityflag_detail"),
]
