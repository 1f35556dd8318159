"""Django settings. SQLite under ./var by default; PostgreSQL through DATABASE_URL.

Environment: DATABASE_URL, DUBAN_HOME (data folder, default ./var), DUBAN_SECRET_KEY,
DUBAN_DEBUG (1/0), DUBAN_ALLOWED_HOSTS (comma-separated).
"""

from __future__ import annotations

import os
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
    "duban.briefs",
    "duban.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ]
        },
    }
]
WSGI_APPLICATION = "duban.web.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{DATA_DIR / 'duban.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
STATIC_ROOT = DATA_DIR / "static"
LOGIN_URL = "/admin/login/"
