"""Login, the role home pages and the server-side permission checks of duban.ui."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from duban.accounts import permissions
from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE
from duban.plans.models import Task
from duban.ui.demo_accounts import ensure_demo_accounts
from tests.ui_support import DEMO_PASSWORD, login, setup_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return setup_city()


def test_demo_password_meets_the_password_rules():
    validate_password(DEMO_PASSWORD, get_user_model()(username="tianbao", first_name="填报员（演示）"))


def test_demo_accounts_one_per_role_and_idempotent(city):
    roles = {name: permissions.role_of(u) for name, u in city.items()}
    assert roles == {
        "duchashi": OFFICE,
        "lingdao": LEADER,
        "zhuanban": TASKFORCE,
        "tianbao": REPORTER,
        "gongzhong": PUBLIC,
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in city.values())
    ensure_demo_accounts()
    assert get_user_model().objects.count() == 5
    unit = permissions.profile_of(city["tianbao"]).unit
    assert permissions.visible_tasks(city["tianbao"]).filter(assignments__unit=unit).exists()


def test_login_page_chinese_errors_and_redirect(city, client):
    r = client.get("/login/")
    assert r.status_code == 200 and "督办系统登录" in r.content.decode()
    r = client.post(
        "/login/", {"username": "tianbao", "password": "wrong-password-1"}, REMOTE_ADDR="10.9.0.1"
    )
    assert r.status_code == 200
    assert "用户名或密码不正确" in r.content.decode()
    r = client.post("/login/", {"username": "", "password": ""}, REMOTE_ADDR="10.9.0.1")
    assert "请输入用户名" in r.content.decode() and "请输入密码" in r.content.decode()
    r = client.post("/login/", {"username": "tianbao", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.0.1")
    assert r.status_code == 302 and r["Location"] == "/"
    assert "本期待报" in client.get("/").content.decode()
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_login_locks_out_after_five_failures(city, client):
    for _ in range(5):
        client.post("/login/", {"username": "lingdao", "password": "nope-nope-1"}, REMOTE_ADDR="10.9.0.2")
    r = client.post("/login/", {"username": "lingdao", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.0.2")
    assert r.status_code == 429 and "锁定" in r.content.decode()


@pytest.mark.parametrize(
    "username,needle",
    [
        ("tianbao", "本期待报"),
        ("duchashi", "调度台"),
        ("zhuanban", "调度台"),
        ("lingdao", "需关注的红灯任务"),
        ("gongzhong", "重点工作推进情况"),
    ],
)
def test_home_page_per_role(city, client, username, needle):
    r = login(client, city[username]).get("/")
    assert r.status_code == 200
    assert f"<h1>{needle}" in r.content.decode()


def test_home_without_role_and_anonymous(city, client):
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    plain = get_user_model().objects.create_user("nobody", password=DEMO_PASSWORD)
    r = login(client, plain).get("/")
    assert r.status_code == 200 and "尚未分配角色" in r.content.decode()


def test_menu_follows_the_role(city, client):
    html = login(client, city["tianbao"]).get("/").content.decode()
    assert 'href="/report/"' in html and 'href="/dashboard/"' not in html and 'href="/leader/"' not in html
    html = login(client, city["duchashi"]).get("/").content.decode()
    assert 'href="/dashboard/"' in html and 'href="/leader/"' in html and 'aria-current="page"' not in html
    html = client.get("/dashboard/").content.decode()
    assert 'class="nav-uidashboard current" aria-current="page"' in html


@pytest.mark.parametrize(
    "username,url,status",
    [
        ("tianbao", "/dashboard/", 403),
        ("tianbao", "/leader/", 403),
        ("tianbao", "/api/dashboard/", 403),
        ("zhuanban", "/report/", 403),
        ("zhuanban", "/leader/", 403),
        ("lingdao", "/report/", 403),
        ("lingdao", "/dashboard/", 200),
        ("gongzhong", "/dashboard/", 403),
        ("gongzhong", "/report/", 403),
        ("duchashi", "/report/", 200),
        ("duchashi", "/leader/", 200),
    ],
)
def test_role_pages_refused_on_the_server(city, client, username, url, status):
    assert login(client, city[username]).get(url).status_code == status


def test_anonymous_sent_to_login_and_api_gets_json(city, client):
    for url in ("/report/", "/dashboard/", "/leader/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/?next=")
    r = client.get("/api/dashboard/")
    assert r.status_code == 403 and r.json() == {"error": "请先登录"}


def test_reporter_cannot_open_another_units_task_form(city, client):
    unit = permissions.profile_of(city["tianbao"]).unit
    other = Task.objects.filter(active=True).exclude(assignments__unit=unit).first()
    mine = Task.objects.filter(active=True, assignments__unit=unit).first()
    login(client, city["tianbao"])
    assert client.get(f"/report/{other.pk}/").status_code == 403
    assert client.post(f"/report/{other.pk}/", {}).status_code == 403
    assert client.get(f"/report/{mine.pk}/").status_code == 200
    login(client, city["lingdao"])
    assert client.get(f"/report/{mine.pk}/").status_code == 403  # leaders read, they do not report
