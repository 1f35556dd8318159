"""The alignment page: a lower-level plan against the upper-level plan, server-rendered.

``/cascade/align/?child=新邵县&parent=邵阳市`` takes the same PLAN words as ``duban align``; without
them the page lists the linked plans. A fixed number of queries (see :mod:`duban.cascade.alignment`).
For 督查室, 专班办公室 and 领导 (the rule declared in tests/urltable.py); per-region scoping is not
applied yet (issue 6 item 6).
"""

from __future__ import annotations

from django.db.models import F
from django.shortcuts import get_object_or_404, render

from duban.accounts import permissions
from duban.accounts.guards import forbidden, role_required
from duban.accounts.roles import LEADER, OFFICE, TASKFORCE
from duban.cascade.alignment import VERDICTS, build_alignment
from duban.cascade.plantree import CascadeError
from duban.cascade.rollup import region_rollup
from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.models import Plan, Region
from duban.ui.views.common import as_of_param

SECTIONS = ("weaker", "missing", "other_measure", "totals", "equal", "stronger")


def _linked_plans():
    """Plans linked to a plan of another document (the cross-level links)."""
    return (
        Plan.objects.filter(parent__isnull=False, active=True)
        .exclude(parent__source_document_id=F("source_document_id"))
        .select_related("region", "parent__region")
        .order_by("region_id", "pk")
    )


@role_required(OFFICE, TASKFORCE, LEADER)
def align_page(request):
    child = request.GET.get("child", "").strip()
    parent = request.GET.get("parent", "").strip()
    context = {"child": child, "parent": parent, "linked": _linked_plans(), "alignment": None}
    status = 200
    if child or parent:
        try:
            if not (child and parent):
                raise CascadeError("请同时填写下级方案和上级方案")
            alignment = build_alignment(find_plans(child), find_plans(parent))
        except (PlanLookupError, CascadeError) as e:
            context["error"], status = str(e), 400
        else:
            context["alignment"] = alignment
            context["sections"] = [
                {"verdict": v, "label": VERDICTS[v], "rows": alignment.rows(v)} for v in SECTIONS
            ]
            context["assigned_missing"] = [r for r in alignment.unmatched_tasks if r.assigned_below]
            context["other_missing"] = [r for r in alignment.unmatched_tasks if not r.assigned_below]
    return render(request, "cascade/align.html", context, status=status)


@role_required(OFFICE, LEADER)
def rollup_page(request, pk: int):
    """A region's child regions side by side (``duban rollup``): shared targets, reporting discipline,
    ranking. Only for the 督查室 and 领导 of the region or a region above (never a sibling's)."""
    region = get_object_or_404(Region, pk=pk)
    if not permissions.can_view_region(request.user, region):
        return forbidden(request, f"无权查看“{region.name}”的下级汇总：只限本地区及上级地区的督查室、领导")
    as_of, as_of_error = as_of_param(request)
    rollup = region_rollup(region, as_of)
    parents = set(Region.objects.filter(parent__parent=region).values_list("parent_id", flat=True))
    rows = [
        {
            "child": c,
            "targets": [c.targets.get(key) for key, _, _ in rollup.indicators],
            "has_children": c.region.pk in parents,
        }
        for c in rollup.children
    ]
    context = {"rollup": rollup, "rows": rows, "as_of": as_of, "as_of_error": as_of_error}
    return render(request, "cascade/rollup.html", context)
