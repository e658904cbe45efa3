"""API routes of the publicity app (included under /api/v1/ in the `api` namespace)."""

from rest_framework.routers import SimpleRouter

from xuanpei.publicity.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("themed-day-rules", views.ThemedDayRuleViewSet, basename="themeddayrule")
urlpatterns = router.urls
