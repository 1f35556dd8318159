"""Task status rules, status changes, timelines and `duban status` on the real 沅江市 sample."""

import io
import json

import pytest
from django.core.management import call_command

from duban.plans.models import Task
from duban.tracking.actions import do_refresh_statuses, do_submit_report
from duban.tracking.models import TaskStatusChange
from duban.tracking.progress import GREEN, RED, YELLOW
from duban.tracking.status import task_state, task_states
from duban.tracking.timeline import TimelineEvent, register_source, sources, timeline, unregister_source
from tests.tracking_helpers import at, ingest_yuanjiang, lead_and_co, plan_titled, task_with_co_units

pytestmark = pytest.mark.django_db
SHARE_END_OF_MARCH = 90 / 365  # 24.66%


@pytest.fixture
def quarterly():
    """A task reporting 每季度末月中旬 (Q1 due 2023-03-15 23:59), its lead and a co-unit."""
    ingest_yuanjiang()
    task = task_with_co_units(plan_titled("重点工作任务清单"))
    lead, co = lead_and_co(task)
    return task, lead, co


def report(unit, task, when, percent=30, status="正常推进", period="2023Q1"):
    return do_submit_report(unit, task, period, narrative="进展", percent=percent, status=status, at=when)


def test_not_started_before_the_first_due_then_overdue_after_it(quarterly):
    task, lead, co = quarterly
    before = task_state(task, at(2023, 3, 15, 23, 0))
    assert (before.status, before.missing, before.last_report) == ("未启动", [], None)
    after = task_state(task, at(2023, 3, 16, 9))
    assert (after.status, after.light) == ("逾期未报", RED)
    assert [m.period.code for m in after.missing] == ["2023Q1"]
    assert set(after.missing[0].reporter_unit_ids) >= {lead.pk, co.pk}
    assert "牵头单位未报" in after.reason


def test_late_lead_report_clears_overdue_and_counts_as_late(quarterly):
    task, lead, co = quarterly
    report(lead, task, at(2023, 3, 16, 10), percent=30)
    s = task_state(task, at(2023, 3, 31, 23, 59))
    assert s.status == "正常推进" and s.light == GREEN  # 30% ≥ 24.7% 序时进度
    assert s.late_count == 1 and s.percent == 30 and s.expected == pytest.approx(SHARE_END_OF_MARCH, abs=1e-3)
    assert [
        (m.period.code, lead.pk in m.reporter_unit_ids, co.pk in m.reporter_unit_ids) for m in s.missing
    ] == [
        ("2023Q1", False, True)  # the co-unit still owes its report
    ]


@pytest.mark.parametrize(
    "percent, self_status, status, light",
    [
        (20, "正常推进", "滞后", RED),  # 20 / 24.66 = 0.81 < 0.9
        (23, "正常推进", "正常推进", YELLOW),  # 0.93
        (30, "滞后", "滞后", RED),  # the unit says so
        (0, "未启动", "未启动", RED),
        (100, "正常推进", "已完成", GREEN),
        (80, "已完成", "已完成", GREEN),
    ],
)
def test_status_from_the_latest_report(quarterly, percent, self_status, status, light):
    task, lead, co = quarterly
    report(lead, task, at(2023, 3, 10), percent=10)  # an older report that the newer one supersedes
    report(lead, task, at(2023, 3, 14), percent=percent, status=self_status)
    s = task_state(task, at(2023, 3, 31, 23, 59))
    assert (s.status, s.light) == (status, light)


def test_consolidated_report_speaks_for_the_task(quarterly):
    task, lead, co = quarterly
    report(co, task, at(2023, 3, 12), percent=60)
    report(lead, task, at(2023, 3, 13), percent=35)
    assert task_state(task, at(2023, 3, 31)).percent == 35  # the lead's report outranks a co-unit's
    do_submit_report(
        lead,
        task,
        "2023Q1",
        narrative="汇总",
        percent=40,
        status="正常推进",
        at=at(2023, 3, 14),
        consolidated=True,
    )
    assert task_state(task, at(2023, 3, 31)).last_report.kind == "牵头汇总"


