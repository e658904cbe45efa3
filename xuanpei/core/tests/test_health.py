"""/healthz and /readyz (issue #14 item 6): anonymous probes for nginx, systemd and
monitoring. healthz touches nothing; readyz names each check and answers 503 when one
fails, without logging a server error."""

from __future__ import annotations

import logging
import os
import socket

import pytest
from django.urls import reverse

REDIS_URL = os.environ.get("XUANPEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"xuanpei-test-health-{os.getpid()}",
        }
    }


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_healthz_answers_ok_without_touching_the_database(client):
    # No `db` fixture: any database access in the view would raise here.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response  # no session for a probe


def test_the_urlconf_names_both_probes():
    assert reverse("healthz") == "/healthz"
    assert reverse("readyz") == "/readyz"


def test_a_local_probe_is_answered_whatever_its_host_and_scheme(client, settings, db):
    # Production: only the public name is allowed and plain HTTP is redirected, yet a
    # probe of 127.0.0.1:8000 from the machine itself must get the real answer.
    settings.ALLOWED_HOSTS = ["xuanpei.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.JOB_RUNNER = "thread"

    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    ready = client.get("/readyz", HTTP_HOST="127.0.0.1:8000")
    assert ready.status_code == 200
    # Any other page still meets the host check.
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_readyz_is_ok_on_the_test_database(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.JOB_RUNNER = "thread"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_names_the_cache_when_redis_does_not_answer(client, db, settings, caplog):
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{_closed_port()}/0")
    settings.JOB_RUNNER = "thread"

    with caplog.at_level(logging.WARNING):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": "ok", "cache": "fail"}}
    # The reason is in the log at WARNING, never in the body, and never as a server error.
    assert any("cache check failed" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert b"127.0.0.1" not in response.content


def test_readyz_checks_a_live_redis_by_writing_to_it(client, db, settings):
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = _redis_cache(REDIS_URL)
    settings.JOB_RUNNER = "thread"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    key = f"xuanpei-test-health-{os.getpid()}:1:health:readyz"
    assert server.exists(key) == 1  # the check really wrote to Redis
    assert 0 < server.ttl(key) <= 10
    server.delete(key)


def test_readyz_fails_the_workers_check_when_the_broker_is_down(client, db, settings):
    from xuanpei.celery import app

    settings.JOB_RUNNER = "celery"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    saved = app.conf.broker_url
    app.close()  # a pool made for another broker
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        response = client.get("/readyz")
    finally:
        app.close()
        app.conf.broker_url = saved

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "workers": "fail"}
