"""Plans pages: plans, tasks, the matrix, dashboard, calendar, inbox, units' own plans."""

from django.urls import path

from xuanpei.plans import views_matrix, views_plans, views_tasks, views_unitplans

urlpatterns: list = [
    path("", views_plans.PlanListView.as_view(), name="plan_list"),
    path("add/", views_plans.PlanCreateView.as_view(), name="plan_add"),
    path("inbox/", views_matrix.InboxView.as_view(), name="inbox"),
    path("<int:pk>/", views_plans.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/edit/", views_plans.PlanUpdateView.as_view(), name="plan_edit"),
    path("<int:pk>/issue/", views_plans.PlanIssueView.as_view(), name="plan_issue"),
    path("<int:pk>/close/", views_plans.PlanCloseView.as_view(), name="plan_close"),
    path("<int:pk>/copy/", views_plans.PlanCopyView.as_view(), name="plan_copy"),
    path("<int:pk>/year-flags/", views_plans.PlanYearFlagsView.as_view(), name="plan_year_flags"),
    path("<int:pk>/file/", views_plans.PlanFileView.as_view(), name="plan_file"),
    path("<int:pk>/matrix/", views_matrix.PlanMatrixView.as_view(), name="plan_matrix"),
    path("<int:pk>/dashboard/", views_matrix.PlanDashboardView.as_view(), name="plan_dashboard"),
    path("<int:pk>/calendar/", views_matrix.PlanCalendarView.as_view(), name="plan_calendar"),
    path("<int:plan_pk>/tasks/add/", views_tasks.TaskCreateView.as_view(), name="task_add"),
    path("tasks/<int:pk>/", views_tasks.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", views_tasks.TaskUpdateView.as_view(), name="task_edit"),
    path(
        "<int:plan_pk>/unit-plan/",
        views_unitplans.UnitPlanCreateView.as_view(),
        name="unitplan_add",
    ),
    path(
        "unit-plans/<int:pk>/edit/",
        views_unitplans.UnitPlanUpdateView.as_view(),
        name="unitplan_edit",
    ),
]
