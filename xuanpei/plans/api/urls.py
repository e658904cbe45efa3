"""API routes of the plans app (included under /api/v1/ in the `api` namespace)."""

from rest_framework.routers import SimpleRouter

from xuanpei.plans.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("plan-tasks", views.TaskViewSet, basename="task")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("reports", views.ProgressReportViewSet, basename="progressreport")
urlpatterns = router.urls
