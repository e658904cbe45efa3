"""Root URLconf: each app owns its pages under its own prefix and its API under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import BasePermission

from xuanpei.core import health
from xuanpei.core.api import not_found as api_not_found
from xuanpei.workforce.views_public import PublicCheckView


class SchemaAccess(BasePermission):
    """The API description is for logged-in users unless API_SCHEMA_PUBLIC (issue #9 item 13).

    It holds no data, but it maps every route and field for a prober; read per request
    so the setting needs no URLconf reload.
    """

    def has_permission(self, request, view):
        return settings.API_SCHEMA_PUBLIC or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    permission_classes = [SchemaAccess]


class DocsView(SpectacularSwaggerView):
    """The docs page: an anonymous visitor is sent to the login page, not shown a 403."""

    permission_classes = [SchemaAccess]

    def permission_denied(self, request, message=None, code=None):
        if not request.user.is_authenticated:
            raise _LoginRedirect(request.get_full_path())
        super().permission_denied(request, message, code)

    def handle_exception(self, exc):
        if isinstance(exc, _LoginRedirect):
            return redirect_to_login(exc.next_url)
        return super().handle_exception(exc)


class _LoginRedirect(Exception):
    def __init__(self, next_url):
        self.next_url = next_url


api_v1 = [
    path("", include("xuanpei.orgs.api.urls")),
    path("", include("xuanpei.workforce.api.urls")),
    path("", include("xuanpei.plans.api.urls")),
    path("", include("xuanpei.publicity.api.urls")),
    path("", include("xuanpei.training.api.urls")),
    path("", include("xuanpei.assessment.api.urls")),
]

urlpatterns = [
    # Probes (issue #14 item 6): no login, no data. core.health.HealthMiddleware answers
    # them first; these entries name them (reverse, the scope meta-test).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("xuanpei.core.urls")),
    path("accounts/", include("xuanpei.accounts.urls")),
    path("orgs/", include("xuanpei.orgs.urls")),
    path("workforce/", include("xuanpei.workforce.urls")),
    path("plans/", include("xuanpei.plans.urls")),
    path("publicity/", include("xuanpei.publicity.urls")),
    path("training/", include("xuanpei.training.urls")),
    path("assessment/", include("xuanpei.assessment.urls")),
    # A trainee's sign-in by QR code (issue #12 §3): no login, the token is the key.
    path("t/", include("xuanpei.training.urls_signin")),
    path("notifications/", include("xuanpei.notifications.urls")),
    path("audit/", include("xuanpei.audit.urls")),
    path("admin/", admin.site.urls),
    # The public certificate check (issue #3 §6): no login.
    path("check/", PublicCheckView.as_view(), name="public_check"),
    # The public publicity page (issue #11 §8): no login.
    path("public/publicity/", include("xuanpei.publicity.urls_public")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: any other /api/ URL is a JSON 404 (not the HTML page), as the schema documents.
    re_path(r"^api/", api_not_found, name="api-not-found"),
]

# A database that cannot serve now (pool exhausted, server restarting) is a Chinese 503
# even when a middleware before the view met it; everything else is the 500 page.
handler500 = "xuanpei.core.middleware.server_error"
