"""Read-only pages: plans by region -> campaign / plan -> tasks by section -> a task beside its source.

Each page runs a fixed number of queries (select_related / prefetch_related); the full text of a
source document is loaded only on the task page, which shows the task's lines in context.
"""

from __future__ import annotations

from itertools import groupby

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from duban.ingest.text import strip_markup
from duban.plans.models import Cadence, Campaign, Plan, Region, Target, Task, TaskForce, TaskUnit

CONTEXT_LINES = 3  # source lines shown before and after a task


def _tasks(**filters):
    """Active tasks with their units in two queries."""
    return (
        Task.objects.filter(active=True, **filters)
        .order_by("plan__source_document_id", "plan__order", "order")
        .prefetch_related(Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit")))
    )


def _sections(tasks) -> list[dict]:
    """Tasks grouped by their section path, in document order."""
    return [
        {"section": list(key), "tasks": list(group)}
        for key, group in groupby(tasks, key=lambda t: tuple(t.section))
    ]


def _plan_blocks(plans, tasks) -> list[dict]:
    by_plan: dict[int, list[Task]] = {}
    for t in tasks:
        by_plan.setdefault(t.plan_id, []).append(t)
    return [{"plan": p, "sections": _sections(by_plan.get(p.pk, []))} for p in plans]


def _records(plan_ids):
    return {
        "targets": Target.objects.filter(plan_id__in=plan_ids),
        "teams": TaskForce.objects.filter(plan_id__in=plan_ids).prefetch_related("memberships"),
        "cadences": Cadence.objects.filter(plan_id__in=plan_ids).prefetch_related("items"),
    }


def plan_list(request):
    plans = (
        Plan.objects.filter(active=True)
        .select_related("campaign")
        .annotate(task_count=Count("tasks", filter=Q(tasks__active=True)))
        .order_by("region_id", "source_document_id", "order")
    )
    regions = {r.pk: r for r in Region.objects.filter(plans__active=True).distinct()}
    groups = []
    for region_id, region_plans in groupby(plans, key=lambda p: p.region_id):
        region_plans = list(region_plans)
        campaigns = {p.campaign.pk: p.campaign for p in region_plans if p.campaign}
        groups.append(
            {"region": regions.get(region_id), "plans": region_plans, "campaigns": campaigns.values()}
        )
    return render(request, "plans/plan_list.html", {"groups": groups})


def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("region"), pk=pk)
    plans = list(campaign.plans.filter(active=True).order_by("source_document_id", "order"))
    ids = [p.pk for p in plans]
    context = {"campaign": campaign, "blocks": _plan_blocks(plans, _tasks(plan_id__in=ids)), **_records(ids)}
    return render(request, "plans/campaign_detail.html", context)


def plan_detail(request, pk: int):
    plan = get_object_or_404(Plan.objects.select_related("region", "campaign", "parent"), pk=pk)
    context = {"plan": plan, "blocks": _plan_blocks([plan], _tasks(plan=plan)), **_records([plan.pk])}
    return render(request, "plans/plan_detail.html", context)


def source_excerpt(text: str, first: int, last: int, context: int = CONTEXT_LINES) -> list[dict]:
    """Lines ``first - context`` .. ``last + context`` of ``text`` (1-based), markup removed, task lines marked."""
    lines = text.split("\n")
    lo, hi = max(1, first - context), min(len(lines), last + context)
    return [
        {"no": no, "text": strip_markup(lines[no - 1]).strip(), "hit": first <= no <= last}
        for no in range(lo, hi + 1)
    ]


def task_detail(request, pk: int):
    task = get_object_or_404(
        Task.objects.select_related("plan__campaign", "plan__region", "source_document").prefetch_related(
            Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit"))
        ),
        pk=pk,
    )
    excerpt = source_excerpt(task.source_document.text, task.line, task.end_line or task.line)
    return render(request, "plans/task_detail.html", {"task": task, "excerpt": excerpt})
