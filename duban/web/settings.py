"""Django settings. SQLite under ./var by default; PostgreSQL through DATABASE_URL.

Environment: DATABASE_URL, DUBAN_HOME (data folder, default ./var), DUBAN_SECRET_KEY,
DUBAN_DEBUG (1/0), DUBAN_ALLOWED_HOSTS (comma-separated), DUBAN_AS_OF (demo date). Production: duban.web.settings_production
(HTTPS-only cookies, HSTS, no debug pages); the security block at the end and docs/security.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

# Files this process creates (the SQLite database and its journal, uploads, attachments, backups, the
# page cache and sessions) are the server account's alone: 0600 files, 0700 folders. Static files are
# written with explicit modes below, since a web server under another account serves them.
os.umask(0o077)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DUBAN_HOME", Path.cwd() / "var"))

DEBUG = os.environ.get("DUBAN_DEBUG", "1") == "1"
# the date the product runs at (演示日期, YYYY-MM-DD; duban/plans/clock.py); `duban demo` stores its own
DUBAN_AS_OF = os.environ.get("DUBAN_AS_OF", "")
SECRET_KEY = os.environ.get("DUBAN_SECRET_KEY") or ("django-insecure-duban-dev-only" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("生产环境必须设置 DUBAN_SECRET_KEY（DUBAN_SECRET_KEY must be set when DUBAN_DEBUG=0）")
ALLOWED_HOSTS = [h for h in os.environ.get("DUBAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "duban.audit",  # the audit trail every app writes (below plans: docs/DESIGN.md, Layers)
    "duban.accounts",
    "duban.plans",
    "duban.tracking",
    "duban.supervision",
    "duban.briefs",
    "duban.assessment",
    "duban.notify",
    "duban.cascade",
    "duban.ops",
    "duban.ui",  # web pages of every role (docs/ui.md)
    "duban.scale",  # bench tooling: duban synth, duban bench (locust: the dev extras; docs/benchmarks.md)
    "duban.jobs",  # background jobs on the Huey task queue, their progress pages (docs/jobs.md)
    "huey.contrib.djhuey",  # `duban run_huey`: the queue's worker
    "axes",  # login throttling and lock-out (see the security block below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "duban.accounts.middleware.AuditActorMiddleware",  # audit entries name the logged-in user
    "duban.ops.router.ReplicaReadsMiddleware",  # dashboard GETs read from the replica, if any
    "duban.audit.cache.CacheVersionMiddleware",  # each cache version read once per request
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # keep last: turns a lock-out into the lock-out page
]

ROOT_URLCONF = "duban.web.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "duban.ui.context_processors.shell",  # role menu (duban/ui/nav.py)
            ]
        },
    }
]
WSGI_APPLICATION = "duban.web.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{DATA_DIR / 'duban.sqlite3'}", conn_max_age=60)
}
# read replica for dashboards and briefs (docs/deployment.md, duban/ops/router.py)
if os.environ.get("DUBAN_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DUBAN_REPLICA_URL"], conn_max_age=60)
DATABASE_ROUTERS = ["duban.ops.router.ReplicaRouter"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    # concurrent writers (gunicorn workers, the queue's worker), with Django's documented options: WAL
    # lets pages read during a write, IMMEDIATE takes the write lock at BEGIN (no deadlocked upgrade), a
    # waiting writer retries for up to 20 s (busy timeout); docs/deployment.md, docs/benchmarks-history.md
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
        }
    )
# the task queue (Huey, docs/jobs.md): an SQLite file of its own by default (no extra server, no
# writes on the app database); DUBAN_JOBS_URL=redis://… in production. DUBAN_JOBS_IMMEDIATE=1 runs
# every job inside the call that enqueues it (tests). The worker: `duban run_huey` (settings below)
HUEY = {
    "name": "duban",
    "immediate": os.environ.get("DUBAN_JOBS_IMMEDIATE", "0") == "1",
    "utc": True,
    "consumer": {"workers": int(os.environ.get("DUBAN_JOBS_WORKERS", "2")), "worker_type": "thread"},
}
if os.environ.get("DUBAN_JOBS_URL"):
    HUEY.update({"huey_class": "huey.RedisHuey", "url": os.environ["DUBAN_JOBS_URL"]})
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3"), "timeout": 20})
# the caches of duban.audit.cache (docs/caching.md). Page figures: a folder shared by the gunicorn
# workers, so a big scope is computed once between them; DUBAN_CACHE_DIR moves it (e.g. to tmpfs)
CACHE_DIR = Path(os.environ.get("DUBAN_CACHE_DIR", DATA_DIR / "cache")).resolve()  # absolute: workers may chdir
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # values derived from the plan structure, in each process, shared by its requests
    "structure": {
        "BACKEND": "duban.audit.cache.SharedMemoryCache",
        "LOCATION": "duban-structure",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
    # the same for values of ~100 KB (a unit's task list, a province's plan list): fewer kept
    "structure-large": {
        "BACKEND": "duban.audit.cache.SharedMemoryCache",
        "LOCATION": "duban-structure-large",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # sessions, read by every request: the database stays the record (cached_db writes through to it,
    # logout deletes both), the cache saves a query per request; several app servers must share it
    # (a Redis CACHES entry; docs/deployment.md), or a logout on one would not end the session on another
    "sessions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR / "sessions"),
        "TIMEOUT": 8 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
# figures that took this long to compute are served up to 10 minutes old while recomputed in the
# background (stale-while-revalidate, duban/audit/cache.py); None: always recompute after a change
DUBAN_STALE_FIGURES_AFTER = 0.5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
STATIC_ROOT = Path(os.environ.get("DUBAN_STATIC_ROOT", DATA_DIR / "static"))  # outside DUBAN_HOME for nginx
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {  # readable by the web server (the umask above would make them private)
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600  # report attachments: the server account's alone
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DUBAN_MEDIA_ROOT", DATA_DIR / "media"))  # report attachments
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# e-mail of reminders (`duban remind`, docs/accounts.md): the SMTP server comes from the environment
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))  # seconds; a dead server must not hang cron
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "督办系统 <duban@localhost>")
DUBAN_REMIND_PERIODIC = os.environ.get("DUBAN_REMIND_PERIODIC", "1") == "1"  # the worker reminds every 30 min
DUBAN_BASE_URL = os.environ.get("DUBAN_BASE_URL", "http://127.0.0.1:8000")  # links in reminders
# server errors (HTTP 500 with the traceback) are mailed to DUBAN_ADMINS ("张三 <a@x.gov.cn>, b@x.gov.cn")
ADMINS = [
    (a.split("<")[0].strip() or a.strip(), a.split("<")[-1].rstrip(">").strip())
    for a in os.environ.get("DUBAN_ADMINS", "").split(",")
    if a.strip()
]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# logging: everything from WARNING up (DUBAN_LOG_LEVEL) to stderr, which gunicorn and systemd keep;
# request errors (django.request: HTTP 500) with their traceback, also mailed to ADMINS when set
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": os.environ.get("DUBAN_LOG_LEVEL", "WARNING"),
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("DUBAN_LOG_LEVEL", "WARNING")},
    "loggers": {
        # replaces Django's default "django" logger (console only under DEBUG); records go on to the root
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
    },
}

# ---------------------------------------------------------------- security (docs/security.md)
# The same rules in development and production; settings_production.py adds HTTPS-only parts.

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # new and changed passwords
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # still verifies older hashes, upgraded on login
]
AUTH_PASSWORD_VALIDATORS = [  # messages come in Chinese from Django's zh-hans catalogue
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "duban.ops.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "duban.ops.passwords.UsernameInPasswordValidator"},  # 张三zhangsan张三 … contains the username
]
AUTHENTICATION_BACKENDS = [
    "duban.ops.lockout.LockoutBackend",  # refuses a locked-out username+IP before the password is checked
    "duban.accounts.backends.ProfileBackend",  # ModelBackend that reads the user's profile in the same query
    "django.contrib.auth.backends.ModelBackend",  # sessions made before ProfileBackend still name it
]

# django-axes (duban/ops/lockout.py): 5 failed logins for one username from one address lock that
# pair for 30 minutes; 20 failures, or failures for 6 different usernames (password spraying), from
# one address lock the address
AXES_HANDLER = "duban.ops.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # forgets that username's failures from that address only
AXES_LOCKOUT_TEMPLATE = "ops/lockout.html"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请 30 分钟后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系管理员解锁。"
DUBAN_LOGIN_IP_LIMIT = int(os.environ.get("DUBAN_LOGIN_IP_LIMIT", "20"))
DUBAN_LOGIN_SPRAY_USERS = int(os.environ.get("DUBAN_LOGIN_SPRAY_USERS", "6"))
# the client address (duban.ops.lockout.client_ip): behind DUBAN_PROXY_COUNT reverse proxies it is read
# from X-Forwarded-For (each proxy must append its peer's address, e.g. nginx's
# $proxy_add_x_forwarded_for); without the variable the header is ignored, so nobody can forge it
DUBAN_PROXY_COUNT = int(os.environ.get("DUBAN_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "duban.ops.lockout.client_ip"

# sessions: 8 hours from login; DUBAN_SESSION_BROWSER_CLOSE=1 also ends them when the browser closes
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = os.environ.get("DUBAN_SESSION_BROWSER_CLOSE", "0") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DUBAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Content-Security-Policy (django-csp): only our own scripts, styles and images; no inline code
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

DUBAN_MAX_UPLOAD_BYTES = int(os.environ.get("DUBAN_MAX_UPLOAD_MB", "20")) * 1024 * 1024  # plan files
# limits of an uploaded plan file, checked before any parser loads it (duban/ingest/limits.py; docs/security.md §4)
DUBAN_XLSX_MAX_SHEETS = 50  # worksheets in a workbook
DUBAN_XLSX_MAX_ROWS = 20_000  # last row of a sheet, declared (<dimension>) or present
DUBAN_XLSX_MAX_COLS = 200  # last column of a sheet, declared or present
DUBAN_XLSX_MAX_CELLS = 200_000  # cells present in the whole workbook
DUBAN_DOCX_MAX_XML_BYTES = 16 * 1024 * 1024  # uncompressed XML of a .docx (python-docx needs ~11x in memory)
DUBAN_PDF_MAX_PAGES = 300
# one parse runs in a child process: killed after this many seconds, or when it needs more memory than this
DUBAN_PARSE_SECONDS = int(os.environ.get("DUBAN_PARSE_SECONDS", "60"))
DUBAN_PARSE_MEMORY_MB = int(os.environ.get("DUBAN_PARSE_MEMORY_MB", "1024"))
FILE_UPLOAD_PERMISSIONS = 0o600  # report attachments: readable by the service account only
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files go through DUBAN_MAX_UPLOAD_BYTES
DUBAN_BACKUP_DIR = DATA_DIR / "backups"  # `duban backup` default folder and pre-restore copies
