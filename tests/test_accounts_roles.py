"""Who sees, reports on, supervises and instructs which task: the permission helpers per role,
on the real 邵阳市 and 沅江市 plans, and the guards that enforce them on views and API calls."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from duban.accounts import guards, permissions
from duban.accounts.actions import Scope, do_add_user, do_set_active
from duban.accounts.lookup import get_campaign, get_region, get_unit
from duban.accounts.models import UserProfile
from duban.accounts.roles import (
    ADMINISTER,
    LEADER,
    OFFICE,
    OVERSEE,
    PUBLIC,
    REGION,
    REPORTER,
    ROLES,
    TASKFORCE,
    WORK,
    Role,
    parse_role,
)
from duban.plans.models import Task, TaskUnit
from tests.conftest import sample_path


@pytest.fixture
def world(db):
    for seed in ("000", "001"):
        call_command("ingest", sample_path(seed), stdout=io.StringIO())
    shaoyang, yuanjiang = get_region("邵阳市"), get_region("沅江市")
    unit = get_unit("市发改委", shaoyang)
    campaign = get_campaign("经济增长主动仗", shaoyang)
    users = {
        "reporter": do_add_user("fgw", REPORTER, Scope(unit=unit)),
        "taskforce": do_add_user("jjzb", TASKFORCE, Scope(campaign=campaign)),
        "leader": do_add_user("shaoyang_leader", LEADER, Scope(region=shaoyang)),
        "office": do_add_user("duchashi", OFFICE),
        "office_yj": do_add_user("yj_duchashi", OFFICE, Scope(region=yuanjiang)),
        "public": do_add_user("visitor", PUBLIC),
        "superuser": get_user_model().objects.create_superuser("root", password="x" * 12),
    }
    return {"users": users, "unit": unit, "campaign": campaign, "shaoyang": shaoyang, "yuanjiang": yuanjiang}


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def fresh(user):
    """The user as a new request would load it (no cached profile)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.django_db
def test_each_role_sees_exactly_its_tasks(world):
    u, unit, campaign = world["users"], world["unit"], world["campaign"]
    everything = ids(Task.objects.all())
    own = ids(Task.objects.filter(assignments__unit=unit))
    in_campaign = ids(Task.objects.filter(plan__campaign=campaign))
    shaoyang = ids(Task.objects.filter(plan__region=world["shaoyang"]))
    yuanjiang = ids(Task.objects.filter(plan__region=world["yuanjiang"]))
    assert own and in_campaign and shaoyang and yuanjiang and not shaoyang & yuanjiang
    assert own < shaoyang and in_campaign < shaoyang  # 市发改委 and the campaign are 邵阳市's

    assert ids(permissions.visible_tasks(u["reporter"])) == own
    assert ids(permissions.visible_tasks(u["taskforce"])) == in_campaign
    assert ids(permissions.visible_tasks(u["leader"])) == shaoyang
    assert ids(permissions.visible_tasks(u["office"])) == everything
    assert ids(permissions.visible_tasks(u["office_yj"])) == yuanjiang
    assert ids(permissions.visible_tasks(u["superuser"])) == everything
    assert not permissions.visible_tasks(u["public"]).exists()
    assert not permissions.visible_tasks(AnonymousUser()).exists()

    tasks = Task.objects.select_related("plan").prefetch_related("assignments")
    for name, user in u.items():
        seen, user = ids(permissions.visible_tasks(user)), fresh(user)
        for task in tasks:  # the per-task check agrees with the list filter, task by task
            assert permissions.can_view_task(user, task) == (task.pk in seen), (name, task.pk)


@pytest.mark.django_db
def test_report_supervise_and_instruct_rights(world):
    u, unit, campaign = world["users"], world["unit"], world["campaign"]
    tasks = Task.objects.select_related("plan").prefetch_related("assignments")
    mine = tasks.filter(assignments__unit=unit).first()
    not_mine = tasks.filter(plan__region=world["shaoyang"]).exclude(assignments__unit=unit).first()
    other_campaign = tasks.filter(plan__region=world["shaoyang"]).exclude(plan__campaign=campaign).first()
    yuanjiang = tasks.filter(plan__region=world["yuanjiang"]).first()
    in_campaign = tasks.filter(plan__campaign=campaign).first()

    assert permissions.can_report(u["reporter"], mine) and not permissions.can_report(u["reporter"], not_mine)
    assert permissions.reporting_unit_ids(u["reporter"], mine) == {unit.pk}
    assert permissions.reporting_unit_ids(u["office"], mine) == {a.unit_id for a in mine.assignments.all()}
    for role in ("taskforce", "leader", "public"):
        assert not permissions.can_report(u[role], mine)

    assert permissions.can_supervise(u["taskforce"], in_campaign)
    assert not permissions.can_supervise(u["taskforce"], other_campaign)
    assert permissions.can_supervise(u["office"], yuanjiang) and not permissions.can_supervise(
        u["office_yj"], mine
    )
    assert not permissions.can_supervise(u["reporter"], mine) and not permissions.can_supervise(
        u["leader"], mine
    )

    assert permissions.can_instruct(u["leader"], mine) and not permissions.can_instruct(
        u["leader"], yuanjiang
    )
    assert permissions.can_instruct(u["office_yj"], yuanjiang) and not permissions.can_instruct(
        u["office_yj"], mine
    )
    for role in ("reporter", "taskforce", "public"):
        assert not permissions.can_instruct(u[role], mine)

    assert permissions.can_manage_accounts(u["office"]) and not permissions.can_manage_accounts(u["leader"])

    mine.active = False  # a task removed by a revised document takes no more reports
    assert not permissions.can_report(u["reporter"], mine)


