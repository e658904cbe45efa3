"""The project's URLs plus three views that fail on purpose, for tests/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from xuanpei.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug in a view")


def forbidden(request):
    raise PermissionDenied("您的角色不能办理此业务")


def bad(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("__boom__/", boom),
    path("__forbidden__/", forbidden),
    path("__bad__/", bad),
    *project_urlpatterns,
]
