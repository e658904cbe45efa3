"""The orgs API router, included under /api/v1/ in the `api` namespace (api:unit-list, …)."""

from rest_framework.routers import DefaultRouter

from xuanpei.orgs.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
urlpatterns = router.urls
