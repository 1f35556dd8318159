"""督办 actions on the real 沅江市 plan with real accounts: notices, problems, 批示, commands."""

import io
import json
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import LEADER, OFFICE, REPORTER
from duban.audit.models import AuditEntry
from duban.plans.actions import do_ingest_file
from duban.plans.lookup import find_plans
from duban.plans.models import TaskUnit, Unit
from duban.plans.periods import LOCAL_TZ
from duban.supervision import actions, lifecycle
from duban.supervision.actions import SupervisionError
from duban.supervision.lifecycle import TransitionError
from duban.supervision.models import RED, YELLOW, Instruction, Notice, NoticeCounter, Problem
from duban.tracking.actions import do_submit_report
from duban.tracking.timeline import timeline
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db

PLAN = "科技创新"


@pytest.fixture
def world():
    do_ingest_file(sample_path("001"))
    plans = list(find_plans(PLAN))
    tasks = actions.plan_tasks(plans)
    task = next(t for t in tasks if len({a.unit_id for a in t.assignments.all() if not a.unit.is_group}) >= 2)
    rows = sorted(task.assignments.all(), key=lambda a: a.order)
    lead = next(a.unit for a in rows if a.role == TaskUnit.LEAD)
    co = next(a.unit for a in rows if a.unit_id != lead.pk and not a.unit.is_group)
    stranger = Unit.objects.filter(region=lead.region).exclude(pk__in=[a.unit_id for a in rows]).first()
    users = {
        "office": do_add_user("ducha", OFFICE),
        "leader": do_add_user("lingdao", LEADER, full_name="张副市长"),
        "lead": do_add_user("lead", REPORTER, Scope(unit=lead)),
        "co": do_add_user("co", REPORTER, Scope(unit=co)),
        "stranger": do_add_user("stranger", REPORTER, Scope(unit=stranger)),
    }
    return {
        "plans": plans,
        "task": task,
        "lead_unit": lead,
        "co_unit": co,
        "stranger_unit": stranger,
        **users,
    }


def at(day: int, month: int = 2, hour: int = 10) -> datetime:
    return datetime(2023, month, day, hour, tzinfo=LOCAL_TZ)


def test_a_notice_goes_through_its_lifecycle_with_who_and_when(world):
    task, office = world["task"], world["office"]
    n = actions.do_issue_notice(
        task,
        color=RED,
        reason="一月进展逾期未报",
        units=[world["lead_unit"]],
        user=office,
        at=at(1),
        as_of=date(2023, 2, 1),
    )
    assert n.number == "督〔2023〕1号" and n.state == lifecycle.ISSUED
    second = actions.do_issue_notice(task, color=YELLOW, reason="进度滞后", user=office, at=at(2))
    assert second.number == "督〔2023〕2号"
    assert set(second.units.all()) == {a.unit for a in task.assignments.all() if a.role == TaskUnit.LEAD}

    with pytest.raises(PermissionDenied):
        actions.do_sign(n, world["stranger"])  # not addressed
    with pytest.raises(PermissionDenied):
        actions.do_sign(n, world["co"])  # on the task, but the notice is to the lead unit
    with pytest.raises(TransitionError, match="请先签收"):
        actions.do_feedback(n, "已报送", world["lead"])
    actions.do_sign(n, world["lead"], at=at(2))
    with pytest.raises(TransitionError, match="不能重复签收"):
        actions.do_sign(n, world["lead"])
    with pytest.raises(SupervisionError, match="反馈内容不能为空"):
        actions.do_feedback(n, "  ", world["lead"])
    with pytest.raises(TransitionError, match="尚未反馈"):
        actions.do_close(n, office)
    actions.do_feedback(n, "已补报一月进展", world["lead"], at=at(3))
    with pytest.raises(PermissionDenied):
        actions.do_close(n, world["lead"])  # a unit cannot close its own notice
    n = actions.do_close(n, office, note="同意办结", at=at(4))
    assert n.state == lifecycle.CLOSED and n.closed_at == at(4)

    events = list(n.events.order_by("at"))
    assert [(e.step, e.actor, e.at) for e in events] == [
        (lifecycle.ISSUE, office, at(1)),
        (lifecycle.SIGN, world["lead"], at(2)),
        (lifecycle.FEEDBACK, world["lead"], at(3)),
        (lifecycle.CLOSE, office, at(4)),
    ]
    assert events[1].unit == world["lead_unit"] and events[2].note == "已补报一月进展"
    audits = AuditEntry.objects.filter(object_type="supervision.Notice", object_id=str(n.pk)).order_by("id")
    assert [a.action for a in audits] == ["notice.issue", "notice.sign", "notice.feedback", "notice.close"]
    assert [a.actor for a in audits] == [office, world["lead"], world["lead"], office]
    assert audits[3].before["state"] == "已反馈" and audits[3].after["state"] == "已办结"
    kinds = [e.kind for e in timeline(task)]
    assert kinds.count("督办") == 4 + 1  # four steps of n, the issue of the second


