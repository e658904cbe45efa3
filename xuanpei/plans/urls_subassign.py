"""Plans pages: sub-assignments (issue #8) — break an assignment down, withdraw one."""

from django.urls import path

from xuanpei.plans import views_subassign as v

urlpatterns: list = [
    path(
        "assignments/<int:pk>/break-down/",
        v.SubAssignmentCreateView.as_view(),
        name="subassignment_add",
    ),
    path(
        "assignments/<int:pk>/withdraw/",
        v.SubAssignmentWithdrawView.as_view(),
        name="subassignment_withdraw",
    ),
]
