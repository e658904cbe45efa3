#!/usr/bin/env bash
# Run a `xuanpei` command on the production instance, as its user and with its settings
# (/etc/xuanpei/xuanpei.env), e.g.:
#   sudo xuanpei-manage createsuperuser
#   sudo xuanpei-manage backup --out /var/backups/xuanpei/manual
#   sudo xuanpei-manage unlock USERNAME
# install-debian.sh installs it as /usr/local/bin/xuanpei-manage with this machine's paths.
set -euo pipefail

PREFIX=/opt/xuanpei
ENV_FILE=/etc/xuanpei/xuanpei.env
APP_USER=xuanpei
VAR_DIR=/var/lib/xuanpei
CACHE_DIR=/var/cache/xuanpei

if [[ $(id -u) -ne 0 ]]; then
  echo "请用 root 运行：sudo $(basename "$0") $*" >&2
  exit 2
fi
[[ -r $ENV_FILE ]] || { echo "找不到配置文件 $ENV_FILE" >&2; exit 2; }

# NAME=value lines, read as systemd's EnvironmentFile reads them (no shell expansion).
env_vars=(PATH=/usr/local/bin:/usr/bin:/bin "HOME=$VAR_DIR" LANG=C.UTF-8
  "XDG_CACHE_HOME=$CACHE_DIR" "MPLCONFIGDIR=$CACHE_DIR/matplotlib")
while IFS= read -r line || [[ -n $line ]]; do
  line=${line%$'\r'}
  if [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then env_vars+=("$line"); fi
done <"$ENV_FILE"

cd "$PREFIX"
exec setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups \
  env -i "${env_vars[@]}" "$PREFIX/.venv/bin/xuanpei" "$@"
