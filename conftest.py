"""Root pytest configuration: shared fixtures for every app's tests."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; tests that touch the
# ORM beside `live_server` need this. Tests only — never in production settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def district(db):
    """The named personas and objects of tests/personas.py."""
    from tests.personas import build_district

    return build_district()


@pytest.fixture(autouse=True)
def _fast_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True
