"""The plan browser: plans by region → campaign / plan → section → tasks, and the task page.

Every page is limited to what the user may see (:mod:`duban.ui.scope` over
:mod:`duban.accounts.permissions`): a reporter sees only the tasks its unit is named on. Each page
runs a fixed number of queries whatever the plan size.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from duban.accounts import permissions
from duban.accounts.guards import allowed_to, forbidden, task_permission
from duban.accounts.roles import OVERSEE, WORK
from duban.audit.cache import STRUCTURE_LARGE, cached
from duban.cascade.assign import ROLE_LABELS, do_assign_unit, do_unassign_unit
from duban.cascade.plantree import CascadeError
from duban.cascade.rollup import task_rollup
from duban.ingest.text import strip_markup
from duban.plans.models import Cadence, Campaign, Plan, Programme, Target, Task, TaskForce, TaskUnit, Unit
from duban.plans.programmes import programme_plans
from duban.supervision.models import Notice
from duban.tracking.compare import programme_sides
from duban.tracking.models import ProgressReport
from duban.tracking.status import task_state
from duban.tracking.timeline import timeline
from duban.ui import scope
from duban.ui.task_browser import TaskFilterForm, filter_tasks, leaders_of, tree, units_of
from duban.ui.views.common import as_of_param

CONTEXT_LINES = 3  # source lines shown before and after a task
NOT_IN_SCOPE = "此方案不在您的查看范围内"
SHOWN = 100  # tasks listed on one page; filters narrow a longer list


def _records(plan_ids):
    return {
        "targets": Target.objects.filter(plan_id__in=plan_ids),
        "teams": TaskForce.objects.filter(plan_id__in=plan_ids).prefetch_related("memberships"),
        "cadences": Cadence.objects.filter(plan_id__in=plan_ids, active=True).prefetch_related("items"),
    }


def _browse(request, plans: list[Plan], template: str, context: dict):
    """The filtered task tree of ``plans`` (limited to the user's tasks) rendered into ``template``."""
    ids = [p.pk for p in plans]
    tasks = permissions.visible_tasks(request.user, Task.objects.filter(plan_id__in=ids))
    form = TaskFilterForm(request.GET or None, units=units_of(tasks), leaders=leaders_of(tasks))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of, as_of_error = as_of_param(request)
    rows, states = filter_tasks(tasks, data, as_of)
    context.update(
        form=form,
        as_of_error=as_of_error,
        blocks=tree(plans, rows, states, SHOWN),
        shown=len(rows),
        cut=len(rows) > SHOWN,
        limit=SHOWN,
        task_url=reverse("plans:task", args=[0])[:-2],  # + pk + "/": one reverse() for all rows
        filtered=bool(data and any(data.values())),
        as_of=as_of,
        **_records(ids),
    )
    return render(request, template, context)


def _plan_groups(user) -> list[dict]:
    """Regions, each with its programmes (年度工作, newest first), each with its campaigns and plans."""
    plans = list(
        scope.plans_in_scope(user)
        .select_related("campaign", "region", "source_document__programme")
        .order_by("region_id", "-source_document__programme__start_year", "source_document_id", "order")
    )
    counts = dict(
        permissions.visible_tasks(user, Task.objects.filter(active=True))
        .values_list("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    groups = []
    for _, region_plans in groupby(plans, key=lambda p: p.region_id):
        region_plans = list(region_plans)
        years = []
        for _, year_plans in groupby(region_plans, key=lambda p: p.source_document.programme_id):
            year_plans = list(year_plans)
            for p in year_plans:
                p.task_count = counts.get(p.pk, 0)
            campaigns = {p.campaign.pk: p.campaign for p in year_plans if p.campaign}
            years.append(
                {
                    "programme": year_plans[0].source_document.programme,
                    "plans": year_plans,
                    "campaigns": list(campaigns.values()),
                }
            )
        groups.append({"region": region_plans[0].region, "programmes": years})
    return groups


@allowed_to(WORK)
def plan_list(request):
    """Plans of the user's scope by region, with the campaigns and the number of visible tasks.

    Plans and task counts follow the plan structure only (no report changes them), so the list is
    rendered once per structure version, scope and process: a province's (1,158 plans, 3,000 links)
    took ~120 ms to render, and under load the page queued for seconds."""
    html = cached(
        ("plan-list", *scope.scope_key(request.user)),
        STRUCTURE_LARGE,
        lambda: render_to_string("ui/plans/_plan_groups.html", {"groups": _plan_groups(request.user)}),
    )
    return render(request, "ui/plans/plan_list.html", {"groups_html": html})


@allowed_to(WORK)
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("region"), pk=pk)
    plans = list(
        scope.plans_in_scope(request.user).filter(campaign=campaign).order_by("source_document_id", "order")
    )
    if not plans:
        return forbidden(request, NOT_IN_SCOPE)
    return _browse(request, plans, "ui/plans/campaign_detail.html", {"campaign": campaign})


@allowed_to(WORK)
def plan_detail(request, pk: int):
    plan = get_object_or_404(
        Plan.objects.select_related("region", "campaign", "parent", "source_document__programme"), pk=pk
    )
    if not scope.plans_in_scope(request.user).filter(pk=plan.pk).exists():
        return forbidden(request, NOT_IN_SCOPE)
    programme = plan.source_document.programme
    if plan.kind == "总体方案" and programme and not plan.tasks.filter(active=True).exists():
        # the 总体方案 leads the whole programme: its tasks are those of the programme's battles
        plans = list(_visible_programme_plans(request.user, programme))
        context = {"plan": plan, "programme": programme, "programme_wide": True}
        return _browse(request, plans, "ui/plans/plan_detail.html", context)
    return _browse(request, [plan], "ui/plans/plan_detail.html", {"plan": plan, "programme": programme})


def _visible_programme_plans(user, programme: Programme):
    return scope.plans_in_scope(user).filter(pk__in=programme_plans(programme).values("pk")).select_related(
        "campaign"
    ).order_by("source_document_id", "order")


def _programme_in_scope(request, pk: int):
    """(programme, its plans the user may see), or (None, a 403 response)."""
    programme = get_object_or_404(Programme.objects.select_related("region"), pk=pk)
    plans = list(_visible_programme_plans(request.user, programme))
    if not plans:
        return None, forbidden(request, "此年度工作不在您的查看范围内")
    return programme, plans


def _other_programmes(user, programme: Programme) -> list[Programme]:
    """The region's other years the user may see, oldest first (to compare with)."""
    return [
        p for p in Programme.objects.filter(region=programme.region).exclude(pk=programme.pk).order_by("start_year")
        if _visible_programme_plans(user, p).exists()
    ]  # fmt: skip


@allowed_to(WORK)
def programme_detail(request, pk: int):
    """A programme (年度工作): its battles (仗/行动) with their documents, the other documents (通知,
    总体方案), the other years of its region to compare with, and its tasks."""
    programme, plans = _programme_in_scope(request, pk)
    if programme is None:
        return plans
    counts = dict(
        permissions.visible_tasks(request.user, Task.objects.filter(plan__in=plans, active=True))
        .values_list("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    battles: dict[int, dict] = {}
    loose = []
    for p in plans:
        p.task_count = counts.get(p.pk, 0)
        if p.campaign_id:
            battles.setdefault(p.campaign_id, {"campaign": p.campaign, "plans": []})["plans"].append(p)
        else:
            loose.append(p)
    others = _other_programmes(request.user, programme)
    context = {
        "programme": programme, "battles": list(battles.values()), "loose": loose, "others": others,
        "archived": programme.archived(),
    }  # fmt: skip
    return _browse(request, plans, "ui/plans/programme_detail.html", context)


@allowed_to(OVERSEE)
def programme_compare(request, pk: int):
    """Year over year (the page of `duban compare`): this programme beside another of its region
    (``?with=编号``; default the one before it, else the one after)."""
    programme, plans = _programme_in_scope(request, pk)
    if programme is None:
        return plans
    others = _other_programmes(request.user, programme)
    other = next((p for p in others if str(p.pk) == request.GET.get("with", "")), None)
    if other is None and others:
        before = [p for p in others if p.start_year < programme.start_year]
        other = before[-1] if before else others[0]
    pair = sorted([programme, other], key=lambda p: p.start_year) if other else [programme]
    sides = programme_sides(pair)

    def names(attr: str) -> list[str]:
        return list(dict.fromkeys(k for side in sides for k in getattr(side, attr)))

    context = {
        "programme": programme,
        "others": others,
        "other": other,
        "sides": sides,
        "campaign_rows": [(n, [s.campaigns.get(n) for s in sides]) for n in names("campaigns")],
        "target_rows": [(n, [s.targets.get(n) for s in sides]) for n in names("targets")],
        "unit_rows": [(u, [s.units.get(u) for s in sides]) for u in sorted(names("units"))],
    }
    return render(request, "ui/plans/programme_compare.html", context)


@allowed_to(WORK)
def task_search(request):
    """Every task the user may see, filtered and searched across plans."""
    plans = list(
        scope.plans_in_scope(request.user)
        .select_related("campaign")
        .order_by("region_id", "source_document_id", "order")
    )
    return _browse(request, plans, "ui/plans/task_search.html", {})


def source_excerpt(text: str, first: int, last: int, context: int = CONTEXT_LINES) -> list[dict]:
    """Lines ``first - context`` .. ``last + context`` of ``text`` (1-based), markup removed, task lines marked."""
    lines = text.split("\n")
    lo, hi = max(1, first - context), min(len(lines), last + context)
    return [
        {"no": no, "text": strip_markup(lines[no - 1]).strip(), "hit": first <= no <= last}
        for no in range(lo, hi + 1)
    ]


@task_permission(permissions.can_view_task)
def task_detail(request, task):
    """A task beside its source paragraph, with its state, timeline, reports and notices."""
    return _task_page(request, task)


def _task_page(request, task, *, assign_error: str = "", status: int = 200):
    task = (
        Task.objects.select_related("plan__campaign", "plan__region", "plan__parent", "source_document")
        .prefetch_related(Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit")))
        .get(pk=task.pk)
    )
    as_of, as_of_error = as_of_param(request)
    reports = (
        ProgressReport.objects.filter(task=task)
        .select_related("unit", "submitted_by", "returned")
        .prefetch_related("attachments")
        .order_by("-period_start", "unit__name", "-version")
    )
    notices = Notice.objects.filter(task=task).prefetch_related("units").order_by("-issued_at")
    events = list(reversed(timeline(task)))
    shown = permissions.shown_report_unit_ids(request.user, task)  # cascade: no sibling's reports
    if shown is not None:
        reports = reports.filter(unit_id__in=shown)
        events = [e for e in events if not isinstance(e.obj, ProgressReport) or e.obj.unit_id in shown]
    context = {
        "task": task,
        "excerpt": source_excerpt(task.source_document.text, task.line, task.end_line or task.line),
        "state": task_state(task, as_of),
        "timeline": events,
        "rollup": task_rollup(task, as_of=as_of) if shown is None else [],
        "reports": reports,
        "notices": notices,
        "can_report": permissions.can_report(request.user, task),
        "can_instruct": permissions.can_instruct(request.user, task),
        "can_supervise": permissions.can_supervise(request.user, task),
        "can_assign": permissions.can_assign_units(request.user, task),
        "manual_units": [a for a in task.assignments.all() if a.origin == TaskUnit.MANUAL],
        "assign_error": assign_error,
        "as_of": as_of,
        "as_of_error": as_of_error,
    }
    return render(request, "ui/plans/task_detail.html", context, status=status)


@require_POST
@task_permission(permissions.can_assign_units)
def task_units(request, task):
    """The office adds a responsible unit by hand (``unit`` name, ``role`` 责任/牵头) or removes one it
    added (``remove`` = unit id), through :mod:`duban.cascade.assign`; an error re-renders the task
    page with the Chinese message (400), nothing changed."""
    try:
        if "remove" in request.POST:
            unit = Unit.objects.filter(pk=_int(request.POST["remove"])).first()
            if unit is None:
                raise CascadeError("没有这个单位")
            row = do_unassign_unit(task, unit, actor=request.user)
            messages.success(request, f"已移除手工分配的责任单位“{row.unit.name}”")
        else:
            row = do_assign_unit(
                task, request.POST.get("unit", ""), request.POST.get("role", "责任"), actor=request.user
            )
            messages.success(request, f"已分配{ROLE_LABELS[row.role]}单位“{row.unit.name}”")
    except CascadeError as e:
        return _task_page(request, task, assign_error=str(e), status=400)
    return redirect("plans:task", task.pk)


def _int(value) -> int | None:
    return int(value) if str(value).isdigit() else None
