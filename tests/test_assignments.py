"""督办事项 on the real 沅江市 plan: 交办 by the office / 专班, 签收 by the unit, 退回 of a report, the
command; the item is a task like any other (本期待报, calendar, status)."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import LEADER, OFFICE, REPORTER, TASKFORCE
from duban.audit.models import AuditEntry
from duban.plans.models import Campaign, Plan, SourceDocument, Task, TaskUnit, Unit
from duban.plans.periods import period_containing
from duban.supervision.actions import SupervisionError
from duban.supervision.assignments import do_create_assignment, do_return_report, do_sign_assignment
from duban.supervision.models import Assignment, AssignmentReceipt, ReportReturn
from duban.tracking.actions import do_submit_report
from duban.tracking.calendar import due_items
from duban.tracking.deadlines import parse_deadline
from duban.tracking.status import task_state
from duban.tracking.timeline import timeline
from duban.ui.duelist import due_tasks
from tests.tracking_helpers import ingest_yuanjiang, lead_and_co, plan_titled, task_with_co_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    plans = ingest_yuanjiang()
    region = plans[0].region
    lead, co = lead_and_co(task_with_co_units(plan_titled("重点工作任务清单")))
    other = Unit.objects.filter(region=region, is_group=False).exclude(pk__in=[lead.pk, co.pk]).first()
    campaign = Campaign.objects.filter(region=region).first()
    users = {
        "office": do_add_user("duchashi", OFFICE, Scope(region=region)),
        "tf": do_add_user("zhuanban", TASKFORCE, Scope(campaign=campaign)),
        "lead": do_add_user("lead", REPORTER, Scope(unit=lead)),
        "co": do_add_user("co", REPORTER, Scope(unit=co)),
        "other": do_add_user("other", REPORTER, Scope(unit=other)),
        "leader": do_add_user("lingdao", LEADER, Scope(region=region)),
    }
    return {"region": region, "lead_u": lead, "co_u": co, "campaign": campaign, **users}


def _due(days=90):
    return timezone.localdate() + timedelta(days=days)


def _create(w, **kw):
    fields = dict(title="落实3月调度会议定的园区用地报批", source="会议", lead=w["lead_u"].name, co=[w["co_u"].name],
                  due=_due(), every="月", source_ref="3月调度会", user=w["office"])  # fmt: skip
    return do_create_assignment(w["region"], **{**fields, **kw})


def test_an_assignment_is_a_task_like_any_other(w):
    a = _create(w)
    task = a.task
    assert task.plan.title == "督办事项·每月报送" and task.plan.region == w["region"]
    assert [(x.unit, x.role, x.origin) for x in task.assignments.order_by("order")] == [
        (w["lead_u"], TaskUnit.LEAD, TaskUnit.MANUAL),
        (w["co_u"], TaskUnit.CO, TaskUnit.MANUAL),
    ]
    assert parse_deadline(task.deadline, 2000) == a.due_date
    # the task page's 原文 is the document line written for it
    assert task.source_document.lines()[task.line - 1].startswith("【会议】落实3月调度会")
    # 本期待报 of both units, the calendar, the status
    now = timezone.now()
    assert task.pk in {d.task.pk for d in due_tasks(w["lead_u"].pk, Task.objects.all(), now)}
    assert task.pk in {d.task.pk for d in due_tasks(w["co_u"].pk, Task.objects.all(), now)}
    month = period_containing("月", timezone.localdate())
    items = due_items([task.plan], month.start, month.end + timedelta(days=1))
    assert any(w["lead_u"].name in i.reporters and i.every == "月" for i in items)
    assert task_state(task, now).status == "未启动"
    # a second item of the same cadence shares the plan and the region's document; another cadence not
    b = _create(w, title="办理市长批示件", source="批示", every="旬", co=[])
    c = _create(w, title="上级交办的督查件", source="上级交办")
    assert c.task.plan_id == task.plan_id and b.task.plan_id != task.plan_id
    assert b.task.plan.title == "督办事项·每旬报送"
    assert SourceDocument.objects.filter(file_name="督办事项（督查室交办）").count() == 1
    assert c.task.line == 3
    assert AuditEntry.objects.filter(action="create_assignment").count() == 3


def test_a_task_force_assigns_for_its_campaign_only(w):
    a = _create(w, user=w["tf"], campaign=w["campaign"])
    assert a.task.plan.campaign == w["campaign"] and w["campaign"].name in a.task.plan.title
    with pytest.raises(PermissionDenied):
        _create(w, user=w["tf"])  # not for the whole region
    with pytest.raises(PermissionDenied):
        _create(w, user=w["lead"])
    with pytest.raises(PermissionDenied):
        _create(w, user=w["leader"])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lead": "不存在的局"}, "没有名为“不存在的局”的单位"),
        ({"lead": ""}, "请填写牵头单位"),
        ({"title": "  "}, "请填写督办事项的标题"),
        ({"source": "电话"}, "来源“电话”无效"),
        ({"every": "每月"}, "报送周期“每月”无效"),
        ({"due": date(2020, 1, 1)}, "办结时限应为今天或以后的日期"),
    ],
)
def test_bad_input_stores_nothing(w, change, message):
    tasks, plans = Task.objects.count(), Plan.objects.count()
    with pytest.raises(SupervisionError, match=message):
        _create(w, **change)
    assert (Task.objects.count(), Plan.objects.count(), Assignment.objects.count()) == (tasks, plans, 0)
    assert not AuditEntry.objects.filter(action="create_assignment").exists()


def test_units_sign_once_and_only_their_own(w):
    a = _create(w)
    r = do_sign_assignment(a, w["lead"])
    assert r.unit == w["lead_u"] and r.actor_name == "lead"
    with pytest.raises(SupervisionError, match="已签收"):
        do_sign_assignment(a, w["lead"])
    with pytest.raises(PermissionDenied):
        do_sign_assignment(a, w["other"])
    with pytest.raises(PermissionDenied):
        do_sign_assignment(a, w["office"])
    do_sign_assignment(a, unit=w["co_u"])  # the command line names the unit
    assert set(AssignmentReceipt.objects.values_list("unit__name", flat=True)) == {w["lead_u"].name, w["co_u"].name}


def test_a_returned_report_must_be_made_again(w):
    a = _create(w)
    task = a.task
    month = period_containing("月", timezone.localdate())
    report = do_submit_report(w["lead_u"], task, month, narrative="已完成报批材料", percent=100, status="已完成")
    with pytest.raises(PermissionDenied):
        do_return_report(report, "材料不全", w["lead"])
    with pytest.raises(SupervisionError, match="请填写退回理由"):
        do_return_report(report, " ", w["office"])
    row = do_return_report(report, "缺少用地批复文件，请补充后重报", w["office"])
    assert row.unit == w["lead_u"] and row.period == month.code
    with pytest.raises(SupervisionError, match="已退回"):
        do_return_report(report, "再退", w["office"])
    item = next(d for d in due_tasks(w["lead_u"].pk, Task.objects.all(), timezone.now()) if d.task.pk == task.pk)
    period = next(p for p in item.periods if p.code == month.code)
    assert period.reported is None and period.returned.reason == "缺少用地批复文件，请补充后重报"
    again = do_submit_report(w["lead_u"], task, month, narrative="已补充用地批复", percent=100, status="已完成")
    item = next(d for d in due_tasks(w["lead_u"].pk, Task.objects.all(), timezone.now()) if d.task.pk == task.pk)
    assert next(p for p in item.periods if p.code == month.code).reported.pk == again.pk
    first = do_submit_report(w["co_u"], task, month, narrative="配合推进", percent=20, status="正常推进")
    do_submit_report(w["co_u"], task, month, narrative="配合推进，已拨付资金", percent=30, status="正常推进")
    with pytest.raises(SupervisionError, match="只能退回最新一版"):
        do_return_report(first, "x", w["office"])
    assert AuditEntry.objects.filter(action="return_report").count() == 1
    do_sign_assignment(a, w["lead"])
    events = {(e.kind, e.detail) for e in timeline(Task.objects.select_related("plan").get(pk=task.pk))}
    assert ("退回", "缺少用地批复文件，请补充后重报") in events
    assert ("交办", task.deadline) in events and any(k == "签收" for k, _ in events)


def test_the_command(w):
    out = io.StringIO()
    due = _due().isoformat()
    call_command(
        "assignments", "create", "沅江市", "督办：推进政务服务一网通办", "--source", "文件", "--lead", w["lead_u"].name,
        "--co", w["co_u"].name, "--due", due, "--every", "季", "--json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["source"] == "文件" and data["every"] == "季" and data["due"] == due
    assert [u["name"] for u in data["units"]] == [w["lead_u"].name, w["co_u"].name]
    call_command("assignments", "sign", str(data["task"]), "--unit", w["lead_u"].name, stdout=io.StringIO())
    out = io.StringIO()
    call_command("assignments", "list", "--region", "沅江市", "--json", stdout=out)
    units = json.loads(out.getvalue())[0]["units"]
    assert units[0]["signed_at"] and units[1]["signed_at"] is None
    with pytest.raises(CommandError, match="已签收"):
        call_command("assignments", "sign", str(data["task"]), "--unit", w["lead_u"].name)
    with pytest.raises(CommandError, match="没有名为“某某局”的单位"):
        call_command("assignments", "create", "沅江市", "x", "--source", "会议", "--lead", "某某局", "--due", due)
    with pytest.raises(CommandError, match="日期“明天”无效"):
        call_command("assignments", "create", "沅江市", "x", "--source", "会议", "--lead", "某某局", "--due", "明天")
    task = Task.objects.get(pk=data["task"])
    quarter = period_containing("季", timezone.localdate())
    report = do_submit_report(w["co_u"], task, quarter, narrative="推进中", percent=40, status="正常推进")
    out = io.StringIO()
    call_command("assignments", "return", str(report.pk), "--reason", "未写明办件数量", stdout=out)
    assert "已退回" in out.getvalue() and ReportReturn.objects.get().reason == "未写明办件数量"


def test_web_flow_assign_sign_return(client, w):
    client.force_login(w["office"])
    response = client.get(reverse("ui:assignments"))
    assert response.status_code == 200 and "交办（沅江市）" in response.content.decode()
    form = {"title": "落实市委常委会交办的防汛准备", "source": "会议", "source_ref": "市委常委会", "lead": w["lead_u"].name,
            "co": f"{w['co_u'].name}", "due": _due().isoformat(), "every": "月", "text": ""}  # fmt: skip
    bad = client.post(reverse("ui:assignment_create"), {**form, "lead": "不存在的局"})
    assert bad.status_code == 400 and "没有名为“不存在的局”的单位" in bad.content.decode()
    assert not Assignment.objects.exists()
    response = client.post(reverse("ui:assignment_create"), form)
    a = Assignment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ui:assignment", args=[a.pk])
    assert a.created_by == w["office"]
    # the unit sees it, signs it
    client.force_login(w["lead"])
    page = client.get(reverse("ui:assignments")).content.decode()
    assert "落实市委常委会交办的防汛准备" in page and "交办（" not in page
    assert 'id="sign-form"' in client.get(reverse("ui:assignment", args=[a.pk])).content.decode()
    assert client.post(reverse("ui:assignment_sign", args=[a.pk])).status_code == 302
    assert 'id="sign-form"' not in client.get(reverse("ui:assignment", args=[a.pk])).content.decode()
    client.force_login(w["other"])
    assert client.get(reverse("ui:assignment", args=[a.pk])).status_code == 403
    # the unit reports, the office returns it from the task page, the unit sees the reason
    month = period_containing("月", timezone.localdate())
    report = do_submit_report(w["lead_u"], a.task, month, narrative="已部署", percent=50, status="正常推进")
    client.force_login(w["office"])
    task_page = client.get(reverse("plans:task", args=[a.task_id])).content.decode()
    assert reverse("ui:report_return", args=[report.pk]) in task_page
    response = client.post(reverse("ui:report_return", args=[report.pk]), {"reason": "未附物资清单"})
    assert response.status_code == 302 and ReportReturn.objects.get().reason == "未附物资清单"
    client.force_login(w["lead"])
    page = client.get(reverse("ui:report_task", args=[a.task_id])).content.decode()
    assert "已退回，请重报" in page and "未附物资清单" in page
    client.force_login(w["co"])
    assert client.post(reverse("ui:report_return", args=[report.pk]), {"reason": "x"}).status_code == 403
