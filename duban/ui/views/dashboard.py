"""调度台: the 督查室 / 专班办公室 dashboard (and its JSON for charts and integration)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from duban.accounts import permissions
from duban.accounts.guards import allowed_to
from duban.accounts.roles import OVERSEE
from duban.audit.cache import DATA, cached
from duban.plans import clock
from duban.plans.models import Campaign
from duban.ui import overview, scope
from duban.ui.scope import scope_key
from duban.ui.views.common import as_of_param, as_of_pinned, viewer

OPTION = '<option value="{}"{}>{}</option>'


def campaign_options(user_id: int) -> list[dict]:
    """The campaigns to pick from, each with its <option> (escaped by format_html): for a province they
    are a thousand, found through every task, so they are cached like the figures, and building the
    options took longer than the rest of a cached dashboard."""
    tasks = permissions.visible_tasks(viewer(user_id))
    out = []
    for c in (
        Campaign.objects.filter(plans__tasks__in=tasks.filter(active=True))
        .select_related("region")
        .distinct()
        .order_by("region_id", "name")
    ):
        label = f"{c.name}（{c.region.name}）" if c.region_id else c.name
        out.append({"pk": c.pk, "label": label, "option": format_html(OPTION, c.pk, "", label)})
    return out


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


def figures_page(
    user_id: int, campaign_id: int | None, as_of: datetime | None = None, programme_id: int | None = None
) -> dict:
    """:func:`figures` and their HTML, cached as one value: rendered once per computation (a
    province's take ~15 ms to render, the same for every viewer), never patched afterwards."""
    data = figures(user_id, campaign_id, as_of, programme_id)
    context = {"d": data, "figures_at": datetime.fromisoformat(data["as_of"])}  # may be older than now
    return {"figures": data, "html": render_to_string("ui/_dashboard_figures.html", context)}


def _options(request) -> list[dict]:
    """The campaigns the user may pick, cached like the figures."""
    return cached(("campaign-options", *scope_key(request.user)), DATA, partial(campaign_options, request.user.pk))


def _options_html(campaigns: list[dict], picked: Campaign | None) -> str:
    """The cached <option>s in order, the picked one built anew as selected."""
    chosen = picked.pk if picked else None
    options = (format_html(OPTION, c["pk"], " selected", c["label"]) if c["pk"] == chosen else c["option"] for c in campaigns)
    return mark_safe("".join(options))  # noqa: S308 — each piece is built by format_html


def _picked(request, campaigns: list[dict]) -> Campaign | None:
    """The campaign of ?campaign= if it is one the user may pick."""
    picked = request.GET.get("campaign", "")
    if any(str(c["pk"]) == picked for c in campaigns):
        return Campaign.objects.get(pk=int(picked))
    return None


def _data(request, campaign, as_of, programme) -> dict:
    """The figures and their HTML, cached per scope until the next change (duban.audit.cache); a
    big scope's may be up to a few minutes old while recomputed (the page prints when they were computed).
    A campaign is of one programme: picked, it scopes the figures alone."""
    campaign_id = campaign.pk if campaign else None
    programme_id = programme.pk if programme and not campaign else None
    key = ("dashboard", *scope_key(request.user), campaign_id or "", programme_id or "")
    if as_of_pinned(request):
        key = (*key, as_of.isoformat())
        compute = partial(figures_page, request.user.pk, campaign_id, as_of, programme_id)
    else:
        compute = partial(figures_page, request.user.pk, campaign_id, programme_id=programme_id)
    return cached(key, DATA, compute)


@allowed_to(OVERSEE)
def dashboard(request):
    as_of, error = as_of_param(request)
    campaigns = _options(request)
    campaign = _picked(request, campaigns)
    programmes = scope.programmes_in_scope(request.user)
    programme = campaign.programme if campaign else scope.picked_programme(request, programmes)
    context = {
        "figures_html": _data(request, campaign, as_of, programme)["html"],
        "options_html": _options_html(campaigns, campaign),
        "campaign": campaign,
        "programme": programme,
        "programmes": programmes,
        "as_of": as_of,
        "as_of_error": error,
    }
    return render(request, "ui/dashboard.html", context)


@allowed_to(OVERSEE)
def dashboard_api(request):
    """``GET /api/dashboard/?programme=&campaign=&as_of=``: the dashboard's figures as JSON."""
    as_of, error = as_of_param(request)
    if error:
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    campaign = _picked(request, _options(request))
    programme = scope.picked_programme(request, scope.programmes_in_scope(request.user))
    return JsonResponse(_data(request, campaign, as_of, programme)["figures"], json_dumps_params={"ensure_ascii": False})
