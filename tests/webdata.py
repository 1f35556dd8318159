"""The data every cross-cutting web test runs on: real samples, one account per role, real reports.

Built through the project's own actions (ingest, do_add_user, do_submit_report, do_issue_notice,
do_record_problems, do_add_instruction), so the pages see what a fresh ``duban demo`` plus a few
days of use would hold. Shared by tests/test_urls_roles.py, tests/test_query_counts.py,
tests/test_crash.py, tests/browser/ and bench/page_bench.py.

Named objects (``WebData.objects``) are what URL kwargs are filled from: ``task`` is a task of unit
A (reporter ``rep_a``), ``task_b`` one of unit B that unit A is not named on, ``plan_yj`` a plan of
沅江市 (outside 邵阳市, so the county office of 新邵县 must not see it), and so on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.utils import timezone

PASSWORD = "Duban-Test-2023!"  # test accounts only; meets AUTH_PASSWORD_VALIDATORS


@dataclass
class WebData:
    users: dict = field(default_factory=dict)  # name -> User ('office', 'rep_a', 'county', 'admin', …)
    objects: dict = field(default_factory=dict)  # name -> model instance (URL kwargs come from these)
    unit_a: object = None
    unit_b: object = None

    def pk(self, name: str) -> int:
        return self.objects[name].pk


def _samples_dir() -> str:
    from duban.ingest.bundled import SAMPLES_DIR

    return SAMPLES_DIR


def sample_file(prefix: str) -> str:
    for f in sorted(os.listdir(_samples_dir())):
        if f.startswith(prefix) and f.endswith(".txt"):
            return os.path.join(_samples_dir(), f)
    raise FileNotFoundError(prefix)


def ensure_regions() -> None:
    """A flushed test database (transactional tests) has lost the regions the migration loaded."""
    from duban.plans.hunan import HUNAN
    from duban.plans.models import Region
    from duban.plans.regions import load_region_list

    if not Region.objects.exists():
        load_region_list(HUNAN)


def reporting_period(task, at):
    """The period of the task's first reporting rhythm that contains ``at`` (a started period)."""
    from duban.plans.periods import period_containing
    from duban.tracking.schedule import schedule_for

    kinds = sorted(schedule_for(task).kinds)
    return period_containing(kinds[0], at)


def _pick_tasks(plan_ids):
    """(task of unit A, unit A, task of unit B, unit B): lead units, B not on A's task and vice versa,
    A's task having targets a report can give actuals for."""
    from duban.plans.models import Task, TaskUnit
    from duban.tracking.actions import task_targets

    tasks = list(
        Task.objects.filter(plan_id__in=plan_ids, active=True)
        .order_by("plan__source_document_id", "plan__order", "order")
        .prefetch_related("assignments")
    )
    for task_a in tasks:
        leads = [a.unit_id for a in task_a.assignments.all() if a.role == TaskUnit.LEAD]
        if not leads or not task_targets(task_a):
            continue
        unit_a = leads[0]
        a_units = {a.unit_id for a in task_a.assignments.all()}
        for task_b in tasks:
            b_units = {a.unit_id for a in task_b.assignments.all()}
            b_leads = [a.unit_id for a in task_b.assignments.all() if a.role == TaskUnit.LEAD]
            if task_b.plan_id == task_a.plan_id and b_leads and unit_a not in b_units:
                unit_b = b_leads[0]
                if unit_b not in a_units:
                    return task_a, unit_a, task_b, unit_b
    raise AssertionError("样本中找不到两个互不相干的牵头单位任务")


def _report(unit, task, user, text, percent, actual=None, problems=""):
    from duban.tracking.actions import do_submit_report, task_targets

    at = timezone.now()
    actuals = {}
    if actual is not None:
        target = sorted(task_targets(task).values(), key=lambda t: t.pk)[0]
        actuals = {target.pk: actual}
    return do_submit_report(
        unit,
        task,
        reporting_period(task, at),
        narrative=text,
        percent=percent,
        status="正常推进",
        problems=problems,
        actuals=actuals,
        user=user,
        at=at,
    )


