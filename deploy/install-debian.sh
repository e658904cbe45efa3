#!/usr/bin/env bash
# Install and start 宣培通 on a Debian 12 machine: PostgreSQL, Redis, the app under
# /opt/xuanpei (a venv with the packages it runs on, the npm front-end libraries), its web
# server, Celery worker and beat, a nightly backup timer and nginx with TLS in front; then
# check /readyz through nginx.
#
#   sudo deploy/install-debian.sh --domain xuanpei.example.gov.cn \
#        [--cert fullchain.pem --key privkey.pem]
#
# Run it again at any time (after `git pull` too): it installs what is missing, keeps the
# env file, certificate, database and data it finds, migrates, collects the static files
# and restarts the services. Without systemd as PID 1 (containers, CI) it starts the
# processes itself (auto-detected, or --no-systemd) and `--stop` stops them again.
# `--help` lists every option. README.md, "部署到生产环境", walks through it.
set -euo pipefail

# ----------------------------------------------------------------------------- options
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

INSTANCE=xuanpei
DOMAIN=""
CERT_FILE=""
KEY_FILE=""
APP_USER=xuanpei
PREFIX=""
VAR_DIR=""
ETC_DIR=""
BACKUP_DIR=""
DB_NAME=""
DB_USER=""
DB_HOST=127.0.0.1
DB_PORT=5432
HTTP_PORT=80
HTTPS_PORT=443
APP_PORT=8000
REDIS_URL=redis://127.0.0.1:6379/0
BROKER_URL=redis://127.0.0.1:6379/1
MODE=auto          # auto | systemd | direct
SKIP_APT=0
SEED_DEMO=0
ACTION=install     # install | stop
READY_TIMEOUT=120

usage() {
  cat <<'EOF'
用法：sudo deploy/install-debian.sh [选项]

  --domain 域名          用户访问的域名或 IP（ALLOWED_HOSTS、nginx server_name；默认本机主机名）
  --cert 文件 --key 文件  本单位的证书（含中间证书的完整链）与私钥；不给时生成自签名证书
  --user 用户            运行服务的系统用户（默认 xuanpei）
  --instance 名称        实例名（默认 xuanpei）：决定下面各项的默认值，
                         /opt/名称、/var/lib/名称、/etc/名称、/var/backups/名称、数据库名
  --prefix 目录          程序目录（默认 /opt/实例名）
  --var-dir 目录         数据目录：上传文件、静态文件（默认 /var/lib/实例名）
  --etc-dir 目录         配置目录：环境变量文件、证书（默认 /etc/实例名）
  --backup-dir 目录      备份目录（默认 /var/backups/实例名）
  --db-name 名称 --db-user 名称 --db-host 地址 --db-port 端口
                         PostgreSQL 数据库（默认库名与用户名均为实例名，127.0.0.1:5432）
  --redis-url URL        缓存（默认 redis://127.0.0.1:6379/0）
  --broker-url URL       Celery 队列（默认 redis://127.0.0.1:6379/1）
  --http-port 端口 --https-port 端口 --app-port 端口
                         nginx 的 HTTP/HTTPS 端口（默认 80/443）与应用监听端口（默认 8000）
  --systemd | --no-systemd
                         用 systemd 管理服务，或由脚本直接启动进程（容器、CI）；默认自动判断
  --skip-apt             不安装系统软件包（已装好时）
  --seed-demo            数据库为空时载入演示数据（试用、验收；正式环境不要用）
  --ready-timeout 秒     等待 /readyz 就绪的最长时间（默认 120）
  --stop                 （仅 --no-systemd 方式）停止本脚本启动的进程后退出
  -h, --help             显示本说明
EOF
}

die() {
  echo "错误：$*" >&2
  exit 1
}
step() { echo "==> $*"; }
note() { echo "    $*"; }

