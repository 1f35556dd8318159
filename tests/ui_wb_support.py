"""Shared set-up of the workbench page tests: a real sample ingested and one account per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE
from duban.plans.models import Region, Task, Unit
from duban.tracking.actions import do_submit_report
from tests.tracking_helpers import at, ingest_yuanjiang, lead_and_co, plan_titled, task_with_co_units

PASSWORD = "Duban-督办-2025!"


@dataclass
class World:
    region: Region
    task: Task  # a task of 沅江市's 重点工作任务清单 with a lead and a co-unit (reports 每季度末月中旬)
    lead: Unit
    co: Unit
    users: dict


def yuanjiang() -> World:
    """The 沅江市 sample (001) with an account per role; the reporter is ``task``'s lead unit."""
    plans = ingest_yuanjiang()
    region = plans[0].region
    task = task_with_co_units(plan_titled("重点工作任务清单"))
    lead, co = lead_and_co(task)
    users = {
        OFFICE: do_add_user("duchashi", OFFICE, Scope(region=region), password=PASSWORD),
        TASKFORCE: do_add_user("zhuanban", TASKFORCE, Scope(campaign=task.plan.campaign), password=PASSWORD),
        REPORTER: do_add_user("tianbao", REPORTER, Scope(unit=lead), password=PASSWORD),
        LEADER: do_add_user("lingdao", LEADER, Scope(region=region), password=PASSWORD),
        PUBLIC: do_add_user("gongzhong", PUBLIC, password=PASSWORD),
    }
    return World(region, task, lead, co, users)


def report(w: World, unit=None, when=None, **kw):
    fields = {"narrative": "完成重组方案初稿", "percent": 30, "status": "正常推进", **kw}
    return do_submit_report(unit or w.lead, w.task, "2023Q1", at=when or at(2023, 3, 14), **fields)


def as_user(client, user):
    client.logout()
    client.force_login(user)
    return client


def page_tasks(response) -> list[Task]:
    """The tasks a plan-browser page listed (from its template context)."""
    return [t for b in response.context["blocks"] for s in b["sections"] for t in s["tasks"]]


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)
