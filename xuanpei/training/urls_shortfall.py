"""Pages: hours per person against the legal minimums (issue #12 §5)."""

from django.urls import path

from xuanpei.training import views_shortfall as v

urlpatterns = [
    path("shortfall/", v.ShortfallView.as_view(), name="shortfall"),
    path("shortfall/export/", v.ShortfallExportView.as_view(), name="shortfall_export"),
]
