"""What a signed-in user's workbench pages cover: plans, units, notices, the moment of "now".

Every list page of the workbench narrows its rows here, on top of
:mod:`duban.accounts.permissions` (which decides single tasks), so a page can never show a row
its detail page would refuse. Each function is one or two queries.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from duban.accounts import permissions
from duban.accounts.roles import CAMPAIGN, REGION, UNIT
from duban.plans import clock
from duban.plans.models import Plan, Programme, Task, Unit


def scope_key(user) -> tuple:
    """What the plans and tasks ``user`` may see depend on — role and scope (region, campaign, unit) —
    for keys of what is cached per scope rather than per user (page figures, the plan list)."""
    if permissions.is_superuser(user):
        return ("superuser",)
    profile = permissions.profile_of(user)
    role = permissions.role_of(user)
    return (role, profile.region_id, profile.campaign_id, profile.unit_id) if profile else (role,)


def visible_plan_ids(user) -> set[int]:
    """Active plans holding at least one task ``user`` may see (the plan tree shown to them)."""
    tasks = permissions.visible_tasks(user, Task.objects.filter(active=True))
    return set(tasks.values_list("plan_id", flat=True).distinct())


def plans_in_scope(user) -> QuerySet[Plan]:
    """Active plans of the user's scope: the region (office, leader), the campaign (专班), or the
    plans holding the reporter's tasks. Plans without tasks (通知, 总体方案) count for the first two."""
    plans = Plan.objects.filter(active=True)
    if permissions.is_superuser(user):
        return plans
    scope = permissions.scope_of(user)
    if scope == REGION:
        ids = region_ids(user)
        return plans if ids is None else plans.filter(region_id__in=ids)
    if scope == CAMPAIGN:
        return plans.filter(campaign_id=permissions.profile_of(user).campaign_id)
    if scope == UNIT:
        return plans.filter(pk__in=visible_plan_ids(user))
    return plans.none()


def programmes_in_scope(user) -> list[Programme]:
    """The programmes (年度工作) of the plans the user may see, by region and year."""
    ids = plans_in_scope(user).values("source_document__programme")
    return list(
        Programme.objects.filter(pk__in=ids).select_related("region").order_by("region_id", "start_year", "end_year")
    )


def home_region_id(user) -> int | None:
    """The region a user works for: the office's or leader's, the 专班's campaign's, the reporter's unit's."""
    profile = permissions.profile_of(user)
    if profile is None or permissions.is_superuser(user):
        return None
    if profile.region_id:
        return profile.region_id
    if profile.campaign_id:
        return profile.campaign.region_id
    return profile.unit.region_id if profile.unit_id else None


def current_programme(user, programmes: list[Programme]) -> Programme | None:
    """The programme a page shows by default: of the user's own region, the one whose period holds
    today (:func:`duban.plans.clock.today`), else its newest; None (every programme) for a user whose
    region has none (a province, a superuser)."""
    home = home_region_id(user)
    own = [p for p in programmes if p.region_id == home]
    today = clock.today()
    current = [p for p in own if p.period_start <= today <= p.period_end]
    return (current or own or [None])[-1]


ALL_PROGRAMMES = "all"


def picked_programme(request, programmes: list[Programme]) -> Programme | None:
    """``?programme=编号`` if the user may see it, ``?programme=all`` for every programme (None),
    else the user's current one."""
    picked = request.GET.get("programme", "")
    if picked == ALL_PROGRAMMES:
        return None
    chosen = next((p for p in programmes if str(p.pk) == picked), None)
    return chosen or current_programme(request.user, programmes)


def region_ids(user) -> set[int] | None:
    """Regions the user's role covers (None: all); cached on the user like the permission helpers."""
    if not hasattr(user, "_duban_ui_regions"):
        profile = permissions.profile_of(user)
        limited = profile is not None and not permissions.is_superuser(user)
        user._duban_ui_regions = permissions.region_ids(profile.region) if limited else None
    return user._duban_ui_regions


def units_in_scope(user) -> QuerySet[Unit]:
    """Units the user may pick in forms: the region's (office), its own (reporter)."""
    units = Unit.objects.select_related("region").filter(is_group=False)
    if permissions.scope_of(user) == UNIT:
        return units.filter(pk=permissions.profile_of(user).unit_id)
    ids = region_ids(user)
    return units if ids is None else units.filter(region_id__in=ids)


def notice_filter(user) -> Q | None:
    """A filter on Notice for what ``user`` may see, or None for nothing.

    Office and leader: notices of their region; 专班: of their campaign; reporter: addressed to
    their unit.
    """
    if permissions.is_superuser(user):
        return Q()
    scope = permissions.scope_of(user)
    if scope == REGION:
        ids = region_ids(user)
        return Q() if ids is None else Q(region_id__in=ids)
    if scope == CAMPAIGN:
        return Q(plan__campaign_id=permissions.profile_of(user).campaign_id)
    if scope == UNIT:
        return Q(units=permissions.profile_of(user).unit_id)
    return None
