"""API routes of the assessment app (included under /api/v1/ in the `api` namespace).

Each area registers its viewsets in its own module (`register(router)`).
"""

from rest_framework.routers import SimpleRouter

from xuanpei.assessment.api import bulletins, scores

router = SimpleRouter()
for area in (scores, bulletins):
    area.register(router)
urlpatterns = router.urls
