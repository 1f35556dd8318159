"""Plan browser and task page (web): scope per role, filters and search, the task page's source,
timeline and report history, the historical URLs, and a fixed number of queries per page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from duban.accounts.permissions import visible_tasks
from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE
from duban.cascade.assign import do_assign_unit
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Task, TaskForce, TaskUnit
from duban.supervision.actions import do_add_instruction, do_issue_notice
from duban.tracking.deadlines import parse_deadline
from tests.conftest import sample_path
from tests.ui_wb_support import as_user, page_tasks, query_count, report, yuanjiang

pytestmark = pytest.mark.django_db


def test_old_urls_keep_their_names_and_paths():
    assert reverse("plans:plan_list") == "/plans/"
    assert reverse("plans:plan", args=[3]) == "/plans/3/"
    assert reverse("plans:campaign", args=[3]) == "/campaigns/3/"
    assert reverse("plans:task", args=[3]) == "/tasks/3/"


def test_each_role_sees_its_own_scope(client):
    w = yuanjiang()
    plan = w.task.plan
    # anonymous: to the login page; public role: refused with a Chinese reason
    response = client.get(f"/plans/{plan.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert as_user(client, w.users[PUBLIC]).get("/plans/").status_code == 403
    # office and leader: every task of the plan
    for role in (OFFICE, LEADER):
        response = as_user(client, w.users[role]).get(f"/plans/{plan.pk}/")
        assert response.status_code == 200
        assert len(page_tasks(response)) == Task.objects.filter(plan=plan, active=True).count()
    # reporter: only the tasks its unit is named on, on the plan page and in the search
    as_user(client, w.users[REPORTER])
    mine = set(TaskUnit.objects.filter(unit=w.lead, task__active=True).values_list("task_id", flat=True))
    shown = {t.pk for t in page_tasks(client.get(f"/plans/{plan.pk}/"))}
    assert w.task.pk in shown and shown <= mine
    assert {t.pk for t in page_tasks(client.get("/tasks/"))} == mine
    other = Task.objects.filter(plan=plan, active=True).exclude(pk__in=mine).first()
    refused = client.get(f"/tasks/{other.pk}/")
    assert refused.status_code == 403 and "您无权查看此任务" in refused.content.decode()
    # a plan without any of the reporter's tasks is outside its scope
    foreign = (
        Plan.objects.filter(region=w.region, active=True).exclude(tasks__in=mine).exclude(tasks=None).first()
    )
    assert client.get(f"/plans/{foreign.pk}/").status_code == 403
    # 专班: only the plans of its campaign
    as_user(client, w.users[TASKFORCE])
    assert client.get(f"/campaigns/{plan.campaign_id}/").status_code == 200
    elsewhere = Plan.objects.filter(region=w.region, active=True).exclude(campaign=plan.campaign).first()
    assert client.get(f"/plans/{elsewhere.pk}/").status_code == 403
    listed = Plan.objects.filter(pk__in=_listed_plans(client))
    assert {p.campaign_id for p in listed} == {plan.campaign_id}


def _listed_plans(client) -> dict[int, str]:
    """{plan id: its task count as shown} of the plan list page."""
    html = client.get("/plans/").content.decode()
    rows = re.findall(r'<a href="/plans/(\d+)/">.*?<td class="r">(\d*)</td>', html, re.S)
    return {int(pk): n for pk, n in rows}


def test_plan_list_is_per_scope_and_follows_the_structure(client):
    """The list is rendered once per structure version and scope: each role still gets its own, and a
    task handed to the reporter's unit (交办, a structure change) shows at once in its counts."""
    w = yuanjiang()
    office = _listed_plans(as_user(client, w.users[OFFICE]))
    assert len(office) == Plan.objects.filter(region=w.region, active=True).count()
    mine = _listed_plans(as_user(client, w.users[REPORTER]))
    assert w.task.plan_id in mine and len(mine) < len(office)
    assert mine == _listed_plans(client)  # served again, the same
    counts = {pk: int(n) for pk, n in mine.items()}
    assert counts == {
        pk: visible_tasks(w.users[REPORTER], Task.objects.filter(active=True, plan_id=pk)).count() for pk in mine
    }
    other = Task.objects.filter(plan=w.task.plan, active=True).exclude(assignments__unit=w.lead).first()
    do_assign_unit(other, w.lead)
    after = _listed_plans(as_user(client, w.users[REPORTER]))
    assert int(after[w.task.plan_id]) == counts[w.task.plan_id] + 1
    assert _listed_plans(as_user(client, w.users[OFFICE])) == office  # the office's counts are of all tasks


