"""Issue 6 follow-up: the city office gives a city task that names no group unit to 各县市区人民政府 by
hand (web form and `duban assign`); the assignment survives a re-import of the 邵阳市 document (same
bytes and a revised file); 新邵县's reporter then sees the task in 本期待报 and reports through
/report/<id>/; the city lead unit's task page shows the roll-up; removal works; bad input is refused
in Chinese and changes nothing. Real samples 000 (邵阳市) and 003 (新邵县), real database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import OFFICE, REPORTER
from duban.audit.models import AuditEntry
from duban.cascade.assign import do_assign_unit, do_unassign_unit
from duban.cascade.plantree import CascadeError
from duban.cascade.rollup import task_rollup
from duban.plans.actions import do_ingest_file
from duban.plans.members import member_tasks, members_of
from duban.plans.models import SourceDocument, Task, TaskUnit, Unit
from duban.tracking.models import ProgressReport
from tests.cascade_support import CITY, ingest_city_and_county, region, report_through_the_form
from tests.conftest import sample_path
from tests.ui_support import this_year

pytestmark = pytest.mark.django_db
PASSWORD = "Duban-督办-2025!"
GROUP = "各县市区人民政府"


def plain_city_task() -> Task:
    """An active city task with a lead department and no group unit, in the plan (经济增长主动仗
    责任分解表) whose other tasks the document gives to 各县市区人民政府 (so the same reporting rhythm)."""
    group = Unit.objects.get(region__name="邵阳市", name=GROUP, is_group=True)
    plan_id = TaskUnit.objects.filter(unit=group, task__active=True).order_by("task_id").first().task.plan_id
    with_groups = TaskUnit.objects.filter(unit__is_group=True).values("task_id")
    for task in (
        Task.objects.filter(plan_id=plan_id, active=True).exclude(pk__in=with_groups).order_by("order")
    ):
        if task.assignments.filter(role=TaskUnit.LEAD).exists() and task.assignments.count() >= 2:
            return task
    raise AssertionError("no city task without a group unit")


def snapshot(task: Task) -> list[tuple]:
    return list(TaskUnit.objects.filter(task=task).order_by("order").values_list("unit_id", "role", "origin"))


@pytest.fixture
def world():
    ingest_city_and_county(year=this_year())  # reports are made at the real clock: this year's programmes
    call_command("link_plans", "新邵县", "邵阳市", stdout=io.StringIO())
    task = plain_city_task()
    lead = task.assignments.get(role=TaskUnit.LEAD).unit
    group = Unit.objects.get(region__name="邵阳市", name=GROUP)
    xinshao = next(u for u in members_of(group) if u.region.name == "新邵县")
    users = {
        "city_office": do_add_user("sydcs", OFFICE, Scope(region=region("邵阳市")), password=PASSWORD),
        "county_office": do_add_user("xsdcs", OFFICE, Scope(region=region("新邵县")), password=PASSWORD),
        "xinshao": do_add_user("xinshao", REPORTER, Scope(unit=xinshao), password=PASSWORD),
        "lead": do_add_user("citylead", REPORTER, Scope(unit=lead), password=PASSWORD),
    }
    return {"task": task, "lead": lead, "group": group, "xinshao": xinshao, "users": users}


def test_assign_by_web_form_survive_reimport_report_rollup_and_remove(world, client, tmp_path):
    task, xinshao, users = world["task"], world["xinshao"], world["users"]
    assert task.pk not in member_tasks(xinshao)  # the document does not give it to the counties
    before = snapshot(task)

    # the city office assigns it through the form on the task page
    client.force_login(users["city_office"])
    page = client.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200 and 'id="assign-form"' in page.content.decode()
    r = client.post(f"/tasks/{task.pk}/units/", {"unit": GROUP, "role": "责任"})
    assert r.status_code == 302 and r.url == f"/tasks/{task.pk}/"
    row = TaskUnit.objects.get(task=task, unit=world["group"])
    assert (row.role, row.origin, row.written_as) == (TaskUnit.CO, TaskUnit.MANUAL, GROUP)
    assert snapshot(task) == [*before, (world["group"].pk, TaskUnit.CO, TaskUnit.MANUAL)]
    entry = AuditEntry.objects.filter(action="task.assign_unit").get()
    assert entry.actor_name == "sydcs" and GROUP in entry.summary and entry.object_id == str(task.pk)
    assert len(entry.after["members"]) == 12  # 邵阳市's 12 counties, cities and districts
    assert GROUP in client.get(f"/tasks/{task.pk}/").content.decode()  # listed as a hand assignment

    # re-import the same bytes: kept
    do_ingest_file(sample_path(CITY), year=this_year())
    assert snapshot(task) == [*before, (world["group"].pk, TaskUnit.CO, TaskUnit.MANUAL)]

    # a revised file that changes this task's own units: the document's rows are rewritten, the hand one kept
    doc = SourceDocument.objects.get(pk=task.source_document_id)
    lines = open(sample_path(CITY), encoding="utf-8").read().split("\n")
    other = task.assignments.filter(role=TaskUnit.CO).exclude(unit=world["lead"]).first().written_as
    assert other in lines[task.line - 1]
    lines[task.line - 1] = lines[task.line - 1].replace(other, "市财政局")
    revised = tmp_path / doc.file_name
    revised.write_text("\n".join(lines), encoding="utf-8")
    report = do_ingest_file(str(revised), year=this_year())
    assert report.source_document.pk == doc.pk and not report.same_bytes
    task.refresh_from_db()
    assert task.active
    names = list(TaskUnit.objects.filter(task=task).order_by("order").values_list("written_as", "origin"))
    assert ("市财政局", TaskUnit.DOCUMENT) in names and (other, TaskUnit.DOCUMENT) not in names
    assert names[-1] == (GROUP, TaskUnit.MANUAL)  # after the document's units, still there
    orders = list(TaskUnit.objects.filter(task=task).order_by("order").values_list("order", flat=True))
    assert orders == list(range(len(orders)))

    # 新邵县's reporter: the task is in 本期待报, and the report goes through /report/<id>/
    assert task.pk in member_tasks(xinshao)
    made = report_through_the_form(client, users["xinshao"], task, xinshao, "新邵县已对接货运站点建设", 20)

    # the city lead unit's task page: the roll-up of the 12 members, 新邵县 reported
    counties = next(g for g in task_rollup(task, made.period_obj) if g.group == GROUP)
    assert len(counties.rows) == 12 and counties.reported == 1
    client.force_login(users["lead"])
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "下级报送汇总" in html and GROUP in html and "已报 1 / 12" in html
    assert 'id="assign-form"' not in html  # a reporter does not assign

    # removal through the form: the counties no longer owe it; the report stays in the history
    client.force_login(users["city_office"])
    r = client.post(f"/tasks/{task.pk}/units/", {"remove": world["group"].pk})
    assert r.status_code == 302
    assert not TaskUnit.objects.filter(task=task, unit=world["group"]).exists()
    assert task.pk not in member_tasks(xinshao)
    assert ProgressReport.objects.filter(task=task).count() == 1
    assert AuditEntry.objects.filter(action="task.unassign_unit", object_id=str(task.pk)).count() == 1


def _unchanged(task: Task):
    """(assignment rows, audit entries, units) — what a refused request must leave as it was."""
    return snapshot(task), AuditEntry.objects.count(), Unit.objects.count()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"unit": "市不存在局", "role": "责任"}, "邵阳市没有名为“市不存在局”的单位"),
        ({"unit": "", "role": "责任"}, "请填写单位名称"),
        ({"unit": GROUP, "role": "协办"}, "角色“协办”无效"),
        ({"unit": "相关县市区人民政府", "role": "责任"}, "没有指明是哪些单位"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(world, client, data, message):
    task = world["task"]
    before = _unchanged(task)
    client.force_login(world["users"]["city_office"])
    r = client.post(f"/tasks/{task.pk}/units/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert _unchanged(task) == before


def test_already_assigned_document_units_and_inactive_tasks(world, client):
    task, lead = world["task"], world["lead"]
    client.force_login(world["users"]["city_office"])
    before = _unchanged(task)
    # the document's lead unit, by an alias or its name: already assigned
    r = client.post(f"/tasks/{task.pk}/units/", {"unit": lead.name, "role": "牵头"})
    assert (
        r.status_code == 400
        and "已是任务" in r.content.decode()
        and "方案文件写明的牵头单位" in r.content.decode()
    )
    # a document unit cannot be removed here (a re-import would bring it back)
    r = client.post(f"/tasks/{task.pk}/units/", {"remove": lead.pk})
    assert r.status_code == 400 and "请修改方案文件后重新导入" in r.content.decode()
    assert _unchanged(task) == before

    do_assign_unit(task, GROUP)
    with pytest.raises(CascadeError, match="已手工分配的责任单位，不能重复分配"):
        do_assign_unit(task, GROUP)
    units = Unit.objects.count()
    with pytest.raises(CascadeError, match="所指单位相同，不能重复分配"):
        do_assign_unit(task, "各县（市、区）人民政府")  # another spelling of the same group
    assert Unit.objects.count() == units  # the new spelling's group unit was not kept
    with pytest.raises(CascadeError, match="不是任务"):
        do_unassign_unit(task, "市财政局")  # a unit this task does not name

    gone = Task.objects.filter(plan_id=task.plan_id, active=True).exclude(pk=task.pk).first()
    Task.objects.filter(pk=gone.pk).update(active=False)  # as a revised file would leave it
    n = TaskUnit.objects.count()
    with pytest.raises(CascadeError, match="已失效"):
        do_assign_unit(gone, GROUP)
    assert TaskUnit.objects.count() == n


def test_only_the_office_of_the_task_region_may_assign(world, client):
    task = world["task"]
    before = _unchanged(task)
    for name in ("county_office", "xinshao", "lead"):
        client.force_login(world["users"][name])
        assert client.post(f"/tasks/{task.pk}/units/", {"unit": GROUP}).status_code == 403, name
    client.logout()
    r = client.post(f"/tasks/{task.pk}/units/", {"unit": GROUP})
    assert r.status_code == 302 and "/login/" in r.url
    assert _unchanged(task) == before
    # the county office assigns on its own county's tasks
    county_task = Task.objects.filter(active=True, plan__region__name="新邵县").first()
    client.force_login(world["users"]["county_office"])
    r = client.post(f"/tasks/{county_task.pk}/units/", {"unit": "各乡镇（街道）", "role": "责任"})
    assert r.status_code == 302
    unit = TaskUnit.objects.get(task=county_task, origin=TaskUnit.MANUAL).unit
    assert unit.is_group and unit.region.name == "新邵县"  # a new group unit, flagged as an import would


def test_command_line(world):
    task = world["task"]
    out = io.StringIO()
    call_command("assign", str(task.pk), "--unit", GROUP, "--role", "牵头", stdout=out)
    assert "已分配" in out.getvalue() and "各县市区人民政府（牵头，手工）" in out.getvalue()
    assert TaskUnit.objects.get(task=task, unit=world["group"]).role == TaskUnit.LEAD
    with pytest.raises(CommandError, match="不能重复分配"):
        call_command("assign", str(task.pk), "--unit", GROUP, stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到任务"):
        call_command("assign", "999999", "--unit", GROUP, stdout=io.StringIO())
    out = io.StringIO()
    call_command("assign", f"#{task.pk}", "--unit", GROUP, "--remove", stdout=out)
    assert "已移除" in out.getvalue()
    assert not TaskUnit.objects.filter(task=task, origin=TaskUnit.MANUAL).exists()
    with pytest.raises(CommandError, match="不是任务"):
        call_command("assign", str(task.pk), "--unit", GROUP, "--remove", stdout=io.StringIO())
