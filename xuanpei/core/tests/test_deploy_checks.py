"""`xuanpei check --deploy` says to run collectstatic before DEBUG=0 serves 500s
(issue #9 item 13)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_deploy_check_fails_without_the_static_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path

    with pytest.raises(SystemCheckError, match="先运行 xuanpei collectstatic"):
        call_command("check", "--deploy", "--tag", "staticfiles")


def test_deploy_check_passes_once_collectstatic_wrote_the_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text('{"paths": {}}')

    call_command("check", "--deploy", "--tag", "staticfiles")


def test_the_ordinary_check_does_not_ask_for_collectstatic(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # development: runserver serves the files from their apps

    call_command("check", "--tag", "staticfiles")


def test_deploy_check_warns_when_the_rate_limit_counts_per_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from xuanpei.core.checks import shared_cache

    assert [w.id for w in shared_cache(None)] == ["xuanpei.W002"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert shared_cache(None) == []
