"""Settings for 宣培通, driven by environment variables (see .env.example).

Defaults make `make run` work on a laptop: an SQLite file under var/, DEBUG on.
In production set DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL
(postgres://…); missing production values raise ImproperlyConfigured.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from xuanpei.core.env import env_bool, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(env_str("XUANPEI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for FORM_RENDERER below
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "treebeard",
    "auditlog",
    "axes",
    "xuanpei.core",
    "xuanpei.accounts",
    "xuanpei.orgs",
    "xuanpei.notifications",
    "xuanpei.audit",
    "xuanpei.workforce",
    "xuanpei.plans",
    "xuanpei.publicity",
    "xuanpei.training",
    "xuanpei.assessment",
]

MIDDLEWARE = [
    # /healthz and /readyz for probes on the machine itself: before the host check and the
    # HTTPS redirect (core/health.py, issue #14).
    "xuanpei.core.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, except that job-progress polls do not renew the idle session (issue #9).
    "xuanpei.core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xuanpei.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # SQLite "database is locked": a Chinese 503 "系统繁忙，请稍后再试", not a 500 (issue #9).
    "xuanpei.core.middleware.BusyMiddleware",
    # An IntegrityError that escaped the services: a Chinese 409 page, not a 500.
    "xuanpei.core.concurrency.ConflictMiddleware",
]

ROOT_URLCONF = "xuanpei.urls"
WSGI_APPLICATION = "xuanpei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xuanpei.core.context_processors.navigation",
            ],
        },
    },
]

# Widgets render through the project's template engine, so that xuanpei/templates can
# override a widget template (django/forms/widgets/select.html: why).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'xuanpei.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The default database file lives under var/, which a fresh checkout lacks.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the in-process import jobs write while pages keep reading.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A writer waits this long for the lock (Python's default is 5 s): longer than any
    # request's own writes; past it the page says 系统繁忙 (core/middleware.py).
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int("SQLITE_BUSY_TIMEOUT", 30)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _pg_options = []
    if not env_bool("PG_JIT", False):
        # JIT compiling adds ~1 s to the big 持证率 aggregates and gains nothing on
        # them (docs/decisions.md, "PostgreSQL JIT off"). PG_JIT=1 turns it back on.
        _pg_options.append("-c jit=off")
    # Parallel workers per query of this process's sessions (PostgreSQL's default 2 when
    # unset). `xuanpei serve` sets 0: a page's query on a busy 2-core box is faster without
    # starting helpers (docs/decisions.md, "Pages under load"); jobs and commands keep them.
    _parallel = env_int("PG_PARALLEL_WORKERS", -1)
    if _parallel >= 0:
        _pg_options.append(f"-c max_parallel_workers_per_gather={_parallel}")
    if _pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_pg_options)
# PostgreSQL connections from a pool per server process (psycopg-pool, Django 5.2), at most
# DB_POOL_MAX_SIZE each: the server holds ≤ workers × DB_POOL_MAX_SIZE connections whatever
# the load (issue #14: without a bound, 50 users exhausted max_connections). `xuanpei serve`
# turns it on (one per request thread); 0, the default, keeps `make run` and the tests on
# Django's own per-thread connections. A request that waits DB_POOL_TIMEOUT seconds for a
# free connection fails (PoolTimeout) rather than queueing for ever.
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0)
if DB_POOL_MAX_SIZE > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _pool_min = env_int("DB_POOL_MIN_SIZE", 1)
    if not 0 <= _pool_min <= DB_POOL_MAX_SIZE:
        raise ImproperlyConfigured("DB_POOL_MIN_SIZE must be between 0 and DB_POOL_MAX_SIZE")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": _pool_min,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }
    # With a pool, Django turns this into the pool's check on each checkout (an empty
    # statement, one round trip): a connection PostgreSQL dropped (a restart) is replaced,
    # not handed to a request that would then fail (docs/decisions.md, "A database that
    # cannot serve now").
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django refuses persistent connections with a pool: the pool keeps them instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DB_POOL_MAX_SIZE < 0:
    raise ImproperlyConfigured("DB_POOL_MAX_SIZE must be 0 (no pool) or a positive integer")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "xuanpei.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xuanpei.accounts.validators.ComplexityValidator"},
    # Real variety (issue #9): distinct characters, no repeats, runs or the username.
    {
        "NAME": "xuanpei.accounts.validators.VarietyValidator",
        "OPTIONS": {"min_distinct": env_int("PASSWORD_MIN_DISTINCT", 6)},
    },
]

# The cache: Redis when REDIS_URL is set (redis://host:6379/0), shared by every server
# process — the public certificate check's rate limit (django-ratelimit, workforce/
# views_public.py) counts there, so N workers allow the configured rate, not N times it.
# Unset (`make run`, one process): Django's in-process local-memory cache.
# The login lock-out does not live in the cache: see AXES_HANDLER below.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Several deployments (or test runs) may share one Redis server.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "xuanpei"),
        }
    }
    # Sessions read from Redis, written through to the database: every server process sees
    # the same session, and a restarted Redis (which keeps nothing on disk here) logs
    # nobody out. The job-progress polls that must not renew a session (issue #9) go
    # through core.middleware.SessionMiddleware whatever the engine.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Lookups of the public certificate check per client address (django-ratelimit syntax).
PUBLIC_CHECK_RATE = env_str("PUBLIC_CHECK_RATE", "10/m")
# Training (issue #12): refused QR sign-ins allowed per session and name / per address and
# session (training/views_signin.py), and the days an accident's training obligations get.
TRAINING_SIGN_IN_NAME_RATE = env_str("TRAINING_SIGN_IN_NAME_RATE", "10/10m")
TRAINING_SIGN_IN_IP_RATE = env_str("TRAINING_SIGN_IN_IP_RATE", "100/10m")
TRAINING_ACCIDENT_DEADLINE_DAYS = env_int("TRAINING_ACCIDENT_DEADLINE_DAYS", 30)

# Lock-out: 5 failures → 15 minutes (issue #2, security baseline), for the account on the
# client that failed (username + address, issue #9 item 5): an attacker elsewhere cannot
# lock the owner out, and the district's NAT'd offices are not locked as a whole either.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Failures and locks are rows in the database (AccessAttempt, AccessLog), not cache keys:
# every server process reads the same rows, a lock survives a restart of Redis (which
# keeps nothing on disk here) or of the server, the delay ladder, `xuanpei unlock` and the
# unlock button read those rows, and the log of logins is part of the 安全审计 record.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The client address: REMOTE_ADDR, or behind N trusted reverse proxies (nginx in front:
# XUANPEI_TRUSTED_PROXIES=1) the address the outermost one saw in X-Forwarded-For
# (accounts/lockout.py). Never trust the header without a proxy that overwrites it.
XUANPEI_TRUSTED_PROXIES = env_int("XUANPEI_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "xuanpei.accounts.lockout.client_ip"
# The delay ladder for one username failing from many addresses (accounts/lockout.py):
# after this many recent failures in all, each attempt waits 1, 2, 4 … seconds, capped.
LOGIN_DELAY_AFTER_FAILURES = env_int("LOGIN_DELAY_AFTER_FAILURES", 10)
LOGIN_DELAY_MAX_SECONDS = env_int("LOGIN_DELAY_MAX_SECONDS", 60)

# Sessions expire after 30 minutes idle: a request renews them (the session row's expiry).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# Renewed by core.middleware.SessionMiddleware at most once a minute, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Front-end libraries come from npm (package.json) into node_modules; only the files the
# templates load (with the source maps they name) are exposed, under
# /static/vendor/<package>/ (xuanpei/core/staticfinders.py says why).
NODE_MODULES = Path(env_str("XUANPEI_NODE_MODULES", str(BASE_DIR / "node_modules")))
VENDOR_STATIC = {
    "vendor/bootstrap": (
        NODE_MODULES / "bootstrap" / "dist",
        ["css/bootstrap.min.css", "css/bootstrap.min.css.map", "js/bootstrap.bundle.min.js*"],
    ),
    "vendor/bootstrap-icons": (
        NODE_MODULES / "bootstrap-icons" / "font",
        ["bootstrap-icons.min.css", "fonts/bootstrap-icons.woff*"],
    ),
    "vendor/echarts": (NODE_MODULES / "echarts" / "dist", ["echarts.min.js"]),
    "vendor/htmx": (NODE_MODULES / "htmx.org" / "dist", ["htmx.min.js"]),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "xuanpei.core.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "xuanpei.core.staticstorage.GzipManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Pages name static files through {% static %}, which gives the hashed name: the unhashed
# copies and compressed source maps (the API docs' are 20 MB) would only slow
# `collectstatic` down at every deployment.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Uploads live outside the web root and are served only through scoped views.
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 50) * 1024 * 1024
# Evidence files of progress reports (plans): the size limit of one file, in MB.
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 20)
# Zip archives that come in (xlsx, docx): refused past these, before they are read
# (core/archives.py, issue #9: a 1 MB zip bomb unpacking to 1 GB).
XLSX_MAX_UNCOMPRESSED_MB = env_int("XLSX_MAX_UNCOMPRESSED_MB", 1024)
XLSX_MAX_RATIO = env_int("XLSX_MAX_RATIO", 100)
ARCHIVE_MAX_MEMBERS = env_int("ARCHIVE_MAX_MEMBERS", 10000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "xuanpei.core.pagination.CountCachingPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "xuanpei.core.api_schema.ContractAutoSchema",
    "EXCEPTION_HANDLER": "xuanpei.core.api.exception_handler",
}
# /api/schema/ and /api/docs/ need a login (issue #9 item 13); 1 publishes them.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "宣培通 API",
    "DESCRIPTION": "应急管理宣传教育培训平台接口（按用户权限范围返回数据）",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind` field with different choices: name each enum once.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "xuanpei.orgs.choices.UnitKind",
        "PlanKindEnum": "xuanpei.plans.choices.PlanKind",
        "TaskKindEnum": "xuanpei.plans.choices.TaskKind",
        "RuleKindEnum": "xuanpei.publicity.choices.RuleKind",
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xuanpei@localhost")
# Certificate reminders: days before the review/expiry date (xuanpei send_reminders).
CERT_REMINDER_DAYS = env_list("CERT_REMINDER_DAYS", ["90", "60", "30", "0"])

# Background jobs (imports): in-process threads by default; "celery" when deployed at scale
# (Celery workers, `celery -A xuanpei worker`, on a Redis broker; docs/decisions.md).
JOB_RUNNER = env_str("JOB_RUNNER", "thread")
if JOB_RUNNER not in ("thread", "sync", "celery"):
    raise ImproperlyConfigured("JOB_RUNNER must be 'thread', 'sync' or 'celery'")
# Read only by xuanpei/celery.py (JOB_RUNNER=celery); the Job row holds every result, so
# the result backend is optional. Both default to REDIS_URL.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
if JOB_RUNNER == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("JOB_RUNNER=celery needs CELERY_BROKER_URL (or REDIS_URL)")
CELERY_TASK_IGNORE_RESULT = True
# A job runs at most once: acknowledged when a worker takes it (a worker that dies mid-job
# leaves the row to fail_stale_jobs, never a second run); one job fetched at a time.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job whose heartbeat is older than this (and whose process cannot be checked) has died.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_STALE_MINUTES = env_int("JOB_STALE_MINUTES", 30)
# `xuanpei cleanup` (daily): uploads of previews never committed, and import reports.
IMPORT_UPLOAD_RETENTION_HOURS = env_int("IMPORT_UPLOAD_RETENTION_HOURS", 48)
IMPORT_REPORT_RETENTION_DAYS = env_int("IMPORT_REPORT_RETENTION_DAYS", 30)
# The original file a committed import batch keeps (imports/batches/, issue #10) is removed
# after this many days; the batch and its change rows stay. 365: the Cybersecurity Law
# (§21) and 等保 2.0 want security/audit logs kept at least six months; the file is the
# evidence behind an audited import, so it is kept a full year — through one annual plan
# and assessment cycle — with margin over the legal minimum. Never set it below 180.
IMPORT_BATCH_FILE_RETENTION_DAYS = env_int("IMPORT_BATCH_FILE_RETENTION_DAYS", 365)

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
