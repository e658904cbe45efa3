"""System checks for production (`xuanpei check --deploy`).

With DEBUG=0 the static files are served from STATIC_ROOT through whitenoise's
manifest storage: without `collectstatic` the manifest is missing and every page
that links a stylesheet answers 500 (issue #9 item 13). The deploy check says so
before the first page does.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MANIFEST = "staticfiles.json"


@register(Tags.staticfiles, deploy=True)
def static_manifest_exists(app_configs, **kwargs):
    """The manifest the production storage reads must be in STATIC_ROOT."""
    root = Path(settings.STATIC_ROOT or "")
    if (root / MANIFEST).is_file():
        return []
    return [
        Error(
            f"静态文件清单 {root / MANIFEST} 不存在：DEBUG=0 时所有页面都会出错（500）",
            hint="先运行 xuanpei collectstatic --noinput，再启动服务",
            id="xuanpei.E001",
        )
    ]


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Production runs several server processes: the public check's rate limit must count
    in a cache they share (REDIS_URL), or each process allows the whole rate."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not backend.endswith("LocMemCache"):
        return []
    return [
        Warning(
            "缓存为进程内缓存（未设置 REDIS_URL）：多个服务进程时，公开查询的频率限制按进程分别计数",
            hint="设置 REDIS_URL=redis://主机:6379/0，使所有服务进程共用一个计数",
            id="xuanpei.W002",
        )
    ]