need_value() { [[ $# -ge 2 && -n $2 ]] || die "选项 $1 需要一个值（运行 --help 查看用法）"; }

while (($#)); do
  case $1 in
    --domain) need_value "$@"; DOMAIN=$2; shift 2 ;;
    --cert) need_value "$@"; CERT_FILE=$2; shift 2 ;;
    --key) need_value "$@"; KEY_FILE=$2; shift 2 ;;
    --user) need_value "$@"; APP_USER=$2; shift 2 ;;
    --instance) need_value "$@"; INSTANCE=$2; shift 2 ;;
    --prefix) need_value "$@"; PREFIX=$2; shift 2 ;;
    --var-dir) need_value "$@"; VAR_DIR=$2; shift 2 ;;
    --etc-dir) need_value "$@"; ETC_DIR=$2; shift 2 ;;
    --backup-dir) need_value "$@"; BACKUP_DIR=$2; shift 2 ;;
    --db-name) need_value "$@"; DB_NAME=$2; shift 2 ;;
    --db-user) need_value "$@"; DB_USER=$2; shift 2 ;;
    --db-host) need_value "$@"; DB_HOST=$2; shift 2 ;;
    --db-port) need_value "$@"; DB_PORT=$2; shift 2 ;;
    --redis-url) need_value "$@"; REDIS_URL=$2; shift 2 ;;
    --broker-url) need_value "$@"; BROKER_URL=$2; shift 2 ;;
    --http-port) need_value "$@"; HTTP_PORT=$2; shift 2 ;;
    --https-port) need_value "$@"; HTTPS_PORT=$2; shift 2 ;;
    --app-port) need_value "$@"; APP_PORT=$2; shift 2 ;;
    --systemd) MODE=systemd; shift ;;
    --no-systemd) MODE=direct; shift ;;
    --skip-apt) SKIP_APT=1; shift ;;
    --seed-demo) SEED_DEMO=1; shift ;;
    --ready-timeout) need_value "$@"; READY_TIMEOUT=$2; shift 2 ;;
    --stop) ACTION=stop; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "无法识别的选项：$1（运行 --help 查看用法）" ;;
  esac
done