@pytest.mark.django_db
def test_a_disabled_account_may_do_nothing(world):
    reporter = world["users"]["reporter"]
    task = Task.objects.filter(assignments__unit=world["unit"]).prefetch_related("assignments").first()
    assert permissions.can_report(fresh(reporter), task)
    do_set_active(reporter, False)
    user = fresh(reporter)
    assert not permissions.visible_tasks(user).exists()
    assert not permissions.can_view_task(user, task) and not permissions.can_report(user, task)


@pytest.mark.django_db
def test_guards_refuse_on_the_server_with_chinese_messages(world):
    u, unit = world["users"], world["unit"]
    mine = TaskUnit.objects.filter(unit=unit).values_list("task_id", flat=True).first()
    other = Task.objects.exclude(assignments__unit=unit).values_list("pk", flat=True).first()

    @guards.task_permission(permissions.can_report)
    def submit(request, task):
        return HttpResponse(f"ok {task.pk}")

    @guards.allowed_to(ADMINISTER)
    def accounts_page(request):
        return HttpResponse("ok")

    rf = RequestFactory()

    def call(view, path, user, **kwargs):
        request = rf.post(path)
        request.user = user
        return view(request, **kwargs)

    assert (
        call(submit, f"/tasks/{mine}/report/", fresh(u["reporter"]), pk=mine).content == f"ok {mine}".encode()
    )
    page = call(submit, f"/tasks/{other}/report/", fresh(u["reporter"]), pk=other)
    assert page.status_code == 403 and "只能报送本单位承担的任务" in page.content.decode()
    api = call(submit, f"/api/tasks/{other}/report/", fresh(u["reporter"]), pk=other)
    assert api.status_code == 403 and "您无权报送此任务的进展" in json.loads(api.content)["error"]
    anonymous_page = call(submit, f"/tasks/{mine}/report/", AnonymousUser(), pk=mine)
    assert anonymous_page.status_code == 302 and "login" in anonymous_page["Location"]
    anonymous_api = call(submit, f"/api/tasks/{mine}/report/", AnonymousUser(), pk=mine)
    assert anonymous_api.status_code == 403 and json.loads(anonymous_api.content)["error"] == "请先登录"

    assert call(accounts_page, "/accounts/", fresh(u["office"])).status_code == 200
    refused = call(accounts_page, "/api/accounts/", fresh(u["leader"]))
    assert refused.status_code == 403 and "需要：督查室" in json.loads(refused.content)["error"]


@pytest.mark.django_db
def test_a_new_role_is_one_entry_of_the_table(world, client, monkeypatch):
    """A 督查员 who reads his region's plans, figures and briefs but administers nothing: declared once
    in ROLES, his account, scope, guards, menu and home page follow without another change."""
    inspector = Role("inspector", "督查员", REGION, frozenset({WORK, OVERSEE}), "ui:dashboard", ("督查专员",))
    monkeypatch.setitem(ROLES, inspector.key, inspector)
    field = UserProfile._meta.get_field("role")  # the stored choices come from the table at start-up
    monkeypatch.setattr(field, "choices", [*field.choices, (inspector.key, inspector.label)])
    assert parse_role("督查专员") == "inspector"
    user = do_add_user("inspector1", "inspector", Scope(region=world["shaoyang"]), password="Duban-督办-2025!")
    assert user.groups.get().name == "督查员"
    shaoyang = ids(Task.objects.filter(plan__region=world["shaoyang"]))
    assert ids(permissions.visible_tasks(fresh(user))) == shaoyang
    task = Task.objects.filter(plan__region=world["shaoyang"]).prefetch_related("assignments").first()
    assert not permissions.can_report(fresh(user), task) and not permissions.can_supervise(fresh(user), task)
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200 and "ui/dashboard.html" in [t.name for t in home.templates]
    menu = [item["label"] for item in home.context["nav"]]
    assert "调度台" in menu and "下载" in menu and "账号" not in menu and "本期待报" not in menu
    assert client.get("/downloads/").status_code == 200
    refused = client.get("/manage/users/")
    assert refused.status_code == 403 and "需要：督查室" in refused.content.decode()
