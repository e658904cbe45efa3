"""The workforce API router, under /api/v1/ in the `api` namespace (api:person-list, …)."""

from rest_framework.routers import SimpleRouter

from xuanpei.workforce.api import views

router = SimpleRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("posts", views.PostViewSet, basename="post")
router.register("certificates", views.CertificateViewSet, basename="certificate")
urlpatterns = router.urls
