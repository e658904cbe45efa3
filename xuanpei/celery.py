"""The Celery app (JOB_RUNNER=celery, issue #13 item 6): Job rows run on Celery workers.

Start a worker with `.venv/bin/celery -A xuanpei worker -l info` (same environment as
the web processes: DATABASE_URL, CELERY_BROKER_URL or REDIS_URL, JOB_RUNNER=celery).
Configured from Django's settings (the CELERY_* names); tasks are found in each app's
tasks.py. Nothing imports this module unless JOB_RUNNER=celery, so `make run` needs no
Redis.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")

app = Celery("xuanpei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
