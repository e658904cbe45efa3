"""The Celery app (JOB_RUNNER=celery, issue #13 item 6): Job rows run on Celery workers,
and Celery beat sends the daily jobs (issue #14 item 2).

Start a worker with `.venv/bin/celery -A xuanpei worker -l info` and one beat with
`.venv/bin/celery -A xuanpei beat -l info -s var/celerybeat-schedule` (same environment
as the web processes: DATABASE_URL, CELERY_BROKER_URL or REDIS_URL, JOB_RUNNER=celery).
Configured from Django's settings (the CELERY_* names); tasks are found in each app's
tasks.py. Nothing imports this module unless JOB_RUNNER=celery or a worker/beat is
started, so `make run` needs no Redis.

The schedule is `core.schedule.DAILY_JOBS` (Celery's own beat_schedule, crontab times in
Asia/Shanghai; no django-celery-beat: the schedule is code, reviewed and tested, not rows
an administrator edits). `xuanpei schedule` prints it; `xuanpei schedule --run-due` runs
the same jobs from a systemd timer or cron where no beat runs.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

from xuanpei.core.schedule import DAILY_JOBS, EXPIRES_SECONDS, TASK_NAME, TIME_ZONE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")

app = Celery("xuanpei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# crontab hours are read in this zone (the district's wall clock), whatever the server's.
app.conf.timezone = TIME_ZONE
app.conf.beat_schedule = {
    job.name: {
        "task": TASK_NAME,
        "schedule": crontab(hour=job.hour, minute=job.minute),
        "args": (job.name,),
        "options": {"expires": EXPIRES_SECONDS},
    }
    for job in DAILY_JOBS
}
