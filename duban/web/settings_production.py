"""Production settings: everything in :mod:`duban.web.settings` plus HTTPS-only cookies, HSTS and
no debug pages. Use with ``DJANGO_SETTINGS_MODULE=duban.web.settings_production``.

Required environment: DUBAN_SECRET_KEY (50+ random characters), DUBAN_ALLOWED_HOSTS, DATABASE_URL.
Optional: DUBAN_DEBUG (default 0 — never 1 in production), DUBAN_SSL_REDIRECT (default 1; 0 when a
proxy already redirects), DUBAN_PROXY_SSL_HEADER=1 (behind a proxy that sets X-Forwarded-Proto),
DUBAN_HSTS_SECONDS (default one year). See docs/security.md.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from duban.web.settings import *  # noqa: F403

DEBUG = os.environ.get("DUBAN_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("DUBAN_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "生产环境必须通过环境变量 DUBAN_SECRET_KEY 设置至少 50 个字符的随机密钥，"
        "可用 python -c 'import secrets; print(secrets.token_urlsafe(50))' 生成"
        "（DUBAN_SECRET_KEY must be set to 50+ random characters）"
    )
if not os.environ.get("DUBAN_ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "生产环境必须设置 DUBAN_ALLOWED_HOSTS（本系统的域名，逗号分隔）（DUBAN_ALLOWED_HOSTS must be set）"
    )

SECURE_SSL_REDIRECT = os.environ.get("DUBAN_SSL_REDIRECT", "1") == "1"
if os.environ.get("DUBAN_PROXY_SSL_HEADER", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DUBAN_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"  # browsers accept it only over HTTPS, for this host, path /
CSRF_COOKIE_NAME = "__Host-csrftoken"
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True  # noqa: F405
