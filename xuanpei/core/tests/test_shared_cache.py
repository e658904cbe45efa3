"""The shared cache (issue #10 item 5): with REDIS_URL the public check's rate limit counts
in Redis, so every server process sees one count; without it `make run` keeps Django's
in-process local-memory cache. The login lock-out lives in the database, not the cache.

The Redis tests run against the machine's server (`XUANPEI_TEST_REDIS_URL`, default
redis://127.0.0.1:6379/15 — db 15 and a key prefix per run, so nothing collides with a
deployment or another test run). Off CI they are skipped when no Redis answers; on CI
(CI=true, which starts Redis in .ci/run) they fail instead.
"""

from __future__ import annotations

import os
import runpy
import uuid

import pytest
from django.core.cache import caches
from django.urls import reverse

import xuanpei.settings
from xuanpei.accounts.factories import TEST_PASSWORD, UserFactory

SETTINGS = xuanpei.settings.__file__

REDIS_URL = os.environ.get("XUANPEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_caches(settings):
    """Two cache aliases on the same Redis and prefix: two clients with their own
    connection pools, as two server processes have."""
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL} (.ci/run should have started it)")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"xuanpei-test-{uuid.uuid4().hex[:12]}"
    config = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {"default": config, "process_a": config, "process_b": config}
    yield caches["process_a"], caches["process_b"]
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)


def check(client):
    # A number nobody holds: the answer is "not found" (200) until the limit says 429.
    return client.post(reverse("public_check"), {"number": "T000", "name": "无名"})


@pytest.mark.django_db
def test_two_processes_share_one_rate_limit_count_in_redis(client, settings, redis_caches):
    process_a, process_b = redis_caches
    assert process_a is not process_b
    assert process_a._cache is not process_b._cache  # each its own client and pools
    settings.PUBLIC_CHECK_RATE = "4/m"

    settings.RATELIMIT_USE_CACHE = "process_a"
    statuses = [check(client).status_code for _ in range(2)]
    settings.RATELIMIT_USE_CACHE = "process_b"
    statuses += [check(client).status_code for _ in range(3)]

    # Process B saw process A's two lookups: its third is the fifth in all.
    assert statuses == [200, 200, 200, 200, 429]
    # One key, one count, read alike by both clients.
    a_keys = list(process_a._cache.get_client().scan_iter(f"{process_a.key_prefix}:*"))
    assert len(a_keys) == 1
    raw = a_keys[0].decode().split(":", 2)[2]
    assert process_a.get(raw) == process_b.get(raw) == 5


def test_redis_url_selects_django_s_redis_cache_and_no_url_keeps_locmem(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    default = runpy.run_path(SETTINGS)["CACHES"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"

    monkeypatch.setenv("REDIS_URL", "redis://redis.example:6379/2")
    shared = runpy.run_path(SETTINGS)["CACHES"]["default"]
    assert shared == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://redis.example:6379/2",
        "KEY_PREFIX": "xuanpei",
    }


@pytest.mark.django_db
def test_the_lockout_is_in_the_database_so_no_process_or_cache_loss_forgets_it(client):
    """axes' database handler: the lock is an AccessAttempt row that every process reads;
    wiping the cache (another process's memory, a Redis restart) changes nothing."""
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "x"})
    caches["default"].clear()

    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
