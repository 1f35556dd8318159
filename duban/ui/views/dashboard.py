"""调度台: the 督查室 / 专班办公室 dashboard (and its JSON for charts and integration)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from duban.accounts import permissions
from duban.accounts.guards import role_required
from duban.accounts.roles import LEADER, OFFICE, TASKFORCE
from duban.plans.models import Campaign
from duban.ui import overview
from duban.ui.cache import cached
from duban.ui.views.common import as_of_param


def _scope(request):
    """(tasks the user may see, narrowed to ?campaign=, the campaign or None, campaigns to pick from)."""
    tasks = permissions.visible_tasks(request.user)
    campaigns = list(
        Campaign.objects.filter(plans__tasks__in=tasks.filter(active=True))
        .select_related("region")
        .distinct()
        .order_by("region_id", "name")
    )
    picked = request.GET.get("campaign", "")
    campaign = next((c for c in campaigns if str(c.pk) == picked), None)
    if campaign is not None:
        tasks = tasks.filter(plan__campaign=campaign)
    return tasks, campaign, campaigns


def _data(request, tasks, campaign, as_of) -> dict:
    """The figures, cached per scope and minute until the next change (duban.ui.cache)."""
    profile = permissions.profile_of(request.user)
    scope = (profile.region_id, profile.campaign_id) if profile else ("superuser",)
    moment = as_of.strftime("%Y-%m-%d %H:%M")
    key = ("dashboard", permissions.role_of(request.user), scope, campaign.pk if campaign else "", moment)
    return cached(key, lambda: overview.dashboard(tasks, as_of))


@role_required(OFFICE, TASKFORCE, LEADER)
def dashboard(request):
    as_of, error = as_of_param(request)
    tasks, campaign, campaigns = _scope(request)
    data = _data(request, tasks, campaign, as_of)
    return render(
        request,
        "ui/dashboard.html",
        {"d": data, "campaign": campaign, "campaigns": campaigns, "as_of": as_of, "as_of_error": error},
    )


@role_required(OFFICE, TASKFORCE, LEADER)
def dashboard_api(request):
    """``GET /api/dashboard/?campaign=&as_of=``: the dashboard's figures as JSON."""
    as_of, error = as_of_param(request)
    if error:
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    tasks, campaign, _ = _scope(request)
    return JsonResponse(_data(request, tasks, campaign, as_of), json_dumps_params={"ensure_ascii": False})
