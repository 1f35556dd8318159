"""Login lock-out through the real login page, behind a reverse proxy and without one: the client
address comes from X-Forwarded-For only when DUBAN_PROXY_COUNT says proxies are in front; per
username+address, per address and password-spraying limits; the username-in-password rule."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

PASSWORD = "Duban-督办-2025!"
LOGIN = "/login/"
PROXY = "127.0.0.1"  # the reverse proxy, as gunicorn sees it

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_proxy(settings):
    settings.DUBAN_PROXY_COUNT = 1


def user(name: str):
    return get_user_model().objects.create_user(name, password=PASSWORD)


def attempt(client, username: str, password: str, *, xff: str | None = None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client, username, n, **kw):
    for _ in range(n):
        assert attempt(client, username, "wrong-password", **kw).status_code == 200


def test_behind_the_proxy_one_client_cannot_lock_out_another(client, behind_proxy):
    user("duchashi")
    fail(client, "duchashi", settings.AXES_FAILURE_LIMIT - 1, xff="203.0.113.5")
    assert attempt(client, "duchashi", "wrong-password", xff="203.0.113.5").status_code == 429
    assert attempt(client, "duchashi", PASSWORD, xff="203.0.113.5").status_code == 429  # locked: even right
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    ok = attempt(client, "duchashi", PASSWORD, xff="198.51.100.7")  # the same user at another desk
    assert ok.status_code == 302 and client.session["_auth_user_id"]


def test_behind_the_proxy_a_forged_left_entry_is_not_believed(client, behind_proxy):
    user("duchashi")
    for i in range(settings.AXES_FAILURE_LIMIT - 1):  # the client writes its own X-Forwarded-For each time
        attempt(client, "duchashi", "wrong-password", xff=f"10.9.9.{i}, 203.0.113.5")
    assert attempt(client, "duchashi", "wrong-password", xff="10.9.9.99, 203.0.113.5").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_without_the_proxy_setting_the_header_is_ignored(client):
    user("duchashi")
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "duchashi", "wrong-password", xff=f"198.51.100.{i}", remote="10.0.0.1")
    assert attempt(client, "duchashi", PASSWORD, xff="198.51.100.99", remote="10.0.0.1").status_code == 302
    client.logout()
    fail(client, "duchashi", settings.AXES_FAILURE_LIMIT - 1, xff="198.51.100.50", remote="10.0.0.1")
    assert attempt(client, "duchashi", "wrong-password", xff="198.51.100.51", remote="10.0.0.1").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


def test_password_spraying_from_one_address_is_stopped(client, behind_proxy):
    names = [f"user{i}" for i in range(settings.DUBAN_LOGIN_SPRAY_USERS + 1)]
    for name in names:
        user(name)
    for name in names[:-1]:  # one guess each: under the per-user limit every time
        attempt(client, name, "Spring-2025!", xff="203.0.113.5")
    # the address is locked now, for every username, even with the right password …
    assert attempt(client, names[-1], PASSWORD, xff="203.0.113.5").status_code == 429
    assert "_auth_user_id" not in client.session
    # … and only that address
    assert attempt(client, names[-1], PASSWORD, xff="198.51.100.7").status_code == 302


def test_many_failures_from_one_address_are_stopped(client, behind_proxy, settings):
    settings.DUBAN_LOGIN_SPRAY_USERS = 1000  # the total limit alone
    per_user = settings.AXES_FAILURE_LIMIT - 1  # never the per-user limit
    names = [f"user{i}" for i in range(settings.DUBAN_LOGIN_IP_LIMIT // per_user + 1)]
    for name in names:
        user(name)
    answers = [
        attempt(client, names[i // per_user], "wrong-password", xff="203.0.113.5").status_code
        for i in range(settings.DUBAN_LOGIN_IP_LIMIT)
    ]
    assert answers == [200] * (settings.DUBAN_LOGIN_IP_LIMIT - 1) + [429]
    assert attempt(client, names[-1], PASSWORD, xff="203.0.113.5").status_code == 429
    assert attempt(client, names[-1], PASSWORD, xff="198.51.100.7").status_code == 302


def test_one_failure_each_for_a_few_users_does_not_lock_the_office(client, behind_proxy):
    names = [f"user{i}" for i in range(settings.DUBAN_LOGIN_SPRAY_USERS - 1)]
    for name in names:
        user(name)
        attempt(client, name, "typo-password", xff="203.0.113.5")
    assert attempt(client, names[0], PASSWORD, xff="203.0.113.5").status_code == 302


@pytest.mark.parametrize("password", ["zhangsanzhangsan", "Zhangsan@2025!!", "督办zhangsan督办2025"])
def test_a_password_containing_the_username_is_refused(password):
    with pytest.raises(ValidationError) as err:
        validate_password(password, get_user_model()(username="zhangsan"))
    assert "密码不能包含用户名" in " ".join(err.value.messages)
