"""API routes of the publicity app (included under /api/v1/ in the `api` namespace)."""

from rest_framework.routers import SimpleRouter

from xuanpei.publicity.api import activities, media, views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("themed-day-rules", views.ThemedDayRuleViewSet, basename="themeddayrule")
router.register("activities", activities.ActivityViewSet, basename="activity")
router.register("media-posts", media.MediaPostViewSet, basename="mediapost")
urlpatterns = router.urls
