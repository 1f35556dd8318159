"""The 上下级 (cascade) pages, over the logic of :mod:`duban.cascade`: the alignment page (a lower-level
plan against the upper-level plan) and the rollup page (a region's child regions side by side).

``/cascade/align/?child=新邵县&parent=邵阳市`` takes the same PLAN words as ``duban align``; without
them the page lists the linked plans. A fixed number of queries (see :mod:`duban.cascade.alignment`).
For 督查室, 专班办公室 and 领导 (the rule declared in tests/urltable.py), scoped like the plan pages:
the lower-level plans must be in the user's scope (:func:`duban.ui.scope.plans_in_scope`) or linked
below a plan in it; the upper-level ones in the scope, linked above those plans, or of a region above
the user's (a county compares its plan with the city plan it carries out, never with a sibling
county's, and never opens a sibling's plan); the list shows only the user's linked plans.
"""

from __future__ import annotations

from django.db.models import F
from django.shortcuts import get_object_or_404, render

from duban.accounts import permissions
from duban.accounts.guards import allowed_to, forbidden
from duban.accounts.roles import OVERSEE
from duban.cascade.alignment import VERDICTS, build_alignment
from duban.cascade.plantree import CascadeError
from duban.cascade.rollup import region_rollup
from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.models import Plan, Region
from duban.ui import scope
from duban.ui.views.common import as_of_param

SECTIONS = ("weaker", "missing", "other_measure", "totals", "equal", "stronger")


def _linked_plans(user):
    """The user's plans linked to a plan of another document (the cross-level links)."""
    return (
        scope.plans_in_scope(user)
        .filter(parent__isnull=False)
        .exclude(parent__source_document_id=F("source_document_id"))
        .select_related("region", "parent__region")
        .order_by("region_id", "pk")
    )


def _ancestor_ids(plans) -> set[int]:
    """Ids of the plans above ``plans`` along their parent links (one query per level)."""
    found: set[int] = set()
    todo = {p.parent_id for p in plans if p.parent_id}
    while todo - found:
        todo -= found
        found |= todo
        todo = set(Plan.objects.filter(pk__in=todo, parent__isnull=False).values_list("parent_id", flat=True))
    return found


def _regions_above(user) -> set[int]:
    """Ids of the regions above the user's own (their plans are what the user's region carries out)."""
    profile = permissions.profile_of(user)
    region = profile.region if profile is not None else None
    above: set[int] = set()
    while region is not None and region.parent_id is not None and region.parent_id not in above:
        above.add(region.parent_id)
        region = region.parent
    return above


def _out_of_scope(user, child_plans, parent_plans) -> bool:
    """Lower-level plans outside the user's scope (and not linked below a plan in it), or upper-level
    plans that are neither in the scope, nor linked above those plans, nor of a region above the user's."""
    mine = set(scope.plans_in_scope(user).values_list("pk", flat=True))
    children = list(child_plans)
    above = _ancestor_ids(children)
    for p in children:
        if p.pk not in mine and not (_ancestor_ids([p]) & mine):
            return True
    rest = [p for p in parent_plans if p.pk not in mine and p.pk not in above]
    return bool(rest) and any(p.region_id not in _regions_above(user) for p in rest)


@allowed_to(OVERSEE)
def align_page(request):
    child = request.GET.get("child", "").strip()
    parent = request.GET.get("parent", "").strip()
    context = {"child": child, "parent": parent, "linked": _linked_plans(request.user), "alignment": None}
    status = 200
    if child or parent:
        try:
            if not (child and parent):
                raise CascadeError("请同时填写下级方案和上级方案")
            child_plans, parent_plans = find_plans(child), find_plans(parent)
            if _out_of_scope(request.user, child_plans, parent_plans):
                return forbidden(request, "无权对照这些方案：只限本人管辖范围内的方案，及其所衔接的上级方案")
            alignment = build_alignment(child_plans, parent_plans)
        except (PlanLookupError, CascadeError) as e:
            context["error"], status = str(e), 400
        else:
            context["alignment"] = alignment
            context["sections"] = [
                {"verdict": v, "label": VERDICTS[v], "rows": alignment.rows(v)} for v in SECTIONS
            ]
            context["assigned_missing"] = [r for r in alignment.unmatched_tasks if r.assigned_below]
            context["other_missing"] = [r for r in alignment.unmatched_tasks if not r.assigned_below]
    return render(request, "ui/cascade/align.html", context, status=status)


@allowed_to(OVERSEE)
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
    return render(request, "ui/cascade/rollup.html", context)
