"""The reporting calendar on the real 沅江市 sample (001): March 2023, `duban calendar`."""

import io
import json
from datetime import date, time

import pytest
from django.core.management import CommandError, call_command

from duban.plans.models import Task
from duban.tracking.calendar import due_items
from duban.tracking.schedule import DEFAULT_ORIGIN, OFFICE_FALLBACK
from tests.tracking_helpers import cadence_due, ingest_yuanjiang, plan_titled

pytestmark = pytest.mark.django_db
MARCH = (date(2023, 3, 1), date(2023, 3, 31))


@pytest.fixture
def plans():
    return ingest_yuanjiang()


def _units_of(plan) -> set[str]:
    tasks = Task.objects.filter(plan__in=[plan, *plan.children.all()], active=True)
    return {a.unit.name for t in tasks for a in t.assignments.all() if not a.unit.is_group}


def test_daily_safety_reports_due_at_four_pm_every_day_of_march(plans):
    # 001 line 1307: 安排专人每天下午4：00之前报送市安委办
    cadence = cadence_due("每天下午4")
    items = [i for i in due_items(plans, *MARCH) if i.cadence_id == cadence.pk]
    assert [i.due.date() for i in items] == [date(2023, 3, d) for d in range(1, 32)]
    assert {i.due.time() for i in items} == {time(16, 0)}
    assert {str(i.due.tzinfo) for i in items} == {"Asia/Shanghai"}
    first = items[0]
    assert (first.every, first.action, first.report_to, first.reporting) == ("日", "报送", "市安委办", True)
    assert first.plan == cadence.plan and first.campaign.name == "安全生产巩固提升仗"
    assert first.period.code == "2023-03-01" and first.cadence_line == 1307
    assert set(first.reporters) == _units_of(cadence.plan)  # every responsible unit of the plan's tasks
    assert all(first.unit_tasks[u] for u in first.reporter_unit_ids)


def test_quarterly_report_due_on_15_march_to_the_office(plans):
    # 001 line 137: 工作进展情况每季度末月中旬报送市优办 (in 优化发展环境持久仗, tasks in its 任务清单)
    cadence = cadence_due("每季度末月中旬")
    items = [i for i in due_items(plans, *MARCH) if i.cadence_id == cadence.pk]
    assert len(items) == 1
    q = items[0]
    assert q.due.date() == date(2023, 3, 15) and q.period.code == "2023Q1" and q.report_to == "市优办"
    assert "市国资服务中心" in q.reporters  # lead unit of tasks in the child 任务清单
    assert set(q.reporters) == _units_of(cadence.plan)


def test_produced_items_name_the_task_force_office_and_default_fills_silent_plans(plans):
    items = due_items(plans, *MARCH)
    brief = next(i for i in items if i.action == "编制工作简报")  # 市安委办汇总工作情况每日编制工作简报
    assert not brief.reporting and brief.reporters == ["市应急管理局"]  # 安全生产专班办公室
    assert all(i.reporters != [OFFICE_FALLBACK] or not i.reporting for i in items)
    growth = plan_titled("经济增长主动仗")  # the plan says no reporting rhythm: default monthly
    defaults = [i for i in items if i.plan == growth]
    assert [(i.origin, i.every, i.action, i.due.date(), i.due.time()) for i in defaults] == [
        (DEFAULT_ORIGIN, "月", "报送", date(2023, 3, 31), time(23, 59))
    ]
    assert items == sorted(items, key=lambda i: i.due)


def test_selecting_one_child_plan_keeps_the_inherited_cadence(plans):
    child = plan_titled("重点工作任务清单")
    items = due_items([child], *MARCH)
    assert [(i.due.date(), i.report_to) for i in items if i.reporting] == [(date(2023, 3, 15), "市优办")]


def test_calendar_command_table_and_json(plans):
    out = io.StringIO()
    call_command("calendar", "沅江市", "--from", "2023-03-01", "--to", "2023-03-31", stdout=out)
    text = out.getvalue()
    assert "2023-03-15 星期三" in text
    assert "16:00  每日报送（2023年3月1日）" in text and "→ 市安委办" in text
    assert "每季报送（2023年第一季度）" in text and "→ 市优办" in text
    out = io.StringIO()
    call_command("calendar", "沅江市", "--from", "2023-03-01", "--to", "2023-03-31", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["plans"]) == len(plans)
    daily = [i for i in data["items"] if i["report_to"] == "市安委办"]
    assert len(daily) == 31 and daily[0]["due"] == "2023-03-01T16:00:00+08:00"
    assert any(i["due"] == "2023-03-15T23:59:00+08:00" and i["period"] == "2023Q1" for i in data["items"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["沅江市", "--from", "2023-3-1", "--to", "2023-03-31"], "YYYY-MM-DD"),
        (["沅江市", "--from", "2023-03-31", "--to", "2023-03-01"], "早于"),
        (["不存在的方案", "--from", "2023-03-01", "--to", "2023-03-31"], "找不到方案"),
    ],
)
def test_calendar_command_bad_input(plans, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("calendar", *args, stdout=io.StringIO())
