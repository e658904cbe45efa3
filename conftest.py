"""Root pytest configuration: shared fixtures for every app's tests."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; tests that touch the
# ORM beside `live_server` need this. Tests only — never in production settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL: the test databases commit without waiting for the WAL flush.

    `synchronous_commit=off` changes what survives a server crash, nothing a transaction
    sees; each commit of the transactional tests (browser flows, races: every request and
    factory save commits on its own) waited ~10 ms for the disk otherwise. The worker's
    suffix (test_<name>_gw0 under pytest-xdist) is still applied first.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session", autouse=True)
def _cache_per_test_process(request):
    """A Redis cache (REDIS_URL exported) gets a key prefix of this test process.

    Test processes (pytest-xdist workers, a second run, a running server) would
    otherwise count rate limits in the same keys. The local-memory default is per
    process already.
    """
    from django.conf import settings

    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        cache["KEY_PREFIX"] = f"{cache.get('KEY_PREFIX', '')}-test-{worker}-{os.getpid()}"


@pytest.fixture
def district(db):
    """The named personas and objects of tests/personas.py.

    Built in one transaction: in a transactional test (browser flows) every save would
    otherwise commit on its own.
    """
    from django.db import transaction

    from tests.personas import build_district

    with transaction.atomic():
        return build_district()


@pytest.fixture(autouse=True)
def _fresh_readings():
    """No dashboard reading (core.readings) cached by an earlier test: its rows are rolled
    back, its cache entries are not; factories write snapshots without telling the cache."""
    from xuanpei.core.readings import forget_all

    forget_all()


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
    from django.db import transaction

    from xuanpei.workforce.dictionaries import ensure_workforce_dictionaries

    with transaction.atomic():  # one commit, not one per catalogue row
        ensure_workforce_dictionaries()
