#!/bin/sh
# The image's entry point: `web` (migrate, collectstatic into the shared volume, then
# xuanpei serve), `worker` (Celery worker), `beat` (Celery beat), or any command
# (`docker compose run --rm web xuanpei createsuperuser`).
set -eu

role=${1:-web}
case $role in
  web)
    shift || true
    echo "数据库迁移……"
    xuanpei migrate --noinput
    # The image holds the collected files; this refreshes the static volume nginx reads
    # after an upgrade (a named volume is filled from the image only when first created).
    echo "静态文件……"
    xuanpei collectstatic --noinput -v 0
    exec xuanpei serve --bind 0.0.0.0:8000 "$@"
    ;;
  worker)
    shift
    exec celery -A xuanpei worker -l info "$@"
    ;;
  beat)
    shift
    exec celery -A xuanpei beat -l info --schedule /var/lib/xuanpei/celerybeat-schedule "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
