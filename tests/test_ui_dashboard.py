"""调度台, the leader page, the public page and the dashboard JSON, on sample 000 (the largest)."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from duban.accounts import permissions
from duban.plans.actions import do_ingest_file
from duban.plans.models import Task
from duban.supervision.actions import do_issue_notice
from duban.supervision.models import Instruction
from duban.tracking.status import task_states
from duban.ui.duelist import due_tasks
from tests.conftest import sample_path
from tests.ui_support import login, setup_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return setup_city()


def _report_via_form(client, user, percent="100", status="已完成"):
    unit = permissions.profile_of(user).unit
    item = next(i for i in due_tasks(unit.pk, permissions.visible_tasks(user), timezone.now()) if i.pending)
    login(client, user)
    p = f"t{item.task.pk}-"
    r = client.post(
        f"/report/{item.task.pk}/",
        {p + "unit": unit.pk, p + "period": item.pending[0].code, p + "narrative": "已全部完成",
         p + "percent": percent, p + "status": status},
    )  # fmt: skip
    assert r.status_code == 302
    return item.task


def test_dashboard_counts_match_task_states(city, client):
    data = login(client, city["duchashi"]).get("/api/dashboard/").json()
    tasks = list(Task.objects.filter(active=True))
    assert data["tasks"] == len(tasks)
    states = task_states(tasks, timezone.now())
    assert data["status"]["逾期未报"] == sum(s.status == "逾期未报" for s in states.values())
    assert sum(data["status"].values()) == len(tasks) == sum(c["tasks"] for c in data["campaigns"])
    names = {c["name"] for c in data["campaigns"]}
    assert "经济增长主动仗（邵阳市）" in names and "科技创新攻坚仗（邵阳市）" in names
    assert len(data["targets"]) > 20 and all(
        t["light"] in ("green", "yellow", "red") for t in data["targets"]
    )
    assert data["reporters"]["missing_total"] == sum(
        len(m.reporters) for s in states.values() for m in s.missing
    )


def test_report_through_the_form_changes_the_dashboard(city, client):
    before = login(client, city["duchashi"]).get("/api/dashboard/").json()
    task = _report_via_form(client, city["tianbao"])
    after = login(client, city["duchashi"]).get("/api/dashboard/").json()
    assert after["status"]["已完成"] == before["status"]["已完成"] + 1
    campaign = next(c for c in after["campaigns"] if c["id"] == task.plan.campaign_id)
    old = next(c for c in before["campaigns"] if c["id"] == task.plan.campaign_id)
    assert campaign["done"] == old["done"] + 1 and campaign["mean_percent"] > old["mean_percent"]
    html = client.get("/dashboard/").content.decode()
    data = json.loads(
        re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["status"] == after["status"]
    assert (
        f'data-status="已完成"><div class="k">已完成</div><div class="v">{after["status"]["已完成"]}<' in html
    )


def test_taskforce_dashboard_is_limited_to_its_campaign(city, client):
    data = login(client, city["zhuanban"]).get("/api/dashboard/").json()
    campaign = permissions.profile_of(city["zhuanban"]).campaign
    assert [c["id"] for c in data["campaigns"]] == [campaign.pk]
    assert data["tasks"] == Task.objects.filter(active=True, plan__campaign=campaign).count()


def test_dashboard_campaign_filter_and_bad_date(city, client):
    login(client, city["duchashi"])
    campaign = Task.objects.filter(active=True).exclude(plan__campaign=None).first().plan.campaign
    data = client.get(f"/api/dashboard/?campaign={campaign.pk}").json()
    assert [c["id"] for c in data["campaigns"]] == [campaign.pk]
    r = client.get("/api/dashboard/?as_of=2026-13-45")
    assert r.status_code == 400 and "格式不对" in r.json()["error"]
    assert "格式不对" in client.get("/dashboard/?as_of=xx").content.decode()


def test_dashboard_page_marks_the_picked_campaign_and_shows_its_figures(city, client):
    """The campaign <option>s and the figures are cached per scope (duban.audit.cache):
    the picked campaign must still be the one selected, and each page the figures of its campaign."""
    login(client, city["duchashi"])
    campaigns = list({t.plan.campaign for t in Task.objects.filter(active=True).exclude(plan__campaign=None)})
    first, second = campaigns[0], campaigns[1]
    whole = client.get("/dashboard/").content.decode()
    assert " selected>" not in whole
    for campaign in (first, second, first):
        html = client.get(f"/dashboard/?campaign={campaign.pk}").content.decode()
        assert re.findall(r'<option value="(\d+)" selected>', html) == [str(campaign.pk)]
        assert f"<h1>调度台 · {campaign.name}</h1>" in html
        tasks = Task.objects.filter(active=True, plan__campaign=campaign).count()
        assert f"共 {tasks} 项任务。" in html
        assert html.count("<option value=") == whole.count("<option value=")


def test_open_notices_on_the_dashboard(city, client):
    task = Task.objects.filter(active=True, assignments__unit__is_group=False).first()
    unit = task.assignments.filter(unit__is_group=False).first().unit
    notice = do_issue_notice(
        task, color="red", reason="逾期未报，请立即报送", units=[unit], user=city["duchashi"]
    )
    data = login(client, city["duchashi"]).get("/api/dashboard/").json()
    assert data["notices"]["counts"]["red"] == 1 and data["notices"]["recent"][0]["number"] == notice.number
    assert unit.name in data["notices"]["recent"][0]["units"]


def test_leader_sees_red_items_and_writes_instruction(city, client):
    login(client, city["lingdao"])
    html = client.get("/leader/").content.decode()
    states = task_states(list(Task.objects.filter(active=True)), timezone.now())
    red = [pk for pk, s in states.items() if s.light == "red"]
    assert red, "sample 000 has overdue tasks today"
    assert f"需关注的红灯任务（{len(red)}）" in html
    task = Task.objects.get(pk=red[0])
    assert f'id="task-{task.pk}"' in html
    r = client.post(f"/leader/instruct/{task.pk}/", {f"i{task.pk}-text": "  "})
    assert r.status_code == 200 and "请填写批示内容" in r.content.decode()
    assert not Instruction.objects.exists()
    r = client.post(f"/leader/instruct/{task.pk}/", {f"i{task.pk}-text": "请市发改委牵头，月底前拿出方案。"})
    assert r.status_code == 302
    instruction = Instruction.objects.get()
    assert instruction.task == task and instruction.author == city["lingdao"]
    assert "请市发改委牵头" in client.get("/leader/").content.decode()


def test_instruction_refused_to_reporters_and_taskforce(city, client):
    task = Task.objects.filter(active=True).first()
    for who in ("tianbao", "zhuanban"):
        r = login(client, city[who]).post(f"/leader/instruct/{task.pk}/", {f"i{task.pk}-text": "越权批示"})
        assert r.status_code == 403
    assert not Instruction.objects.exists()


def test_public_page_without_login_shows_no_person_names(city, client):
    _report_via_form(client, city["tianbao"])
    client.logout()
    html = client.get("/public/").content.decode()
    assert "重点工作推进情况" in html and "经济增长主动仗（邵阳市）" in html
    names = {n for t in Task.objects.all() for n in (*t.persons, *t.leaders) if len(n) >= 2}
    names |= {u.get_full_name() for u in city.values()} | set(city)
    leaked = sorted(n for n in names if n in html)
    assert not leaked, leaked
    data = client.get("/api/public/").json()
    assert {"campaigns", "targets", "as_of"} <= set(data) and data["campaigns"][0]["tasks"] > 0
    assert "units" not in json.dumps(data)


@pytest.mark.parametrize(
    "username,url,limit",
    [
        ("duchashi", "/dashboard/", 24),
        ("duchashi", "/api/dashboard/", 24),
        ("zhuanban", "/dashboard/", 24),
        ("lingdao", "/leader/", 18),
        ("tianbao", "/", 18),  # +4: the unit as a member of group units (plans.members)
        (None, "/public/", 12),
    ],
)
def test_pages_fixed_number_of_queries(city, client, django_assert_max_num_queries, username, url, limit):
    _report_via_form(client, city["tianbao"], percent="30", status="正常推进")  # the tables have rows
    client.logout()
    if username:
        login(client, city[username])
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_charts_degrade_to_tables_without_echarts(city, client, monkeypatch):
    from duban.ui import context_processors

    login(client, city["duchashi"])
    monkeypatch.setattr(context_processors, "echarts_available", lambda: False)
    html = client.get("/dashboard/").content.decode()
    assert "vendor/echarts.min.js" not in html and 'id="campaigns"' in html and "<table" in html
    monkeypatch.setattr(context_processors, "echarts_available", lambda: True)
    html = client.get("/dashboard/").content.decode()
    assert '<script src="/static/vendor/echarts.min.js"></script>' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline code


def test_a_big_scope_groups_by_region_and_lists_the_targets_furthest_behind(city, client, monkeypatch):
    """A province has a thousand campaigns and thousands of targets: the dashboard then groups its
    progress table by region (its 市州) and lists the targets furthest behind (tests shrink the limits to the samples)."""
    from duban.ui import overview

    do_ingest_file(sample_path("003"))  # 新邵县, a county of 邵阳市
    full = login(client, city["duchashi"]).get("/api/dashboard/?programme=all").json()  # the county's year too
    monkeypatch.setattr(overview, "GROUP_LIMIT", 1)
    monkeypatch.setattr(overview, "TARGET_LIMIT", 5)
    from django.core.cache import cache

    cache.clear()
    data = client.get("/api/dashboard/?programme=all").json()
    assert full["group_by"] == "仗（行动）" and data["group_by"] == "地区"
    by_region = {c["name"]: c for c in data["campaigns"]}
    assert sum(c["tasks"] for c in by_region.values()) == data["tasks"] == full["tasks"]
    assert sum(c["status"]["逾期未报"] for c in by_region.values()) == full["status"]["逾期未报"]
    assert list(by_region) == ["邵阳市本级", "新邵县"] and all(c["id"] is None for c in by_region.values())
    assert data["targets_total"] == len(full["targets"]) > 5 and len(data["targets"]) == 5
    rank = {"red": 0, "yellow": 1, "green": 2}
    assert [rank[t["light"]] for t in data["targets"]] == sorted(rank[t["light"]] for t in full["targets"])[
        :5
    ]
    assert sum(data["target_lights"].values()) == data["targets_total"]
    html = client.get("/dashboard/?programme=all").content.decode()
    assert "各地区完成情况" in html and f"指标对照序时进度（{data['targets_total']} 项）" in html
    assert "差距最大的 5 项" in html


def test_pages_queue_refreshes_that_compute_their_figures(city, client, settings, monkeypatch, queued):
    """The dashboard and leader pages queue their refreshes for the task queue's worker (duban.audit.cache);
    run as the worker runs them, they give the figures the page shows."""
    from huey.contrib.djhuey import HUEY

    from duban.audit import cache as figures_cache
    from tests.conftest import run_queued

    settings.DUBAN_STALE_FIGURES_AFTER = 0  # every entry slow: served stale, refreshed on request
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    monkeypatch.setattr(figures_cache, "TTL", 0)
    login(client, city["duchashi"])
    first = client.get("/api/dashboard/").json()
    leader = client.get("/leader/").content
    assert client.get("/api/dashboard/").json() == first  # stale, and the refresh queued
    assert client.get("/leader/").status_code == 200
    assert HUEY.pending_count() == 3  # campaign options, dashboard figures, leader's red items
    _report_via_form(client, city["tianbao"])
    login(client, city["duchashi"])
    assert client.get("/api/dashboard/").json() == first  # still stale: the worker has not run
    assert run_queued() == 3
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 10**6)
    after = client.get("/api/dashboard/").json()
    assert after["status"] != first["status"]  # the report is in the refreshed figures
    assert client.get("/leader/").content != leader
