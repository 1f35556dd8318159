"""调度台: the 督查室 / 专班办公室 dashboard (and its JSON for charts and integration)."""

from __future__ import annotations

from datetime import datetime

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from duban.accounts import permissions
from duban.accounts.guards import role_required
from duban.accounts.roles import LEADER, OFFICE, TASKFORCE
from duban.plans.models import Campaign
from duban.ui import overview
from duban.ui.cache import cached
from duban.ui.views.common import as_of_param, as_of_pinned


def _scope_key(request) -> tuple:
    """What the user's visible tasks depend on: role and scope (cache keys)."""
    profile = permissions.profile_of(request.user)
    scope = (profile.region_id, profile.campaign_id) if profile else ("superuser",)
    return (permissions.role_of(request.user), scope)


def _scope(request):
    """(tasks the user may see, narrowed to ?campaign=, the campaign or None, campaigns to pick from).

    The campaigns to pick from are cached like the figures: for a province they are a thousand,
    found through every task."""
    tasks = permissions.visible_tasks(request.user)

    def options():
        return [
            {"pk": c.pk, "label": f"{c.name}（{c.region.name}）" if c.region_id else c.name}
            for c in Campaign.objects.filter(plans__tasks__in=tasks.filter(active=True))
            .select_related("region")
            .distinct()
            .order_by("region_id", "name")
        ]

    campaigns = cached(("campaign-options", *_scope_key(request)), options)
    picked = request.GET.get("campaign", "")
    campaign = None
    if any(str(c["pk"]) == picked for c in campaigns):
        campaign = Campaign.objects.get(pk=int(picked))
        tasks = tasks.filter(plan__campaign=campaign)
    return tasks, campaign, campaigns


def _data(request, tasks, campaign, as_of) -> dict:
    """The figures, cached per scope until the next change (duban.ui.cache); a big scope's may be
    up to a few minutes old while recomputed (the page prints when they were computed)."""
    key = ("dashboard", *_scope_key(request), campaign.pk if campaign else "")
    if as_of_pinned(request):
        return cached((*key, as_of.isoformat()), lambda: overview.dashboard(tasks, as_of))
    return cached(key, lambda: overview.dashboard(tasks, timezone.now()))


@role_required(OFFICE, TASKFORCE, LEADER)
def dashboard(request):
    as_of, error = as_of_param(request)
    tasks, campaign, campaigns = _scope(request)
    data = _data(request, tasks, campaign, as_of)
    return render(
        request,
        "ui/dashboard.html",
        {
            "d": data,
            "figures_at": datetime.fromisoformat(data["as_of"]),  # a big scope's may be a little older than now
            "campaign": campaign,
            "campaigns": campaigns,
            "as_of": as_of,
            "as_of_error": error,
        },
    )


@role_required(OFFICE, TASKFORCE, LEADER)
def dashboard_api(request):
    """``GET /api/dashboard/?campaign=&as_of=``: the dashboard's figures as JSON."""
    as_of, error = as_of_param(request)
    if error:
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    tasks, campaign, _ = _scope(request)
    return JsonResponse(_data(request, tasks, campaign, as_of), json_dumps_params={"ensure_ascii": False})
