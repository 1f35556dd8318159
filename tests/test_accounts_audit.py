"""`duban user …` and `duban audit`: accounts, their roles, their audit trail, and the read-only admin."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from duban.accounts.middleware import AuditActorMiddleware
from duban.accounts.models import UserProfile
from duban.accounts.roles import REPORTER
from duban.audit.models import AuditEntry
from duban.plans.models import Campaign, Region, Unit, UnitAlias

User = get_user_model()


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def units(db):
    shaoyang = Region.objects.get(name="邵阳市")
    xinshao = Region.objects.get(name="新邵县")
    fgw = Unit.objects.create(region=shaoyang, name="市发展和改革委员会")
    UnitAlias.objects.create(unit=fgw, name="市发改委")
    Unit.objects.create(region=shaoyang, name="市财政局")
    Unit.objects.create(region=xinshao, name="县财政局")
    campaign = Campaign.objects.create(region=shaoyang, name="经济增长主动仗", kind="仗")
    return {"fgw": fgw, "shaoyang": shaoyang, "campaign": campaign}


@pytest.mark.django_db
def test_user_add_records_who_and_what(units, monkeypatch):
    out = run("user", "add", "张三", "--role", "单位填报员", "--unit", "市发改委", "--region", "邵阳市",
              "--email", "zs@example.cn", "--password-stdin", stdin="a-long-enough-passphrase\n",
              monkeypatch=monkeypatch)  # fmt: skip
    assert "已新建账号 张三（单位填报员：邵阳市 / 市发展和改革委员会）" in out
    user = User.objects.get(username="张三")
    assert user.check_password("a-long-enough-passphrase") and user.email == "zs@example.cn"
    assert (user.profile.role, user.profile.unit, user.profile.region) == (
        REPORTER,
        units["fgw"],
        units["shaoyang"],
    )
    assert list(user.groups.values_list("name", flat=True)) == ["单位填报员"]

    created, role = AuditEntry.objects.filter(object_type="auth.User", object_id=str(user.pk)).order_by("id")
    assert created.action == "account.create" and created.after["username"] == "张三"
    assert "password" not in created.after  # never the hash
    assert role.action == "account.role" and role.before["role"] is None
    assert role.after == {"role": "单位填报员", "unit": "市发展和改革委员会", "region": "邵阳市"}
    assert "（无） → 单位填报员" in role.summary
    assert not AuditEntry.objects.filter(action="account.groups").exists()  # role sync is the role change

    with pytest.raises(CommandError, match="找不到地区“邵阳”，是否指：邵阳县、邵阳市"):
        run("user", "add", "李四", "--role", "领导", "--region", "邵阳")  # 邵阳县 or 邵阳市?
    out = run("user", "add", "李四", "--role", "领导", "--region", "邵阳市")
    assert "已新建账号 李四（领导：邵阳市）" in out and "尚未设置密码" in out
    assert not User.objects.get(username="李四").has_usable_password()


@pytest.mark.django_db
def test_bad_input_gets_a_clear_chinese_error_and_changes_nothing(units, monkeypatch):
    before = (User.objects.count(), UserProfile.objects.count(), AuditEntry.objects.count())
    cases = [
        (
            ["--role", "填报员", "--unit", "市发该委", "--region", "邵阳市"],
            "找不到邵阳市的单位“市发该委”，是否指：市发改委",
        ),
        (["--role", "填报员", "--unit", "财政局"], "找不到单位“财政局”，是否指：县财政局、市财政局"),
        (["--role", "填报员"], "角色“单位填报员”必须指定单位（--unit）"),
        (["--role", "专班"], "角色“专班办公室”必须指定仗/行动（--campaign）"),
        (["--role", "专班", "--campaign", "科技创新"], "找不到仗（行动）“科技创新”"),
        (
            ["--role", "领导", "--unit", "市发改委", "--region", "邵阳市"],
            "角色“领导”不需要指定单位（--unit）",
        ),
        (["--role", "局长"], "未知角色“局长”，可用：督查室、专班办公室、单位填报员、领导、公众"),
        (["--role", "领导", "--region", "火星市"], "找不到地区“火星市”"),
        (["--role", "填报员", "--unit", "县财政局", "--region", "邵阳市"], "找不到邵阳市的单位“县财政局”"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message):
            run("user", "add", "王五", *args)
    with pytest.raises(CommandError, match="密码不合要求"):
        run(
            "user",
            "add",
            "王五",
            "--role",
            "公众",
            "--password-stdin",
            stdin="123\n",
            monkeypatch=monkeypatch,
        )
    assert (User.objects.count(), UserProfile.objects.count(), AuditEntry.objects.count()) == before

    run("user", "add", "王五", "--role", "公众")
    with pytest.raises(CommandError, match="账号“王五”已存在"):
        run("user", "add", "王五", "--role", "公众")
    with pytest.raises(CommandError, match="找不到账号“王六”，是否指：王五"):
        run("user", "disable", "王六")


@pytest.mark.django_db
def test_set_role_disable_enable_and_list(units):
    run("user", "add", "zhao", "--role", "填报员", "--unit", "市发改委", "--region", "邵阳市")
    user = User.objects.get(username="zhao")
    out = run("user", "set-role", "zhao", "--role", "专班办公室", "--campaign", "经济增长主动仗")
    assert "账号 zhao 现为 专班办公室：邵阳市 / 经济增长主动仗" in out
    user.refresh_from_db()
    assert user.profile.unit is None and user.profile.campaign == units["campaign"]
    assert list(user.groups.values_list("name", flat=True)) == ["专班办公室"]
    change = AuditEntry.objects.filter(action="account.role").latest("id")
    assert change.before == {"role": "单位填报员", "unit": "市发展和改革委员会", "campaign": None}
    assert change.after == {"role": "专班办公室", "unit": None, "campaign": "经济增长主动仗"}

    assert "已停用账号 zhao" in run("user", "disable", "zhao")
    assert "本已停用" in run("user", "disable", "zhao")
    user.refresh_from_db()
    assert not user.is_active
    off = AuditEntry.objects.filter(action="account.deactivate").get()
    assert off.before == {"is_active": True} and off.after == {"is_active": False}
    assert AuditEntry.objects.filter(action="account.deactivate").count() == 1  # no-op not recorded
    listing = run("user", "list")
    assert "zhao" in listing and "停用" in listing and "邵阳市 / 经济增长主动仗" in listing
    run("user", "enable", "zhao")
    assert AuditEntry.objects.filter(action="account.activate").count() == 1
    assert "没有账号" in run("user", "list", "--role", "领导")


@pytest.mark.django_db
def test_changes_made_outside_commands_are_audited_too(units):
    """Admin forms and the shell save users directly: the signals still write the trail."""
    user = User.objects.create_user("qian", email="q@example.cn")
    user.email = "qian@example.cn"
    user.set_password("another-long-passphrase")
    user.save()
    entry = AuditEntry.objects.filter(action="account.update").get()
    assert entry.before == {"email": "q@example.cn", "password": ""}
    assert entry.after == {"email": "qian@example.cn", "password": "（已修改）"}
    group = Group.objects.create(name="简报编辑")
    user.groups.add(group)
    assert AuditEntry.objects.filter(
        action="account.groups", summary__contains="加入用户组 简报编辑"
    ).exists()
    user.last_login = user.date_joined
    user.save(update_fields=["last_login"])  # a login is not a change
    assert AuditEntry.objects.filter(object_id=str(user.pk)).count() == 3
    pk = user.pk
    user.delete()
    assert AuditEntry.objects.filter(action="account.delete", object_id=str(pk)).exists()


@pytest.mark.django_db
def test_web_changes_are_attributed_to_the_logged_in_user(units):
    boss = User.objects.create_superuser("boss", password="x" * 12)
    clerk = User.objects.create_user("clerk")

    def view(request):
        clerk.is_active = False
        clerk.save()
        return None

    request = RequestFactory().post("/admin/auth/user/")
    request.user = boss
    AuditActorMiddleware(view)(request)
    entry = AuditEntry.objects.get(action="account.deactivate")
    assert entry.actor == boss and entry.actor_name == "boss"
    created = AuditEntry.objects.get(action="account.create", object_id=str(clerk.pk))
    assert created.actor is None and created.actor_name  # outside a request: the system account


@pytest.mark.django_db
def test_audit_command_filters_and_json(units):
    run("user", "add", "sun", "--role", "领导", "--region", "邵阳市")
    run("user", "add", "zhou", "--role", "公众")
    sun = User.objects.get(username="sun")
    text = run("audit", "--object", f"auth.User:{sun.pk}")
    assert "account.create" in text and "account.role" in text and "zhou" not in text
    rows = json.loads(run("audit", "--json", "--action", "account.role"))
    assert [r["object"] for r in rows] == [
        f"auth.User:{sun.pk}",
        f"auth.User:{User.objects.get(username='zhou').pk}",
    ]
    assert rows[0]["after"]["role"] == "领导" and rows[0]["at"].endswith("+08:00")
    assert json.loads(run("audit", "--json", "--since", "2999-01-01")) == []
    assert len(json.loads(run("audit", "--json", "--limit", "1"))) == 1
    with pytest.raises(CommandError, match="格式应为"):
        run("audit", "--object", "plans.Task")
    with pytest.raises(CommandError, match="没有模型"):
        run("audit", "--object", "plans.Nothing:1")
    with pytest.raises(CommandError, match="无法识别的日期"):
        run("audit", "--since", "昨天")


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_from_the_admin_even_by_a_superuser(units, client):
    call_command("user", "add", "wu", "--role", "公众", stdout=io.StringIO())
    entry = AuditEntry.objects.get(action="account.create")
    root = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(root)
    base = "/admin/audit/auditentry/"
    assert client.get(base).status_code == 200
    assert "新建账号 wu" in client.get(base).content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"action": "x"}).status_code == 403
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200  # view only
    assert client.post(f"{base}{entry.pk}/change/", {"summary": "改过"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.summary == "新建账号 wu" and AuditEntry.objects.filter(pk=entry.pk).exists()
    from django.contrib import admin

    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get(base)
    request.user = root
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert "delete_selected" not in model_admin.get_actions(request)
