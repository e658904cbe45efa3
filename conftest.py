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


@pytest.fixture
def workforce_dictionaries(db):
    """Post types, certificate kinds and the 特种作业 catalogue, present even after a flush.

    Migration 0002 loads them, but every `transaction=True` test (browser tests)
    flushes them away afterwards; request this fixture (or use the workforce
    factories, which reload lazily) instead of relying on the migration's rows.
    """
    from xuanpei.workforce.dictionaries import ensure_workforce_dictionaries

    ensure_workforce_dictionaries()