def test_filters_and_search_narrow_the_tree(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    plan = w.task.plan
    everything = page_tasks(client.get(f"/plans/{plan.pk}/"))
    word = w.task.title[2:6]
    found = page_tasks(client.get(f"/plans/{plan.pk}/", {"q": word}))
    assert w.task in found and all(word in t.title or word in t.text for t in found)
    assert len(found) < len(everything)
    by_unit = page_tasks(client.get(f"/plans/{plan.pk}/", {"unit": w.co.pk}))
    assert w.task in by_unit and all(w.co.pk in {a.unit_id for a in t.assignments.all()} for t in by_unit)
    undated = page_tasks(client.get(f"/plans/{plan.pk}/", {"deadline": "none"}))
    assert all(parse_deadline(t.deadline, 2023) is None for t in undated)
    # status: after the lead unit reports, the task is 正常推进 at the end of March, others are not
    report(w)
    on_track = page_tasks(client.get(f"/plans/{plan.pk}/", {"status": "正常推进", "as_of": "2023-03-31"}))
    assert w.task in on_track
    overdue = page_tasks(client.get(f"/plans/{plan.pk}/", {"status": "逾期未报", "as_of": "2023-03-31"}))
    assert overdue and w.task not in overdue
    red = page_tasks(client.get(f"/plans/{plan.pk}/", {"light": "red", "as_of": "2023-03-31"}))
    assert set(overdue) <= set(red)
    # a bad filter value re-renders the form with its error and filters nothing
    bad = client.get(f"/plans/{plan.pk}/", {"status": "不存在"})
    assert bad.status_code == 200 and "不存在" in str(bad.context["form"].errors)
    assert len(page_tasks(bad)) == len(everything)


def test_task_page_shows_source_timeline_reports_and_notices(client):
    w = yuanjiang()
    office = w.users[OFFICE]
    report(w, narrative="完成重组方案初稿")
    report(w, unit=w.co, narrative="配合完成资产清查", problems="资金缺口较大")
    notice = do_issue_notice(w.task, color="yellow", reason="进度滞后于序时进度", user=office)
    do_add_instruction(w.users[LEADER], w.task, "请加快推进，月底前见成效")
    page = as_user(client, w.users[REPORTER]).get(f"/tasks/{w.task.pk}/?as_of=2023-03-31")
    assert page.status_code == 200
    html = page.content.decode()
    hit = [ln for ln in page.context["excerpt"] if ln["hit"]]
    assert hit and hit[0]["no"] == w.task.line and 'class="hit"' in html
    for text in (
        "完成重组方案初稿",
        "配合完成资产清查",
        "资金缺口较大",
        notice.number,
        "请加快推进，月底前见成效",
    ):
        assert text in html
    kinds = [e.kind for e in page.context["timeline"]]
    assert {"报送", "督办", "批示"} <= set(kinds)
    assert page.context["can_report"] and not page.context["can_instruct"]
    assert as_user(client, w.users[LEADER]).get(f"/tasks/{w.task.pk}/").context["can_instruct"]


def test_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    small = Plan.objects.filter(region=w.region, active=True).exclude(tasks=None).order_by("pk").first()
    do_ingest_file(sample_path("000"))  # 邵阳市, the largest sample
    from duban.accounts.actions import Scope, do_add_user

    city_office = do_add_user("shi_duchashi", OFFICE, Scope(), password="Duban-督办-2025!")
    as_user(client, city_office)
    big = max(Plan.objects.filter(active=True), key=lambda p: p.tasks.filter(active=True).count())
    assert big.tasks.count() > small.tasks.count()
    for plan in (small, big):  # fill this process's structure cache (duban.audit.cache): warm counts
        client.get(f"/plans/{plan.pk}/")

    def plan_page(plan) -> int:  # a plan with task forces has their members prefetched: one query more
        return query_count(client, f"/plans/{plan.pk}/") - TaskForce.objects.filter(plan=plan).exists()

    assert plan_page(small) == plan_page(big)
    # every task of both samples (over 500) against a search that finds a handful: same queries
    everything = client.get("/tasks/")
    assert everything.context["shown"] > 500 and len(page_tasks(everything)) == 100  # the rest: filter
    assert query_count(client, "/tasks/?q=营商环境") == query_count(client, "/tasks/")
    # the leader filter (邵阳市's tables name the 责任领导)
    led = next(t for t in Task.objects.filter(active=True).order_by("pk") if t.leaders)
    leader = led.leaders[0]
    by_leader = page_tasks(client.get("/tasks/", {"leader": leader}))
    assert led in by_leader and all(leader in t.leaders for t in by_leader)
    task = visible_tasks(city_office, Task.objects.filter(plan=big)).first()
    for url in (
        "/plans/",
        f"/plans/{big.pk}/",
        f"/campaigns/{big.campaign_id or small.campaign_id}/",
        "/tasks/?q=推进",
        f"/tasks/{task.pk}/",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
