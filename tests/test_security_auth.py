"""Authentication and HTTP hardening: argon2, password rules in Chinese, login lock-out after five
failures per username+IP, 8-hour sessions, CSP and framing headers, no CSRF exemptions, no inline
code in templates (the CSP would block it), and production settings that pass ``check --deploy``."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Duban-督办-2025!"
LOGIN = "/admin/login/"


def test_new_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert make_password("一个足够长的口令-2025").startswith("argon2$")


@pytest.mark.parametrize(
    "password,needle",
    [
        ("Ab1!xyz", "密码长度太短，至少需要 10 个字符"),
        ("1234567890123", "密码只包含数字"),
        ("password123", "太常见"),
        ("zhangsan2025x", "太相似"),
    ],
)
def test_weak_passwords_refused_in_chinese(password, needle):
    user = get_user_model()(username="zhangsan2025", first_name="张三")
    with pytest.raises(ValidationError) as err:
        validate_password(password, user)
    messages = " ".join(err.value.messages)
    assert needle in messages, messages


def test_good_password_accepted():
    validate_password(PASSWORD, get_user_model()(username="lisi"))


def _staff(username="duchashi"):
    return get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)


def _attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_failures_lock_the_username_from_that_address(client):
    _staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            _attempt(client, "duchashi", "wrong-password").status_code == 200
        )  # the form again, with an error
    locked = _attempt(client, "duchashi", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "账号已暂时锁定" in page and "30 分钟后再试" in page
    # even the right password is refused from that address while locked …
    assert _attempt(client, "duchashi", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # … but the same user from another address, and another user from the same one, may log in
    ok = _attempt(client, "duchashi", PASSWORD, ip="10.0.0.2")
    assert ok.status_code == 302 and client.session["_auth_user_id"]
    client.logout()
    _staff("zhuanban")
    assert _attempt(client, "zhuanban", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_success_before_the_limit_resets_the_count(client):
    _staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "duchashi", "wrong-password")
    assert _attempt(client, "duchashi", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "duchashi", "wrong-password").status_code == 200


@pytest.mark.django_db
def test_session_lasts_eight_hours(client):
    _staff()
    assert _attempt(client, "duchashi", PASSWORD).status_code == 302
    assert client.session.get_expiry_age() == 8 * 3600
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_pages_carry_csp_and_framing_headers(client):
    _staff()
    client.force_login(get_user_model().objects.get(username="duchashi"))
    r = client.get("/")
    assert r.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in r["Content-Security-Policy"].split(";") if part.strip())
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert (
        csp["img-src"] == "'self' data:"
        and csp["frame-ancestors"] == "'none'"
        and csp["form-action"] == "'self'"
    )
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"


def _views(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _views(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_no_view_is_csrf_exempt():
    views = list(_views())
    assert len(views) > 10  # the admin and the plan pages at least
    exempt = [route for route, view in views if getattr(view, "csrf_exempt", False)]
    assert exempt == []
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I)


def test_templates_have_no_inline_code_the_csp_would_block():
    templates = [p for p in (ROOT / "duban").rglob("templates/**/*.html")]
    assert len(templates) >= 6
    found = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in templates
        for m in INLINE.finditer(p.read_text("utf-8"))
    ]
    assert found == []


def _deploy_check(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DUBAN_", "DJANGO_"))}
    base.update(
        {"DJANGO_SETTINGS_MODULE": "duban.web.settings_production", "DUBAN_HOME": "/tmp/duban-deploy-check"}
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "duban.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    r = _deploy_check(DUBAN_SECRET_KEY=secrets.token_urlsafe(50), DUBAN_ALLOWED_HOSTS="duban.example.gov.cn")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_production_refuses_to_start_without_a_secret_key():
    r = _deploy_check(DUBAN_ALLOWED_HOSTS="duban.example.gov.cn")
    assert r.returncode != 0
    assert "DUBAN_SECRET_KEY" in r.stderr and "生产环境必须" in r.stderr


def test_production_settings_are_strict():
    code = (
        "import django.conf as c; s = c.settings; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.X_FRAME_OPTIONS)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUBAN_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "duban.web.settings_production",
            "DUBAN_SECRET_KEY": secrets.token_urlsafe(50),
            "DUBAN_ALLOWED_HOSTS": "duban.example.gov.cn",
            "DUBAN_HOME": "/tmp/duban-deploy-check",
        }
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert r.stdout.split() == ["False", "True", "True", "True", "True", "DENY"], r.stderr
