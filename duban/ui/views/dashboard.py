"""调度台: the 督查室 / 专班办公室 dashboard (and its JSON for charts and integration)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from duban.accounts import permissions
from duban.accounts.guards import allowed_to
from duban.accounts.roles import OVERSEE
from duban.plans import clock
from duban.plans.models import Campaign
from duban.ui import overview, scope
from duban.ui.cache import cached, cached_rendered
from duban.ui.scope import scope_key
from duban.ui.views.common import as_of_param, as_of_pinned, viewer


def campaign_options(user_id: int) -> list[dict]:
    """The campaigns to pick from: for a province they are a thousand, found through every task, so
    they are cached like the figures."""
    tasks = permissions.visible_tasks(viewer(user_id))
    return [
        {"pk": c.pk, "label": f"{c.name}（{c.region.name}）" if c.region_id else c.name}
        for c in Campaign.objects.filter(plans__tasks__in=tasks.filter(active=True))
        .select_related("region")
        .distinct()
        .order_by("region_id", "name")
    ]


def figures(
    user_id: int, campaign_id: int | None, as_of: datetime | None = None, programme_id: int | None = None
) -> dict:
    """The dashboard figures of the tasks the user may see (of one programme, one campaign if given),
    at ``as_of`` or, when None, at the moment they are computed (a refresh may run later, in another
    process)."""
    tasks = permissions.visible_tasks(viewer(user_id))
    if campaign_id is not None:
        tasks = tasks.filter(plan__campaign_id=campaign_id)
    elif programme_id is not None:
        tasks = tasks.filter(plan__source_document__programme_id=programme_id)
    return overview.dashboard(tasks, as_of or clock.now())


def _options(request) -> tuple:
    """(cache key, compute) of the campaigns the user may pick, for ``cached`` / ``cached_rendered``."""
    return ("campaign-options", *scope_key(request.user)), partial(campaign_options, request.user.pk)


def _picked(request, campaigns: list[dict]) -> Campaign | None:
    """The campaign of ?campaign= if it is one the user may pick."""
    picked = request.GET.get("campaign", "")
    if any(str(c["pk"]) == picked for c in campaigns):
        return Campaign.objects.get(pk=int(picked))
    return None


def _render_options(campaigns: list[dict]) -> str:
    return render_to_string("ui/_campaign_options.html", {"campaigns": campaigns})


def _data(request, campaign, as_of, programme, render=None):
    """The figures, cached per scope until the next change (duban.ui.cache); a big scope's may be
    up to a few minutes old while recomputed (the page prints when they were computed). With
    ``render``: (figures, their HTML), the HTML rendered once per cached entry. A campaign is of
    one programme: picked, it scopes the figures alone."""
    campaign_id = campaign.pk if campaign else None
    programme_id = programme.pk if programme and not campaign else None
    key = ("dashboard", *scope_key(request.user), campaign_id or "", programme_id or "")
    if as_of_pinned(request):
        key = (*key, as_of.isoformat())
        compute = partial(figures, request.user.pk, campaign_id, as_of, programme_id)
    else:
        compute = partial(figures, request.user.pk, campaign_id, programme_id=programme_id)
    return cached(key, compute) if render is None else cached_rendered(key, compute, render)


def _render_figures(data: dict) -> str:
    context = {"d": data, "figures_at": datetime.fromisoformat(data["as_of"])}  # may be older than now
    return render_to_string("ui/_dashboard_figures.html", context)


@allowed_to(OVERSEE)
def dashboard(request):
    as_of, error = as_of_param(request)
    campaigns, options_html = cached_rendered(*_options(request), _render_options)
    campaign = _picked(request, campaigns)
    if campaign is not None:  # the options are rendered from escaped labels: the value attribute is ours
        selected = f'<option value="{campaign.pk}" selected>'
        options_html = mark_safe(options_html.replace(f'<option value="{campaign.pk}">', selected, 1))  # noqa: S308
    programmes = scope.programmes_in_scope(request.user)
    programme = campaign.programme if campaign else scope.picked_programme(request, programmes)
    _, figures_html = _data(request, campaign, as_of, programme, _render_figures)
    return render(
        request,
        "ui/dashboard.html",
        {
            "figures_html": figures_html,
            "campaign": campaign,
            "programme": programme,
            "programmes": programmes,
            "options_html": options_html,
            "as_of": as_of,
            "as_of_error": error,
        },
    )


@allowed_to(OVERSEE)
def dashboard_api(request):
    """``GET /api/dashboard/?programme=&campaign=&as_of=``: the dashboard's figures as JSON."""
    as_of, error = as_of_param(request)
    if error:
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    campaign = _picked(request, cached(*_options(request)))
    programme = scope.picked_programme(request, scope.programmes_in_scope(request.user))
    return JsonResponse(_data(request, campaign, as_of, programme), json_dumps_params={"ensure_ascii": False})
