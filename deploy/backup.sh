#!/usr/bin/env bash
# Nightly backup (xuanpei-backup.service): one directory per run under BACKUP_DIR, written
# by `xuanpei backup --out`; runs older than BACKUP_KEEP_DAYS are removed afterwards, and
# only when this run succeeded, so a failing backup never eats the last good ones.
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/var/backups/xuanpei}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
# The venv beside this script (deploy/ of the program directory, /opt/xuanpei by default).
XUANPEI=${XUANPEI:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/bin/xuanpei}

if ! [[ $BACKUP_KEEP_DAYS =~ ^[0-9]+$ ]] || ((BACKUP_KEEP_DAYS < 1)); then
  echo "BACKUP_KEEP_DAYS 应为正整数，当前为：$BACKUP_KEEP_DAYS" >&2
  exit 2
fi

out="$BACKUP_DIR/$(date +%Y%m%d-%H%M%S)"
echo "备份到 $out"
"$XUANPEI" backup --out "$out"

# Only directories this script named (YYYYMMDD-HHMMSS); anything else in BACKUP_DIR stays.
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]' \
  -mtime "+$BACKUP_KEEP_DAYS" -print -exec rm -rf -- {} +
echo "备份完成：$out（保留最近 $BACKUP_KEEP_DAYS 天）"
