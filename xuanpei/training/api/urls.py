"""API routes of the training app (included under /api/v1/ in the `api` namespace).

Each area registers its viewsets in its own module (`register(router)`).
"""

from rest_framework.routers import SimpleRouter

from xuanpei.training.api import accidents, people, sessions

router = SimpleRouter()
for area in (sessions, people, accidents):
    area.register(router)
urlpatterns = router.urls