[[ $INSTANCE =~ ^[a-z][a-z0-9-]*$ ]] || die "实例名只能包含小写字母、数字和连字符：$INSTANCE"
[[ $APP_USER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "用户名不合法：$APP_USER"
for port in "$HTTP_PORT" "$HTTPS_PORT" "$APP_PORT" "$DB_PORT" "$READY_TIMEOUT"; do
  [[ $port =~ ^[0-9]+$ ]] || die "端口和秒数应为数字：$port"
done
PREFIX=${PREFIX:-/opt/$INSTANCE}
VAR_DIR=${VAR_DIR:-/var/lib/$INSTANCE}
ETC_DIR=${ETC_DIR:-/etc/$INSTANCE}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/$INSTANCE}
CACHE_DIR=/var/cache/$INSTANCE
DB_NAME=${DB_NAME:-${INSTANCE//-/_}}
DB_USER=${DB_USER:-${INSTANCE//-/_}}
[[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ && $DB_USER =~ ^[a-z_][a-z0-9_]*$ ]] ||
  die "数据库名和用户名只能包含小写字母、数字和下划线：$DB_NAME / $DB_USER"
if [[ -n $CERT_FILE || -n $KEY_FILE ]]; then
  [[ -n $CERT_FILE && -n $KEY_FILE ]] || die "--cert 与 --key 必须同时给出"
  [[ -r $CERT_FILE ]] || die "无法读取证书文件：$CERT_FILE"
  [[ -r $KEY_FILE ]] || die "无法读取私钥文件：$KEY_FILE"
fi
if [[ -z $DOMAIN ]]; then
  DOMAIN=$(hostname -f 2>/dev/null || hostname)
fi
[[ $DOMAIN =~ ^[A-Za-z0-9.:-]+$ ]] || die "域名不合法：$DOMAIN"

ENV_FILE=$ETC_DIR/xuanpei.env
TLS_DIR=$ETC_DIR/tls
RUN_DIR=$VAR_DIR/run
LOG_DIR=$VAR_DIR/log
SITE_NAME=$INSTANCE
UNITS=(xuanpei-web xuanpei-worker xuanpei-beat)
# Unit names follow the instance, so a second instance on one machine has its own.
unit_name() { echo "${1/xuanpei/$INSTANCE}"; }

[[ $(id -u) -eq 0 ]] || die "请用 root 运行（sudo $0 …）"

if [[ $MODE == auto ]]; then
  # systemd is PID 1 exactly when this directory exists (sd_booted(3)).
  if [[ -d /run/systemd/system ]]; then MODE=systemd; else MODE=direct; fi
fi

# ----------------------------------------------------------------------------- helpers
is_local_db() { [[ $DB_HOST == 127.0.0.1 || $DB_HOST == localhost || $DB_HOST == ::1 ]]; }

# The app's environment, read from the env file the way systemd's EnvironmentFile reads it
# (NAME=value, no shell expansion), for the commands this script runs as the app user.
app_env() {
  local line
  APP_ENV=(PATH=/usr/local/bin:/usr/bin:/bin "HOME=$VAR_DIR" LANG=C.UTF-8
    "XDG_CACHE_HOME=$CACHE_DIR" "MPLCONFIGDIR=$CACHE_DIR/matplotlib")
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    if [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then APP_ENV+=("$line"); fi
  done <"$ENV_FILE"
}

# Run a command as the app user in the app's environment, from the program directory.
# setpriv execs (runuser/su would stay as a parent): the pid is the command's own.
as_app() {
  (cd "$PREFIX" && exec setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups \
    env -i "${APP_ENV[@]}" "$@")
}

# Set NAME=value in the env file: replaces the line (or its commented default) in place.
set_env() {
  local name=$1 value=$2
  if grep -qE "^#? ?$name=" "$ENV_FILE"; then
    local escaped=${value//\\/\\\\}
    escaped=${escaped//&/\\&}
    escaped=${escaped//|/\\|}
    sed -i -E "0,/^#? ?$name=.*/s|^#? ?$name=.*|$name=$escaped|" "$ENV_FILE"
  else
    printf '%s=%s\n' "$name" "$value" >>"$ENV_FILE"
  fi
}

get_env() { sed -n -E "s/^$1=(.*)$/\\1/p" "$ENV_FILE" | tail -1; }

# The deploy files with this machine's paths, names and ports in place of the defaults.
render() {
  sed -e "s#/opt/xuanpei#$PREFIX#g" \
    -e "s#/etc/xuanpei#$ETC_DIR#g" \
    -e "s#/var/lib/xuanpei#$VAR_DIR#g" \
    -e "s#/var/cache/xuanpei#$CACHE_DIR#g" \
    -e "s#/var/backups/xuanpei#$BACKUP_DIR#g" \
    -e "s#^User=xuanpei\$#User=$APP_USER#" \
    -e "s#^Group=xuanpei\$#Group=$APP_USER#" \
    -e "s#^APP_USER=xuanpei\$#APP_USER=$APP_USER#" \
    -e "s#^CacheDirectory=xuanpei\$#CacheDirectory=$INSTANCE#" \
    -e "s#127\\.0\\.0\\.1:8000#127.0.0.1:$APP_PORT#g" \
    -e "s#xuanpei_app#${INSTANCE//-/_}_app#g" \
    -e "s#/etc/nginx/snippets/xuanpei-proxy\\.conf#/etc/nginx/snippets/$SITE_NAME-proxy.conf#g" \
    -e "s#server_name xuanpei\\.example\\.gov\\.cn;#server_name $DOMAIN;#g" \
    -e "s#listen 80;#listen $HTTP_PORT;#; s#listen \\[::\\]:80;#listen [::]:$HTTP_PORT;#" \
    -e "s#listen 443 #listen $HTTPS_PORT #; s#listen \\[::\\]:443 #listen [::]:$HTTPS_PORT #" \
    "$1" | if [[ $HTTPS_PORT != 443 ]]; then
    sed -e "s#https://\$host\$request_uri#https://\$host:$HTTPS_PORT\$request_uri#"
  else
    cat
  fi
}

# The command line of a unit's ExecStart= (rendered), as words: the no-systemd mode runs
# exactly what the units run.
exec_start() {
  render "$SCRIPT_DIR/systemd/$1.service" | sed -n 's/^ExecStart=//p'
}

# The private nginx of the no-systemd mode: its configuration names this instance.
NGINX_CONF=$ETC_DIR/nginx-standalone.conf

# A pid file's process is running and is still the one this script started: the pid files
# outlive a reboot (they are under the data directory), and a pid reused since by another
# program must not be stopped. Each program's command line names this instance's venv or
# nginx configuration.
pid_alive() {
  local pid
  [[ -f $1 ]] || return 1
  pid=$(cat "$1")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  local expected=$PREFIX/.venv/
  [[ $(basename "$1") == nginx.pid ]] && expected=$NGINX_CONF
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$expected"* ]]
}

# Stops every process this script started, all at once (like `systemctl stop` of the
# units), waiting up to 30 seconds before killing what is left.
stop_direct() {
  local name pidfile pid
  local -a pids=()
  for name in "${UNITS[@]}" nginx; do
    pidfile=$RUN_DIR/$name.pid
    if pid_alive "$pidfile"; then
      pid=$(cat "$pidfile")
      note "停止 $name（进程 $pid）"
      if [[ $name == nginx ]]; then
        kill "$pid" 2>/dev/null || true
      else
        # Each was started in its own session (setsid): the group holds its children too.
        kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
      fi
      pids+=("$pid")
    fi
  done
  for _ in $(seq 1 300); do
    local -a left=()
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then left+=("$pid"); fi
    done
    pids=("${left[@]}")
    ((${#pids[@]})) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    note "进程 $pid 30 秒内未退出，强制结束"
    kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  done
  for name in "${UNITS[@]}" nginx; do rm -f "$RUN_DIR/$name.pid"; done
}

if [[ $ACTION == stop ]]; then
  [[ $MODE == direct ]] || die "--stop 只用于 --no-systemd 方式；systemd 下请用 systemctl stop"
  step "停止本脚本启动的进程"
  stop_direct
  echo "已停止。"
  exit 0
fi

echo "宣培通安装：域名 $DOMAIN，程序 $PREFIX，数据 $VAR_DIR，配置 $ENV_FILE，"
echo "  数据库 $DB_NAME@$DB_HOST:$DB_PORT，HTTPS 端口 $HTTPS_PORT，服务管理：$([[ $MODE == systemd ]] && echo systemd || echo 脚本直接启动)"

# ----------------------------------------------------------------------------- 1. packages
# What a fresh Debian 12 needs, each checked by a command it provides (a machine with
# Node.js from NodeSource, or postgresql-client-15 instead of the metapackage, is left as
# it is) or, for libraries and fonts, by its package.
NEEDS=(/usr/bin/python3.11:python3.11 make:make git:git rsync:rsync curl:curl openssl:openssl
  setpriv:util-linux npm:"nodejs npm" pg_dump:postgresql-client nginx:nginx)
PACKAGES=(python3.11-venv ca-certificates fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0)
is_local_db && NEEDS+=(pg_ctlcluster:postgresql)
LOCAL_REDIS=0
if [[ $REDIS_URL == redis://127.0.0.1[:/]* || $REDIS_URL == redis://localhost[:/]* ]]; then
  LOCAL_REDIS=1
  NEEDS+=(redis-server:redis-server)
fi
if ((SKIP_APT)); then
  step "跳过系统软件包安装（--skip-apt）"
else
  step "安装系统软件包"
  missing=()
  for need in "${NEEDS[@]}"; do
    if ! command -v "${need%%:*}" >/dev/null; then
      read -r -a pkgs <<<"${need#*:}"
      missing+=("${pkgs[@]}")
    fi
  done
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    note "需要安装：${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    note "已全部安装"
  fi
fi
# Debian's own Python: a python3.11 elsewhere on root's PATH (pyenv under /root) is one the
# service user could not even run.
PYTHON=/usr/bin/python3.11
[[ -x $PYTHON ]] || die "找不到 $PYTHON（Debian 12 自带，软件包 python3.11）"

# ----------------------------------------------------------------------------- 2. PostgreSQL and Redis
step "启动 PostgreSQL 与 Redis"
if [[ $MODE == systemd ]]; then
  if is_local_db; then systemctl enable --now postgresql; fi
  if ((LOCAL_REDIS)); then systemctl enable --now redis-server; fi
else
  if is_local_db && ! pg_isready -h "$DB_HOST" -p "$DB_PORT" -q; then
    cluster=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -1)
    [[ -n $cluster ]] || die "没有找到 PostgreSQL 集群（/etc/postgresql）"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  fi
  if ((LOCAL_REDIS)) && ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379
  fi
fi
for _ in $(seq 1 30); do pg_isready -h "$DB_HOST" -p "$DB_PORT" -q && break; sleep 1; done
pg_isready -h "$DB_HOST" -p "$DB_PORT" -q || die "PostgreSQL（$DB_HOST:$DB_PORT）没有响应"

# ----------------------------------------------------------------------------- 3. user and directories
step "系统用户 $APP_USER 与目录"
if ! id -u "$APP_USER" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$VAR_DIR" --no-create-home --shell /usr/sbin/nologin "$APP_USER"
  note "已创建用户 $APP_USER"
fi
# Code belongs to root (the app cannot change itself); data to the app user; uploads and
# backups readable by the app user only; static files readable by nginx (www-data).
install -d -m 0755 -o root -g root "$PREFIX"
install -d -m 0755 -o "$APP_USER" -g "$APP_USER" "$VAR_DIR" "$VAR_DIR/staticfiles"
install -d -m 0750 -o "$APP_USER" -g "$APP_USER" "$VAR_DIR/media" "$RUN_DIR" "$LOG_DIR" "$CACHE_DIR" "$BACKUP_DIR"
install -d -m 0750 -o root -g "$APP_USER" "$ETC_DIR"
install -d -m 0750 -o root -g root "$TLS_DIR"

# ----------------------------------------------------------------------------- 4. program
step "程序目录 $PREFIX"
if [[ $SOURCE_DIR != "$(cd "$PREFIX" && pwd)" ]]; then
  # Local build products (venv, npm packages, data) are the target's own: never copied,
  # never deleted there.
  rsync -a --delete \
    --exclude /.venv --exclude /node_modules --exclude /var --exclude '*.egg-info' \
    --exclude __pycache__ --exclude .pytest_cache --exclude .hypothesis --exclude .ruff_cache \
    --exclude /screenshots --exclude /test-results --exclude /.env --exclude /.git \
    "$SOURCE_DIR/" "$PREFIX/"
  chown -R root:root "$PREFIX"
  note "已从 $SOURCE_DIR 复制"
else
  note "就地安装（脚本位于程序目录内）"
fi
step "Python 虚拟环境（运行所需的包）与前端库"
VENV=$PREFIX/.venv
if [[ -f $VENV/pyvenv.cfg ]] && ! grep -qx "home = /usr/bin" "$VENV/pyvenv.cfg"; then
  note "现有虚拟环境不是用 $PYTHON 建的，重新创建"
  rm -rf "$VENV"
fi
# The packages the app runs on, pinned by requirements.lock; not `make install`, which adds
# the test tools (the [dev] extra: pytest, Playwright, Schemathesis …: 280 MB, a third of
# the install time) that a server never runs. Skipped while pyproject.toml and
# requirements.lock are those of the last successful install.
[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
python_stamp=$VENV/.installed-production
python_wanted=$(cd "$PREFIX" && sha256sum pyproject.toml requirements.lock)
if [[ ! -f $python_stamp || $(cat "$python_stamp") != "$python_wanted" ]]; then
  (cd "$PREFIX" && "$VENV/bin/pip" install -q -c requirements.lock -e .)
  printf '%s\n' "$python_wanted" >"$python_stamp"
else
  note "Python 依赖未变（pyproject.toml、requirements.lock），不重新安装"
fi
make -C "$PREFIX" node_modules/.installed
# Bytecode now, as root: the services cannot write __pycache__ under a read-only /opt.
"$PREFIX/.venv/bin/python" -m compileall -q "$PREFIX/xuanpei" >/dev/null || true

# ----------------------------------------------------------------------------- 5. env file
step "配置文件 $ENV_FILE"
if [[ ! -f $ENV_FILE ]]; then
  install -m 0640 -o root -g "$APP_USER" "$PREFIX/.env.production.example" "$ENV_FILE"
  db_password=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')
  set_env SECRET_KEY "$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  set_env DATABASE_URL "postgres://$DB_USER:$db_password@$DB_HOST:$DB_PORT/$DB_NAME"
  set_env ALLOWED_HOSTS "$DOMAIN"
  if [[ $HTTPS_PORT == 443 ]]; then
    set_env CSRF_TRUSTED_ORIGINS "https://$DOMAIN"
  else
    set_env CSRF_TRUSTED_ORIGINS "https://$DOMAIN:$HTTPS_PORT"
  fi
  set_env REDIS_URL "$REDIS_URL"
  set_env CELERY_BROKER_URL "$BROKER_URL"
  set_env CACHE_KEY_PREFIX "$INSTANCE"
  set_env XUANPEI_VAR_DIR "$VAR_DIR"
  set_env XUANPEI_TRUSTED_PROXIES 1
  set_env BACKUP_DIR "$BACKUP_DIR"
  if [[ -z $CERT_FILE && ! -f $TLS_DIR/xuanpei.crt ]]; then
    # A browser that has seen HSTS refuses to click through a certificate warning: no
    # HSTS until the district's own certificate is in place (README: 证书).
    set_env SECURE_HSTS_SECONDS 0
    note "使用自签名证书：已设 SECURE_HSTS_SECONDS=0，换上正式证书后请恢复为 31536000"
  fi
  note "已生成（随机 SECRET_KEY 与数据库密码）"
else
  note "已存在，保持不变"
fi
chown root:"$APP_USER" "$ENV_FILE"
chmod 0640 "$ENV_FILE"
app_env

# ----------------------------------------------------------------------------- 6. database
step "PostgreSQL 数据库 $DB_NAME 与角色 $DB_USER"
if is_local_db; then
  db_url=$(get_env DATABASE_URL)
  db_password=$(DB_URL="$db_url" "$PYTHON" -c \
    'import os, urllib.parse; print(urllib.parse.unquote(urllib.parse.urlsplit(os.environ["DB_URL"]).password or ""))')
  [[ -n $db_password ]] || die "$ENV_FILE 中的 DATABASE_URL 没有密码"
  pg_admin() { (cd / && runuser -u postgres -- psql -p "$DB_PORT" -X -q -v ON_ERROR_STOP=1 "$@"); }
  # The password goes in as a psql variable (:'pw'), quoted by psql, never spliced.
  if [[ $(pg_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'") != 1 ]]; then
    pg_admin -v pw="$db_password" <<<"CREATE ROLE $DB_USER LOGIN PASSWORD :'pw';"
    note "已创建角色 $DB_USER"
  else
    # The env file is the truth: a re-run makes the role's password match it again.
    pg_admin -v pw="$db_password" <<<"ALTER ROLE $DB_USER LOGIN PASSWORD :'pw';"
  fi
  if [[ $(pg_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") != 1 ]]; then
    # C.UTF-8, as docs/decisions.md assumes: names sort by pinyin through zh-x-icu.
    pg_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
    note "已创建数据库 $DB_NAME"
  else
    note "数据库已存在，保持不变"
  fi
else
  note "数据库不在本机（$DB_HOST）：请由数据库管理员建库建用户，此处只执行迁移"
fi

step "数据库迁移、静态文件"
as_app "$PREFIX/.venv/bin/xuanpei" migrate --noinput
as_app "$PREFIX/.venv/bin/xuanpei" collectstatic --noinput -v 0
if ((SEED_DEMO)); then
  step "载入演示数据（仅当数据库为空）"
  as_app "$PREFIX/.venv/bin/xuanpei" seed-demo --if-empty
fi
step "部署检查（xuanpei check --deploy）"
as_app "$PREFIX/.venv/bin/xuanpei" check --deploy --fail-level ERROR ||
  die "部署检查未通过，请按上面的提示修改 $ENV_FILE 后重新运行本脚本"

# ----------------------------------------------------------------------------- 7. certificate
step "TLS 证书 $TLS_DIR"
if [[ -n $CERT_FILE ]]; then
  install -m 0644 -o root -g root "$CERT_FILE" "$TLS_DIR/xuanpei.crt"
  install -m 0600 -o root -g root "$KEY_FILE" "$TLS_DIR/xuanpei.key"
  openssl x509 -noout -in "$TLS_DIR/xuanpei.crt" || die "证书文件格式不对：$CERT_FILE"
  note "已安装本单位证书"
elif [[ -f $TLS_DIR/xuanpei.crt && -f $TLS_DIR/xuanpei.key ]]; then
  note "已有证书，保持不变（到期：$(openssl x509 -noout -enddate -in "$TLS_DIR/xuanpei.crt" | cut -d= -f2)）"
else
  if [[ $DOMAIN =~ ^[0-9.]+$ ]]; then san="IP:$DOMAIN,IP:127.0.0.1"; else san="DNS:$DOMAIN,IP:127.0.0.1"; fi
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$DOMAIN" \
    -addext "subjectAltName=$san" -keyout "$TLS_DIR/xuanpei.key" -out "$TLS_DIR/xuanpei.crt" 2>/dev/null
  chmod 0600 "$TLS_DIR/xuanpei.key"
  chmod 0644 "$TLS_DIR/xuanpei.crt"
  note "已生成自签名证书（825 天）；浏览器会提示不安全，请尽快换成本单位证书（--cert/--key）"
fi

# ----------------------------------------------------------------------------- 8. nginx site
step "nginx 站点"
install -d /etc/nginx/sites-available /etc/nginx/snippets
render "$SCRIPT_DIR/nginx/xuanpei-proxy.conf" >"/etc/nginx/snippets/$SITE_NAME-proxy.conf"
render "$SCRIPT_DIR/nginx/xuanpei.conf" >"/etc/nginx/sites-available/$SITE_NAME"

render "$SCRIPT_DIR/manage.sh" >"/usr/local/bin/$INSTANCE-manage"
chmod 0755 "/usr/local/bin/$INSTANCE-manage"

# ----------------------------------------------------------------------------- 9. services
if [[ $MODE == systemd ]]; then
  step "systemd 服务"
  for unit in "${UNITS[@]}" xuanpei-backup; do
    render "$SCRIPT_DIR/systemd/$unit.service" >"/etc/systemd/system/$(unit_name "$unit").service"
  done
  sed "s#xuanpei-backup.service#$(unit_name xuanpei-backup).service#" "$SCRIPT_DIR/systemd/xuanpei-backup.timer" \
    >"/etc/systemd/system/$(unit_name xuanpei-backup).timer"
  systemctl daemon-reload
  services=()
  for unit in "${UNITS[@]}"; do services+=("$(unit_name "$unit").service"); done
  systemctl enable "${services[@]}" "$(unit_name xuanpei-backup).timer"
  # restart, not start: a re-run after `git pull` must load the new code.
  systemctl restart "${services[@]}"
  systemctl start "$(unit_name xuanpei-backup).timer"
  ln -sfn "/etc/nginx/sites-available/$SITE_NAME" "/etc/nginx/sites-enabled/$SITE_NAME"
  if [[ -L /etc/nginx/sites-enabled/default && $HTTP_PORT == 80 ]]; then
    # Debian's welcome page would answer every other host name on port 80.
    rm /etc/nginx/sites-enabled/default
    note "已停用 nginx 默认站点"
  fi
  nginx -t -q || die "nginx 配置有误（见上）"
  systemctl enable nginx
  if systemctl is-active -q nginx; then systemctl reload nginx; else systemctl start nginx; fi
else
  step "直接启动进程（无 systemd）：日志在 $LOG_DIR，停止：$0 --stop（加同样的目录参数）"
  stop_direct
  # Another server on the app port would answer nginx's requests (and /readyz) instead.
  if (exec 3<>"/dev/tcp/127.0.0.1/$APP_PORT") 2>/dev/null; then
    die "应用端口 127.0.0.1:$APP_PORT 已被其他程序占用：请换一个端口（--app-port）或先停止它"
  fi
  for unit in "${UNITS[@]}"; do
    read -r -a cmd <<<"$(exec_start "$unit")"
    # In a session of its own (setsid), whose leader writes its pid and then becomes the
    # program (exec all the way down): the pid file names the program and its process
    # group, whether setsid had to fork or not. The background subshell execs too: a shell
    # left waiting for the program would hold this script's output open (an `ssh host
    # install-debian.sh` would never return) and print "Terminated" when it is stopped.
    # shellcheck disable=SC2016 # $$ and $0 belong to the inner sh
    (cd "$PREFIX" && exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN_DIR/$unit.pid" \
      setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups \
      env -i "${APP_ENV[@]}" "${cmd[@]}" >>"$LOG_DIR/$unit.log" 2>&1 </dev/null) &
    for _ in $(seq 1 50); do [[ -s $RUN_DIR/$unit.pid ]] && break; sleep 0.1; done
    note "$unit 已启动（进程 $(cat "$RUN_DIR/$unit.pid")）"
  done
  # A private nginx master with only this site: nothing else of the machine's nginx
  # (its default site on port 80) starts, and --stop ends exactly this one.
  # Request bodies (uploads) are buffered here by nginx's workers (www-data), not in the
  # app user's run directory, which www-data cannot enter.
  nginx_tmp=$VAR_DIR/nginx-tmp
  install -d -m 0700 -o www-data -g www-data "$nginx_tmp"
  cat >"$NGINX_CONF" <<EOF
# Written by install-debian.sh (no-systemd mode): a private nginx serving only this site.
user www-data;
worker_processes auto;
pid $RUN_DIR/nginx.pid;
error_log $LOG_DIR/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $LOG_DIR/nginx-access.log;
    client_body_temp_path $nginx_tmp/body;
    proxy_temp_path $nginx_tmp/proxy;
    fastcgi_temp_path $nginx_tmp/fastcgi;
    uwsgi_temp_path $nginx_tmp/uwsgi;
    scgi_temp_path $nginx_tmp/scgi;
    include /etc/nginx/sites-available/$SITE_NAME;
}
EOF
  nginx -t -q -c "$NGINX_CONF" || die "nginx 配置有误（见上）"
  nginx -c "$NGINX_CONF"
  note "nginx 已启动（进程 $(cat "$RUN_DIR/nginx.pid")）"
fi

# ----------------------------------------------------------------------------- 10. readiness
step "检查 https://$DOMAIN:$HTTPS_PORT/readyz（经 nginx，最多等待 $READY_TIMEOUT 秒）"
# --resolve: the request carries the real host name (ALLOWED_HOSTS) but goes to this machine.
curl_local() {
  curl -sk --max-time 10 --resolve "$DOMAIN:$HTTPS_PORT:127.0.0.1" "https://$DOMAIN:$HTTPS_PORT$1" "${@:2}"
}
# Every process this script started is still running (direct mode; systemd restarts its own).
all_alive() {
  local name
  [[ $MODE == systemd ]] && return 0
  for name in "${UNITS[@]}" nginx; do
    if ! pid_alive "$RUN_DIR/$name.pid"; then
      echo "进程 $name 已退出" >&2
      return 1
    fi
  done
}
deadline=$((SECONDS + READY_TIMEOUT))
status=000
while ((SECONDS < deadline)); do
  status=$(curl_local /readyz -o "$RUN_DIR/readyz.out" -w '%{http_code}' || true)
  [[ $status == 200 ]] && break
  all_alive || break
  sleep 2
done
if [[ $status != 200 ]] || ! all_alive; then
  echo "未就绪：/readyz 返回 $status" >&2
  cat "$RUN_DIR/readyz.out" >&2 2>/dev/null || true
  echo >&2
  if [[ $MODE == systemd ]]; then
    echo "查看日志：journalctl -u $(unit_name xuanpei-web) -u $(unit_name xuanpei-worker) -n 50" >&2
  else
    tail -n 20 "$LOG_DIR"/*.log >&2 || true
  fi
  exit 1
fi
note "/readyz：$(cat "$RUN_DIR/readyz.out")"
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HTTP_PORT/" || true)
[[ $status == 301 ]] || die "HTTP 端口 $HTTP_PORT 没有跳转到 HTTPS（返回 $status）"

cat <<EOF

安装完成：https://$DOMAIN$([[ $HTTPS_PORT == 443 ]] || echo ":$HTTPS_PORT")/
  配置文件：$ENV_FILE（修改后重启服务）
  数据目录：$VAR_DIR    备份目录：$BACKUP_DIR
  创建第一个管理员：sudo $INSTANCE-manage createsuperuser
EOF
