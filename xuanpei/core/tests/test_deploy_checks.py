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


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "test-only-production-key-" + "q" * 40,
    "ALLOWED_HOSTS": "xuanpei.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://xuanpei.example.gov.cn",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
}


def test_the_production_settings_pass_every_deploy_check(settings, monkeypatch, tmp_path):
    """Issue #14: `xuanpei check --deploy` is clean under the production settings —
    Django's security checks, ours and drf-spectacular's schema check, warnings included."""
    import runpy

    import xuanpei.settings

    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XUANPEI_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")  # conftest's, for browser tests only
    production = runpy.run_path(xuanpei.settings.__file__)
    # Everything the production environment decides, except the database (the test one).
    for name, value in production.items():
        if name.isupper() and name != "DATABASES":
            setattr(settings, name, value)
    (tmp_path / "staticfiles").mkdir()
    (tmp_path / "staticfiles" / "staticfiles.json").write_text('{"paths": {}}')
    assert settings.DEBUG is False and settings.SECURE_SSL_REDIRECT is True

    call_command("check", "--deploy", "--fail-level", "WARNING")
