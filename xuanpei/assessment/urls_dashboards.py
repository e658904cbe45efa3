"""Pages: dashboards (issue #13 item 4)."""

from django.urls import path

from xuanpei.assessment import views_dashboards as v

urlpatterns = [
    path("cockpit/", v.CockpitView.as_view(), name="cockpit"),
    path("mine/", v.UnitDashboardView.as_view(), name="unit_dashboard"),
]
