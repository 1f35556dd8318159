"""The issue's check, end to end: 邵阳市 (000) and 新邵县 (003) in one database, linked; a city task
given to 各县市区人民政府 reported on by 新邵县's reporter through the real report page; the city lead
unit sees the roll-up; scoped access across the levels; the region roll-up page and command."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from duban.accounts import permissions
from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import LEADER, OFFICE, REPORTER
from duban.cascade.rollup import LATE, ON_TIME, region_rollup, task_rollup
from duban.plans.actions import do_ingest_file
from duban.plans.members import member_tasks, members_of
from duban.plans.models import Plan, Task, TaskUnit, Unit
from duban.plans.periods import local_date
from duban.supervision.facts import owed
from duban.tracking.actions import TrackingError, do_submit_report
from duban.tracking.calendar import due_items
from duban.tracking.models import ProgressReport
from duban.ui.duelist import due_tasks
from tests.cascade_support import ingest_city_and_county, region, report_through_the_form, sample_text
from tests.ui_support import this_year

pytestmark = pytest.mark.django_db
PASSWORD = "Duban-督办-2025!"


def city_group_task() -> Task:
    """An active city task whose lead is a city department and whose co-units include 各县市区人民政府."""
    group = Unit.objects.get(region__name="邵阳市", name="各县市区人民政府", is_group=True)
    for row in TaskUnit.objects.filter(unit=group, role=TaskUnit.CO, task__active=True).order_by("task_id"):
        lead = row.task.assignments.filter(role=TaskUnit.LEAD, unit__is_group=False).first()
        if lead is not None:
            return row.task
    raise AssertionError("no city task with a lead unit and 各县市区人民政府")


def government(county: str) -> Unit:
    group = Unit.objects.get(region__name="邵阳市", name="各县市区人民政府", is_group=True)
    return next(u for u in members_of(group) if u.region.name == county)


@pytest.fixture
def world(tmp_path):
    """Both samples linked, a sibling county (隆回县) with a plan of its own, and the accounts."""
    ingest_city_and_county(this_year())  # reported and read at the real clock: this year's programmes
    call_command("link_plans", "新邵县", "邵阳市", stdout=io.StringIO())
    sibling = tmp_path / "隆回县方案.txt"
    sibling.write_text(
        sample_text("003").replace("新邵县", "隆回县").replace("新邵", "隆回"), encoding="utf-8"
    )
    do_ingest_file(str(sibling), region="隆回县", year=this_year())
    task = city_group_task()
    lead = task.assignments.get(role=TaskUnit.LEAD).unit
    xinshao, longhui = government("新邵县"), government("隆回县")
    users = {
        "xinshao": do_add_user("xinshao", REPORTER, Scope(unit=xinshao), password=PASSWORD),
        "longhui": do_add_user("longhui", REPORTER, Scope(unit=longhui), password=PASSWORD),
        "lead": do_add_user("citylead", REPORTER, Scope(unit=lead), password=PASSWORD),
        "county_office": do_add_user("xsduchashi", OFFICE, Scope(region=region("新邵县")), password=PASSWORD),
        "city_office": do_add_user("sydcs", OFFICE, Scope(region=region("邵阳市")), password=PASSWORD),
        "county_leader": do_add_user("xslingdao", LEADER, Scope(region=region("新邵县")), password=PASSWORD),
    }
    return {"task": task, "lead": lead, "xinshao": xinshao, "longhui": longhui, "users": users}


def test_linking_creates_the_county_governments_the_city_groups_stand_for(world):
    names = ("县人民政府", "市人民政府", "区人民政府")
    govs = Unit.objects.filter(region__parent__name="邵阳市", name__in=names, is_group=False)
    assert govs.count() == 12  # every county of 邵阳市 can now report as a member
    assert world["xinshao"].name == "县人民政府" and world["xinshao"].region.name == "新邵县"


def test_calendar_supervision_and_due_list_agree_on_group_members(world):
    task, xinshao = world["task"], world["xinshao"]
    now = timezone.now()
    day = local_date(now)
    items = [i for i in due_items([task.plan_id], day.replace(month=1, day=1), day) if i.reporting]
    assert any(task.pk in i.unit_tasks.get(xinshao.pk, ()) for i in items)  # the calendar lists the member
    dues = owed([task], day.replace(month=1, day=1), day)
    members = {u for (t, u, _p) in dues if t == task.pk}
    assert {xinshao.pk, world["longhui"].pk, world["lead"].pk} <= members  # and so does 督办 (same source)
    assert task.pk in member_tasks(xinshao)
    assert task.pk in {d.task.pk for d in due_tasks(xinshao.pk, Task.objects.all(), now)}  # 本期待报


def test_xinshao_reports_on_the_city_task_and_the_lead_sees_the_rollup(world, client):
    task, xinshao = world["task"], world["xinshao"]
    report = report_through_the_form(client, world["users"]["xinshao"], task, xinshao, "新邵县已完成年度任务分解", 35)
    assert report.submitted_by.username == "xinshao"

    # the roll-up of that period: 新邵县 reported, the other 11 counties not
    rollup = task_rollup(task, report.period_obj, as_of=timezone.now())
    assert len(rollup) >= 1
    counties = next(g for g in rollup if g.group == "各县市区人民政府")
    assert len(counties.rows) == 12 and counties.reported == 1
    row = next(r for r in counties.rows if r.region == "新邵县")
    assert row.state in (ON_TIME, LATE) and row.report.percent == 35
    assert all(r.state != ON_TIME for r in counties.rows if r.region != "新邵县")

    # the lead unit's reporter sees it on the task page
    client.force_login(world["users"]["lead"])
    page = client.get(f"/tasks/{task.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "下级报送汇总" in html
    assert "各县市区人民政府" in html and "已报 1 / 12" in html and "隆回县" in html


def test_a_unit_outside_the_group_cannot_report_and_nothing_is_stored(world):
    task = world["task"]
    yuanjiang = Unit.objects.filter(region__name="新邵县").exclude(pk=world["xinshao"].pk).first()
    with pytest.raises(TrackingError, match="不是任务.*的责任单位"):
        do_submit_report(yuanjiang, task, "2023Q1", narrative="x", percent=1, status="正常推进")
    assert not ProgressReport.objects.exists()


def test_scoped_access_across_levels(world, client):
    task, users = world["task"], world["users"]
    city_task = task
    county_task = Task.objects.filter(active=True, plan__region__name="新邵县").first()
    sibling_task = Task.objects.filter(active=True, plan__region__name="隆回县").first()
    sibling_own = sibling_task.assignments.filter(unit__is_group=False).first().unit
    # a 新邵县 reporter: the city task assigned to it, never a sibling county's task
    assert permissions.can_view_task(users["xinshao"], city_task)
    assert permissions.can_report(users["xinshao"], city_task)
    assert not permissions.can_view_task(users["xinshao"], sibling_task)
    client.force_login(users["xinshao"])
    assert client.get(f"/tasks/{sibling_task.pk}/").status_code == 403
    assert client.get(f"/report/{sibling_task.pk}/").status_code == 403
    assert client.get(f"/tasks/{city_task.pk}/").status_code == 200
    # 新邵县's office and leader: their own plans and the city tasks assigned to them, not the sibling's
    for name in ("county_office", "county_leader"):
        user = users[name]
        visible = permissions.visible_tasks(user)
        assert visible.filter(pk=county_task.pk).exists() and visible.filter(pk=city_task.pk).exists()
        assert not visible.filter(pk=sibling_task.pk).exists()
        city_visible = set(visible.filter(plan__region__name="邵阳市").values_list("pk", flat=True))
        assert city_visible == set(member_tasks(world["xinshao"]))  # only what the city gave 新邵县
        client.force_login(user)
        assert client.get(f"/tasks/{sibling_task.pk}/").status_code == 403
        assert client.get(f"/tasks/{city_task.pk}/").status_code == 200
        assert client.get(f"/plans/{sibling_task.plan_id}/").status_code == 403
    # the county office may report on the city task only for its own county's government
    assert permissions.reporting_unit_ids(users["county_office"], city_task) == {world["xinshao"].pk}
    # the city reads its counties' plans; the county office never reports for a sibling's unit
    assert permissions.can_view_task(users["city_office"], county_task)
    assert permissions.can_view_task(users["city_office"], sibling_task)
    assert not permissions.reporting_unit_ids(users["county_office"], sibling_task)
    assert sibling_own.pk not in permissions.reporting_unit_ids(users["county_office"], city_task)
    # the city's lead-unit reporter does not see county tasks
    assert not permissions.visible_tasks(users["lead"]).filter(plan__region__name="新邵县").exists()


def test_region_rollup_puts_the_counties_side_by_side(world, client):
    task, xinshao = world["task"], world["xinshao"]
    assert not ProgressReport.objects.exists()
    now = timezone.now()
    rollup = region_rollup(region("邵阳市"), as_of=now)
    names = [c.region.name for c in rollup.children]
    assert sorted(names) == sorted(r.name for r in region("邵阳市").children.all())
    by_name = {c.region.name: c for c in rollup.children}
    assert by_name["新邵县"].plans == Plan.objects.filter(region__name="新邵县", active=True).count()
    # shared indicators: the city's GDP growth target, and the county's own figure where it has one
    keys = {k for k, _, _ in rollup.indicators}
    fixed = next(k for k, label, _ in rollup.indicators if "固定资产投资" in label)
    assert fixed in keys
    assert by_name["新邵县"].targets[fixed].value == 7.5 and by_name["隆回县"].targets[fixed].value == 7.5
    # every county owes reports on the city's group tasks; nobody reported, so nobody is on time
    assert by_name["新邵县"].discipline.owed > 0
    assert all(c.discipline.on_time == 0 for c in rollup.children)

    # 新邵县 reports one owed period of the city task on time: it ranks first, alone on time
    day = local_date(now)
    due, period, _action, _name = min(
        v
        for (t, u, _p), v in owed([task], day.replace(month=1, day=1), day).items()
        if t == task.pk and u == xinshao.pk and v[0] <= now
    )
    fields = {"narrative": "已部署", "percent": 10, "status": "正常推进"}
    do_submit_report(xinshao, task, period, at=due - timedelta(hours=1), **fields)
    again = {c.region.name: c for c in region_rollup(region("邵阳市"), as_of=now).children}
    assert again["新邵县"].discipline.on_time == 1 and again["新邵县"].rank == 1
    assert again["新邵县"].discipline.missing == by_name["新邵县"].discipline.missing - 1

    out = io.StringIO()
    call_command("rollup", "邵阳市", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {c["region"] for c in data["children"]} == set(names)

    client.force_login(world["users"]["city_office"])
    page = client.get(f"/cascade/rollup/{region('邵阳市').pk}/")
    assert page.status_code == 200 and "新邵县" in page.content.decode() and "按时率" in page.content.decode()
    client.force_login(world["users"]["county_office"])
    assert client.get(f"/cascade/rollup/{region('邵阳市').pk}/").status_code == 403
    assert client.get(f"/cascade/rollup/{region('新邵县').pk}/").status_code == 200
    text = io.StringIO()
    call_command("rollup", "邵阳市", stdout=text)
    assert "按时率" in text.getvalue() and "新邵县" in text.getvalue()
    with pytest.raises(CommandError, match="没有名为“不存在市”的地区"):
        call_command("rollup", "不存在市")