def test_deadline_passed_means_lagging(quarterly):
    task, lead, co = quarterly
    Task.objects.filter(pk=task.pk).update(deadline="2023年2月底前")
    report(lead, task, at(2023, 3, 14), percent=90)
    s = task_state(task, at(2023, 3, 31))
    assert s.status == "滞后" and "已过时限" in s.reason and s.deadline.isoformat() == "2023-02-28"


def test_completed_task_owes_nothing_after_completion(quarterly):
    task, lead, co = quarterly
    for unit in (lead, co):
        report(unit, task, at(2023, 3, 14), percent=100, status="已完成")
    s = task_state(task, at(2023, 9, 30, 23, 59))  # Q2 and Q3 reports would be due by now
    assert s.status == "已完成" and s.missing == []


def test_refresh_writes_only_changes_and_timeline_merges_sources(quarterly):
    task, lead, co = quarterly
    plan = task.plan
    first = do_refresh_statuses([plan], at(2023, 3, 10))
    assert {c.new for c in first} == {"未启动"} and len(first) == Task.objects.filter(
        plan=plan, active=True
    ).count()
    assert do_refresh_statuses([plan], at(2023, 3, 10)) == []
    overdue = do_refresh_statuses([plan], at(2023, 3, 16, 0, 30))
    assert {(c.old, c.new) for c in overdue} == {("未启动", "逾期未报")}
    report(lead, task, at(2023, 3, 16, 10))
    changed = do_refresh_statuses([plan], at(2023, 3, 31))
    assert [(c.task_id, c.old, c.new) for c in changed] == [(task.pk, "逾期未报", "正常推进")]

    register_source("test.extra", lambda t: [TimelineEvent(at(2023, 3, 20), "督办", f"测试事件 {t.pk}")])
    try:
        events = timeline(task)
    finally:
        unregister_source("test.extra")
    assert "test.extra" not in sources()
    assert [e.kind for e in events] == ["状态", "状态", "报送", "督办", "状态"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert "逾期 10小时1分钟" in events[2].title and events[-1].title == "状态 逾期未报 → 正常推进"
    assert TaskStatusChange.objects.filter(task=task).count() == 3


def test_task_states_query_count_does_not_grow_with_tasks(quarterly, django_assert_max_num_queries):
    task, lead, co = quarterly
    report(lead, task, at(2023, 3, 16, 10))
    all_tasks = list(
        Task.objects.filter(plan__region__name="沅江市", active=True).values_list("id", flat=True)
    )
    assert len(all_tasks) > 200
    with django_assert_max_num_queries(9):
        few = task_states(all_tasks[:3], at(2023, 3, 31))
    with django_assert_max_num_queries(9):
        many = task_states(all_tasks, at(2023, 3, 31))
    assert len(few) == 3 and len(many) == len(all_tasks)
    assert many[task.pk].status == "正常推进"


def test_status_command(quarterly):
    task, lead, co = quarterly
    report(lead, task, at(2023, 3, 16, 10), percent=30)
    out = io.StringIO()
    call_command("status", "重点工作任务清单", "--as-of", "2023-03-31", stdout=out)
    text = out.getvalue()
    assert "任务状态（截至 2023-03-31 23:59）" in text and "正常推进 1" in text
    assert f"#{task.pk}" in text and "逾期未报" in text
    out = io.StringIO()
    call_command("status", "经济增长主动仗", "--as-of", "2023-06-30", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["double_half"]["time_half"] is True and data["double_half"]["passed"] is False
    assert {t["status"] for t in data["tasks"]} == {"逾期未报"}  # no monthly report all half-year
    assert len(data["targets"]) == 13 and all(t["light"] == "red" for t in data["targets"])
