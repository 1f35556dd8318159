"""`duban remind` on the real 沅江市 plan: a simulated first quarter, a real SMTP server and webhook receiver.

Units of one task report on time, late or never; what arrives by mail and webhook names the task,
the period and the due time; a second run sends nothing new; a failing webhook is retried.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.audit.models import AuditEntry
from duban.notify.actions import do_set_channels
from duban.notify.models import Delivery, Message
from duban.notify.reminders import DUE_SOON, OVERDUE, find_reminders
from duban.plans.models import Plan, Task, Unit
from duban.plans.periods import LOCAL_TZ
from duban.tracking.actions import do_submit_report
from duban.tracking.calendar import due_items
from tests.conftest import sample_path
from tests.test_notify_channels import smtp, webhook  # noqa: F401 (fixtures)

Q1_DUE = "2023年3月15日（星期三）23:59"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def remind(*args) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def quarter(db):
    """The 沅江市 plans, and a task of the quarterly report (每季度末月中旬) with three units A, B, C."""
    call_command("ingest", sample_path("001"), stdout=io.StringIO())
    plans = Plan.objects.filter(region__name="沅江市")
    (item,) = [i for i in due_items(plans, date(2023, 3, 15), date(2023, 3, 15)) if i.every == "季"]
    assert item.reporting and item.period.code == "2023Q1"
    tasks = Task.objects.filter(pk__in=item.task_ids).prefetch_related("assignments__unit").order_by("order")
    shared = [t for t in tasks if len([a for a in t.assignments.all() if not a.unit.is_group]) >= 3]
    task, done_task = shared[0], shared[1]
    a, b, c = [x.unit for x in task.assignments.all() if not x.unit.is_group][:3]
    return {"task": task, "done_task": done_task, "A": a, "B": b, "C": c}


def report(unit: Unit, task: Task, when: str, *, status="正常推进", percent=30):
    return do_submit_report(
        unit, task, "2023Q1", narrative="按计划推进", percent=percent, status=status, at=at(when)
    )


def mails_naming(smtp, address: str, text: str):  # noqa: F811
    return [m for m in smtp.to(address) if text in m.get_body().get_content()]


@pytest.mark.django_db
def test_simulated_quarter_reminders_arrive_once_and_name_task_period_and_due(quarter, smtp, webhook):  # noqa: F811
    task, a, b, c = quarter["task"], quarter["A"], quarter["B"], quarter["C"]
    title = task.title[:20]
    do_set_channels(a, emails=["a@example.cn"])
    do_set_channels(b, emails=["b@example.cn"], wecom=webhook.url("/wecom-b?key=KB"))
    do_set_channels(
        c, emails=["c@example.cn"], dingtalk=webhook.url("/ding-c?access_token=TC"), dingtalk_secret="SECc"
    )
    report(a, task, "2023-03-13 10:00")  # A on time; B will be late; C never reports
    lead = next(x for x in quarter["done_task"].assignments.all() if not x.unit.is_group).unit
    report(lead, quarter["done_task"], "2023-03-10 10:00", status="已完成", percent=100)

    webhook.failing = {"/wecom-b"}  # B's robot is down at the first run
    first = remind("--as-of", "2023-03-14 09:00", "--overdue-days", "1")
    failed = Delivery.objects.filter(channel=Delivery.WECOM, state=Delivery.FAILED)
    assert failed.count() == Message.objects.filter(unit=b).count() >= 1  # one per reminder to B
    assert f"失败 {failed.count()}" in first and "企业微信" in first and "HTTP 500" in failed[0].error

    for unit, address in ((b, "b@example.cn"), (c, "c@example.cn")):
        (mail,) = mails_naming(smtp, address, title)
        subject = mail["Subject"].strip()
        assert subject.startswith(f"【督办提醒】{unit.name}：2023年第一季度报送将于{Q1_DUE}截止")
        body = mail.get_body().get_content()
        assert "2023年第一季度" in body and Q1_DUE in body and "尚未报送" in body
    assert not mails_naming(smtp, "a@example.cn", title)  # A reported on time
    done_title = quarter["done_task"].title[:20]
    assert not any(done_title in m.get_body().get_content() for m in smtp.messages())  # 已完成: not chased

    (ding,) = [r for r in webhook.on("/ding-c") if title in r["json"]["text"]["content"]]
    assert ding["json"]["msgtype"] == "text" and {"timestamp", "sign"} <= set(ding["query"])
    assert Q1_DUE in ding["json"]["text"]["content"]
    assert Message.objects.filter(unit=c, title__contains="2023年第一季度").count() == 1

    mails, posts, retried = len(smtp.messages()), len(webhook.requests), failed.count()
    webhook.failing = set()
    second = remind("--as-of", "2023-03-14 09:00", "--overdue-days", "1")
    assert f"发送 {retried}，" in second and "失败 0" in second  # only the failed robot messages go again
    again = webhook.requests[posts:]
    assert len(again) == retried and {r["path"] for r in again} == {"/wecom-b"}
    assert [r for r in again if title in r["json"]["text"]["content"]]
    assert len(smtp.messages()) == mails and not failed.exists()

    third = remind("--as-of", "2023-03-14 09:00", "--overdue-days", "1")
    assert "发送 0，" in third and len(webhook.requests) == posts + retried and len(smtp.messages()) == mails

    report(b, task, "2023-03-16 08:00")  # late
    remind("--as-of", "2023-03-16 09:00", "--overdue-days", "1")
    (overdue,) = [m for m in mails_naming(smtp, "c@example.cn", title) if "逾期未报" in m["Subject"]]
    assert overdue["Subject"].strip().startswith(f"【逾期未报】{c.name}：2023年第一季度报送已于{Q1_DUE}逾期")
    assert "已逾期9小时1分钟" in overdue.get_body().get_content()
    assert not [m for m in mails_naming(smtp, "b@example.cn", title) if "逾期未报" in m["Subject"]]
    assert AuditEntry.objects.filter(action="remind").count() == 3  # runs that sent or failed something


@pytest.mark.django_db
def test_find_reminders_kinds_windows_and_grouping(quarter):
    task, a, b = quarter["task"], quarter["A"], quarter["B"]
    report(a, task, "2023-03-13 10:00")
    soon = find_reminders(at("2023-03-14 09:00"), soon_hours=48, overdue_days=0)
    q1 = [r for r in soon if r.period.code == "2023Q1"]
    assert {r.kind for r in soon} == {DUE_SOON}
    by_unit = {r.unit.pk: r for r in q1}
    assert task in by_unit[b.pk].tasks and (a.pk not in by_unit or task not in by_unit[a.pk].tasks)
    assert len({r.ref for r in soon}) == len(soon)  # one reminder per unit, period and due
    assert not [
        r
        for r in find_reminders(at("2023-03-14 09:00"), soon_hours=24, overdue_days=0)
        if r.period.code == "2023Q1"
    ]
    late = find_reminders(at("2023-03-20 09:00"), soon_hours=0, overdue_days=7)
    assert {r.kind for r in late if r.period.code == "2023Q1"} == {OVERDUE}
    assert not [
        r
        for r in find_reminders(at("2023-03-24 09:00"), soon_hours=0, overdue_days=7)
        if r.period.code == "2023Q1"
    ]


@pytest.mark.django_db
def test_dry_run_lists_and_writes_nothing(quarter, smtp):  # noqa: F811
    do_set_channels(quarter["B"], emails=["b@example.cn"])
    out = remind("--as-of", "2023-03-14 09:00", "--overdue-days", "0", "--dry-run")
    assert "试运行" in out and f"即将到期 {quarter['B'].name} 2023年第一季度 报送 截止 {Q1_DUE}" in out
    assert not Message.objects.exists() and not Delivery.objects.exists() and not smtp.messages()
    with pytest.raises(CommandError, match="无法识别的时间"):
        remind("--as-of", "三月中旬")


@pytest.mark.django_db
def test_a_task_reported_done_then_reopened_is_chased_again(quarter):
    """已完成 is the report that speaks for the task, not any report that once said 100 %: a lead that
    reported done and then corrected to 60 % (a later version) is still chased for the others."""
    task, a, b = quarter["task"], quarter["A"], quarter["B"]
    report(a, task, "2023-03-10 10:00", status="已完成", percent=100)

    def chased(when):
        return {r.unit.pk for r in find_reminders(at(when), soon_hours=48, overdue_days=0) if task in r.tasks}

    assert b.pk not in chased("2023-03-14 09:00")  # done: nobody is chased
    report(a, task, "2023-03-13 10:00", status="正常推进", percent=60)
    assert b.pk in chased("2023-03-14 09:00")
    assert b.pk not in {  # looking back to before the correction: it was done then
        r.unit.pk
        for r in find_reminders(at("2023-03-12 09:00"), soon_hours=96, overdue_days=0)
        if task in r.tasks
    }


@pytest.mark.django_db
def test_in_app_messages_written_in_bulk_once_even_if_another_run_wrote_one(quarter, monkeypatch):
    """The in-app messages of a run are written a chunk at a time; a chunk where another run already
    wrote a key is rolled back whole and done one by one: every unit gets exactly one message."""
    from duban.notify import actions

    reminders = find_reminders(at("2023-03-14 09:00"), soon_hours=48, overdue_days=0)
    notices = [r.notice(at("2023-03-14 09:00")) for r in reminders]
    assert len(notices) >= 3
    real = actions._inapp_bulk

    def racing(chunk, now):  # another run writes the second notice's message between read and write
        actions._inapp(chunk[1], now, False)
        return real(chunk, now)

    monkeypatch.setattr(actions, "_inapp_bulk", racing)
    counts = actions.deliver_all(notices)
    assert counts.sent == len(notices) - 1 and counts.skipped == 1
    assert Message.objects.count() == len(notices)
    assert Delivery.objects.filter(channel=Delivery.INAPP).count() == len(notices)
    monkeypatch.setattr(actions, "_inapp_bulk", real)
    again = actions.deliver_all(notices)
    assert again.sent == 0 and Message.objects.count() == len(notices)


@pytest.mark.django_db
def test_the_queue_worker_reminds_every_half_hour_as_the_command_does(quarter, smtp, monkeypatch, settings):  # noqa: F811
    """The periodic job of the task queue (duban.notify.tasks.remind): due at :00 and :30, it sends what
    ``duban remind`` sends at that moment, once; switched off, it sends nothing."""
    from duban.notify import tasks

    assert [tasks.remind.s().validate_datetime(datetime(2023, 3, 14, 1, m)) for m in (0, 15, 30, 45)] == [
        True, False, True, False,
    ]  # fmt: skip
    do_set_channels(quarter["B"], emails=["b@example.cn"])
    monkeypatch.setattr(tasks.clock, "now", lambda: at("2023-03-14 09:00"))
    settings.DUBAN_REMIND_PERIODIC = False
    tasks.remind.call_local()
    assert not smtp.messages() and not Message.objects.exists()
    settings.DUBAN_REMIND_PERIODIC = True
    tasks.remind.call_local()
    (mail,) = mails_naming(smtp, "b@example.cn", quarter["task"].title[:20])
    assert (
        mail["Subject"]
        .strip()
        .startswith(f"【督办提醒】{quarter['B'].name}：2023年第一季度报送将于{Q1_DUE}截止")
    )
    tasks.remind.call_local()  # the next run (or a cron `duban remind` beside it) sends nothing twice
    assert (
        "发送 0，" in remind("--as-of", "2023-03-14 09:00")
        and len(mails_naming(smtp, "b@example.cn", quarter["task"].title[:20])) == 1
    )