def build(
    samples=("000", "001", "003"),
    main: str = "000",
    reports: bool = True,
    passwords: bool = False,
    office_region: str = "邵阳市",
) -> WebData:
    """Ingest ``samples``, create one account per role, and a little history on the ``main`` sample.

    Without ``passwords`` the accounts cannot log in by password (tests use ``force_login``): each
    Argon2 hash costs about a second, which only the browser and crash tests need to pay."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from duban.accounts.actions import Scope, do_add_user
    from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE
    from duban.plans.actions import do_ingest_file
    from duban.plans.models import Plan, Region, Unit
    from duban.plans.periods import local_date

    ensure_regions()
    year = local_date(timezone.now()).year  # the samples as this year's plans: reports are made now
    for s in samples:
        do_ingest_file(sample_file(s), year=year)
    data = WebData()
    # the office and the leader are the city's (邵阳市, above 新邵县), whichever sample is main, so a
    # small and a large database give them the same scope (tests/test_query_counts.py)
    region = Region.objects.get(name=office_region, level="市")
    plans = list(
        Plan.objects.filter(source_document__file_name__startswith=main, active=True, tasks__isnull=False)
        .distinct()
        .order_by("source_document_id", "order")
    )
    task_a, unit_a, task_b, unit_b = _pick_tasks([p.pk for p in plans])
    data.unit_a, data.unit_b = Unit.objects.get(pk=unit_a), Unit.objects.get(pk=unit_b)
    plan = task_a.plan
    campaign = plan.campaign or next(p.campaign for p in plans if p.campaign)

    def add(name, role, scope=Scope(), **kw):
        data.users[name] = do_add_user(name, role, scope, password=PASSWORD if passwords else None, **kw)

    add("office", OFFICE, Scope(region=region))
    add("taskforce", TASKFORCE, Scope(campaign=campaign))
    add("rep_a", REPORTER, Scope(unit=data.unit_a))
    add("rep_b", REPORTER, Scope(unit=data.unit_b))
    add("leader", LEADER, Scope(region=region), full_name="李领导")
    add("public", PUBLIC)
    add("spare", REPORTER, Scope(unit=data.unit_b))  # the account the admin pages enable/disable
    User = get_user_model()
    data.users["admin"] = User.objects.create_superuser(
        "admin", "admin@example.cn", PASSWORD if passwords else None
    )
    data.objects.update(
        task=task_a, task_b=task_b, plan=plan, campaign=campaign, region=region,
        programme=plan.source_document.programme,
        unit=data.unit_a, unit_b=data.unit_b, spare_user=data.users["spare"],
    )  # fmt: skip
    for prefix, key in (("001", "yj"), ("003", "xs")):
        if prefix in samples and prefix != main:
            other = (
                Plan.objects.filter(source_document__file_name__startswith=prefix, tasks__isnull=False)
                .order_by("source_document_id", "order")
                .first()
            )
            data.objects[f"plan_{key}"] = other
            data.objects[f"task_{key}"] = other.tasks.filter(active=True).order_by("order").first()
            data.objects[f"campaign_{key}"] = other.campaign
    if "plan_xs" in data.objects:
        add("county", OFFICE, Scope(region=data.objects["plan_xs"].region))
    if reports:
        _history(data)
    return data


def _history(data: WebData) -> None:
    """Two reports of unit A (second version with a target actual and a problem), one of unit B,
    a 督办单 on each task, a 批示 on A's task."""
    from duban.jobs.queue import enqueue
    from duban.supervision.actions import do_add_instruction, do_issue_notice, do_record_problems
    from duban.ui.tasks import BRIEF

    office, task_a, task_b = data.users["office"], data.objects["task"], data.objects["task_b"]
    _report(data.unit_a, task_a, data.users["rep_a"], "已完成方案编制", 20)
    report_a = _report(
        data.unit_a,
        task_a,
        data.users["rep_a"],
        "项目开工建设",
        35,
        actual=12.5,
        problems="用地指标不足，需协调",
    )
    report_b = _report(data.unit_b, task_b, data.users["rep_b"], "按计划推进", 30, problems="资金未到位")
    problem = do_record_problems(report_a)
    problem_b = do_record_problems(report_b)
    notice_a = do_issue_notice(task_a, color="yellow", reason="进度滞后于序时进度", user=office)
    notice_b = do_issue_notice(task_b, color="blue", reason="即将到期", user=office)
    instruction = do_add_instruction(data.users["leader"], task_a, "请加快推进，月底前报结果。")
    brief = enqueue(  # the office's 旬简报, made by a background job (run at once in tests)
        BRIEF, owner=office, kind="旬简报", period="2023-03上旬", plan_ids=[task_a.plan_id], number=1
    )
    data.objects.update(
        report=report_a, report_b=report_b, notice=notice_a, notice_b=notice_b,
        problem=problem, problem_b=problem_b, instruction=instruction, job=brief,
    )  # fmt: skip
    _assignments(data)


def _assignments(data: WebData) -> None:
    """A 督办事项 交办ed by the 专班 to unit A and one to unit B (duban/supervision/assignments.py)."""
    from datetime import date

    from django.utils import timezone

    from duban.supervision.assignments import do_create_assignment

    campaign = data.objects["campaign"]
    due = date(timezone.localdate().year + 1, 6, 30)
    made = {}
    for key, unit in (("assignment", data.unit_a), ("assignment_b", data.unit_b)):
        made[key] = do_create_assignment(
            unit.region, title=f"落实调度会议定事项（{unit.name}）", source="会议", lead=unit, due=due,
            source_ref="第一次调度会", campaign=campaign if campaign.region_id == unit.region_id else None,
        )  # fmt: skip
    data.objects.update(made)
