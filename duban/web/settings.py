"""Django settings. SQLite under ./var by default; PostgreSQL through DATABASE_URL.

Environment: DATABASE_URL, DUBAN_HOME (data folder, default ./var), DUBAN_SECRET_KEY,
DUBAN_DEBUG (1/0), DUBAN_ALLOWED_HOSTS (comma-separated). Production: duban.web.settings_production
(HTTPS-only cookies, HSTS, no debug pages); the security block at the end and docs/security.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DUBAN_HOME", Path.cwd() / "var"))

DEBUG = os.environ.get("DUBAN_DEBUG", "1") == "1"
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
    "duban.scale",  # duban synth / duban bench, PostgreSQL scale-out (docs/deployment.md)
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
    "duban.scale.router.ReplicaReadsMiddleware",  # dashboard GETs read from the replica, if any
    "duban.plans.structure.StructureVersionMiddleware",  # one read of the plan structure's version
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
# read replica for dashboards and briefs (docs/deployment.md, duban/scale/router.py)
if os.environ.get("DUBAN_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DUBAN_REPLICA_URL"], conn_max_age=60)
DATABASE_ROUTERS = ["duban.scale.router.ReplicaRouter"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    # concurrent writers (gunicorn workers, the queue's worker), with Django's documented options: WAL
    # lets pages read during a write, IMMEDIATE takes the write lock at BEGIN (no deadlocked upgrade), a
    # waiting writer retries for up to 20 s (busy timeout); docs/deployment.md, docs/benchmarks.md
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
# page figures (duban/ui/cache.py): a folder shared by the gunicorn workers, so a big scope is computed
# once between them; DUBAN_CACHE_DIR moves it (e.g. to tmpfs)
CACHE_DIR = Path(os.environ.get("DUBAN_CACHE_DIR", DATA_DIR / "cache")).resolve()  # absolute: workers may chdir
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 5000},
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
# background (stale-while-revalidate, duban/ui/cache.py); None: always recompute after a change
DUBAN_STALE_FIGURES_AFTER = 0.5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
STATIC_ROOT = DATA_DIR / "static"
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
]
AUTHENTICATION_BACKENDS = [
    "duban.ops.lockout.LockoutBackend",  # refuses a locked-out username+IP before the password is checked
    "duban.accounts.backends.ProfileBackend",  # ModelBackend that reads the user's profile in the same query
    "django.contrib.auth.backends.ModelBackend",  # sessions made before ProfileBackend still name it
]

# django-axes: 5 failed logins for one username from one IP lock that pair for 30 minutes
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ops/lockout.html"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请 30 分钟后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系管理员解锁。"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DUBAN_PROXY_COUNT", "0")) or None  # proxies in front (X-Forwarded-For)

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
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files go through DUBAN_MAX_UPLOAD_BYTES
DUBAN_BACKUP_DIR = DATA_DIR / "backups"  # `duban backup` default folder and pre-restore copies
