"""Root URLconf: each app owns its pages under its own prefix and its API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from xuanpei.core.api import not_found as api_not_found
from xuanpei.workforce.views_public import PublicCheckView

api_v1 = [
    path("", include("xuanpei.orgs.api.urls")),
    path("", include("xuanpei.workforce.api.urls")),
    path("", include("xuanpei.plans.api.urls")),
]

urlpatterns = [
    path("", include("xuanpei.core.urls")),
    path("accounts/", include("xuanpei.accounts.urls")),
    path("orgs/", include("xuanpei.orgs.urls")),
    path("workforce/", include("xuanpei.workforce.urls")),
    path("plans/", include("xuanpei.plans.urls")),
    path("notifications/", include("xuanpei.notifications.urls")),
    path("audit/", include("xuanpei.audit.urls")),
    path("admin/", admin.site.urls),
    # The public certificate check (issue #3 §6): no login.
    path("check/", PublicCheckView.as_view(), name="public_check"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: any other /api/ URL is a JSON 404 (not the HTML page), as the schema documents.
    re_path(r"^api/", api_not_found, name="api-not-found"),
]