def test_bad_notices_are_refused_and_change_nothing(world):
    task = world["task"]
    with pytest.raises(SupervisionError, match="不是任务"):
        actions.do_issue_notice(task, color=RED, reason="逾期", units=[world["stranger_unit"]])
    with pytest.raises(SupervisionError, match="颜色"):
        actions.do_issue_notice(task, color="green", reason="逾期")
    with pytest.raises(SupervisionError, match="督办事由不能为空"):
        actions.do_issue_notice(task, color=RED, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.do_issue_notice(task, color=RED, reason="逾期", user=world["leader"])
    assert not Notice.objects.exists() and not NoticeCounter.objects.filter(last__gt=0).exists()
    assert not AuditEntry.objects.filter(action__startswith="notice.").exists()


def test_problems_from_report_versions_and_their_handling(world):
    task, lead, co, office = world["task"], world["lead_unit"], world["co_unit"], world["office"]
    common = {"narrative": "推进中", "percent": 5, "status": "正常推进"}
    r1 = do_submit_report(
        co, task, "2023-01", problems="用地指标不足", needs="需市自然资源局协调", at=at(30, 1), **common
    )
    do_submit_report(
        co, task, "2023-01", problems="用地指标不足", needs="需市自然资源局协调", at=at(31, 1), **common
    )
    do_submit_report(lead, task, "2023-01", at=at(31, 1), **common)  # raises none
    r4 = do_submit_report(co, task, "2023-02", problems="用地指标不足；资金未到位", at=at(27), **common)
    check = actions.do_generate_notices(world["plans"], date(2023, 2, 28))
    assert {p.report_id for p in check.problems} == {r1.pk, r4.pk}  # the repeat made none
    assert actions.do_generate_notices(world["plans"], date(2023, 2, 28)).problems == []
    first = Problem.objects.get(report=r1)
    assert (
        first.unit == co
        and first.state == lifecycle.PENDING
        and "需协调事项：需市自然资源局协调" in first.text
    )

    with pytest.raises(PermissionDenied):
        actions.do_assign_problem(first, lead, world["co"])
    first = actions.do_assign_problem(first, lead, office, at=at(28))
    assert first.state == lifecycle.COORDINATING and first.assignee == lead
    with pytest.raises(TransitionError, match="必须说明理由"):
        actions.do_close_problem(first, office)
    first = actions.do_resolve_problem(first, office, note="已协调解决")
    first = actions.do_close_problem(first, office)
    with pytest.raises(TransitionError, match="已关闭"):
        actions.do_resolve_problem(first, office)
    steps = list(first.events.values_list("step", "state", "actor_name"))
    assert steps == [
        ("raise", "pending", co.name),
        ("assign", "coordinating", "ducha"),
        ("resolve", "resolved", "ducha"),
        ("close", "closed", "ducha"),
    ]
    assert AuditEntry.objects.filter(object_type="supervision.Problem", object_id=str(first.pk)).count() == 4
    assert any(e.kind == "问题" for e in timeline(task))


def test_instructions_are_written_by_leaders_only(world):
    task = world["task"]
    with pytest.raises(PermissionDenied):
        actions.do_add_instruction(world["lead"], task, "抓紧推进")
    with pytest.raises(PermissionDenied):
        actions.do_add_instruction(None, task, "抓紧推进")
    with pytest.raises(SupervisionError, match="批示内容不能为空"):
        actions.do_add_instruction(world["leader"], task, "")
    i = actions.do_add_instruction(world["leader"], task, "请市科工局牵头，月底前拿出方案。", at=at(5))
    assert Instruction.objects.get() == i and i.author_name == "张副市长"
    entry = AuditEntry.objects.get(action="instruction.add")
    assert entry.actor == world["leader"] and entry.after["text"] == i.text
    assert [e.title for e in timeline(task) if e.kind == "批示"] == ["张副市长批示"]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_notices_command_generates_once_and_lists(world):
    out = run("notices", PLAN, "--as-of", "2023-02-01", "--generate", "--json")
    data = json.loads(out)
    assert data["generated"]["issued"], "nobody reported January: red notices"
    assert all(n["color"] == "红色" and n["state"] == "已下发" for n in data["notices"])
    assert all("2023年1月报送" in n["reason"] and "已逾期1天" in n["reason"] for n in data["notices"])
    again = json.loads(run("notices", PLAN, "--as-of", "2023-02-01", "--generate", "--json"))
    assert again["generated"]["issued"] == [] and len(again["notices"]) == len(data["notices"])
    text = run("notices", PLAN, "--as-of", "2023-02-01")
    assert "督〔2023〕1号" in text and "红色督办单" in text
    with pytest.raises(CommandError, match="日期"):
        run("notices", PLAN, "--as-of", "2023-02-30")
    with pytest.raises(CommandError, match="找不到方案"):
        run("notices", "没有这个方案")
    with pytest.raises(CommandError, match="早于"):
        run("simulate", PLAN, "--from", "2023-03-01", "--to", "2023-01-01")
