"""Who may see, report on and write 批示 on which task: one place, used by every view and API.

The rules read each role's entry of :data:`duban.accounts.roles.ROLES` — its scope (which tasks it
sees) and its actions (what it may do on them) — never a role's name. With today's roles (a deactivated
account may do nothing; a superuser may do everything):

* 督查室 (office): every task of its region and the regions below it (all tasks without a region);
  may report on behalf of any unit of those tasks, supervise and manage accounts.
* 专班办公室 (taskforce): the tasks of its campaign; may supervise them (督办), not report.
* 单位填报员 (reporter): the tasks its unit is named on (牵头 or 责任/配合), or stands in as a member
  of a group unit the task names (新邵县's 县人民政府 under the city's 各县市区人民政府); reports only those.
* 领导 (leader): reads every task of its region (all without a region); writes 批示 (so may the
  督查室 of the region, which records a leader's 批示 given on paper).
* 公众 (public) and users without a role: no task pages, only the public progress page.

Across levels (cascade): "its region" is the region and the regions below it, so the city reads
its counties' plans and a county never a sibling's. A county's 督查室 and 领导 also read the tasks
of upper-level plans assigned to the county (a unit of the county named, or the county's government
standing in a group unit); the 督查室 may report on them on behalf of its own region's units only.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from duban.accounts.models import UserProfile
from duban.accounts.roles import (
    ADMINISTER,
    CAMPAIGN,
    INSTRUCT,
    OFFICE,
    REGION,
    REPORT,
    ROLES,
    SUPERVISE,
    UNIT,
    Role,
)
from duban.plans.members import assigned_task_ids, member_tasks, members_of_task
from duban.plans.models import Region, Task, TaskUnit, Unit

_PROFILE_CACHE = "_duban_profile"
_REGIONS_CACHE = "_duban_region_ids"
_MEMBER_CACHE = "_duban_member_tasks"
_ASSIGNED_CACHE = "_duban_assigned_tasks"
PROFILE_RELATED = ("unit__region", "region", "campaign")  # what the rules read of a profile


def _joined_profile():
    """The user → profile relation, whose value accounts.backends.ProfileBackend reads with the user."""
    return get_user_model().profile.related


def profile_of(user):
    """The user's UserProfile, or None (anonymous, inactive, no profile); cached on the user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, _PROFILE_CACHE):
        if _joined_profile().is_cached(user):
            profile = _joined_profile().get_cached_value(user)
        else:
            profile = UserProfile.objects.select_related(*PROFILE_RELATED).filter(user_id=user.pk).first()
        setattr(user, _PROFILE_CACHE, profile)
    return getattr(user, _PROFILE_CACHE)


def forget(user) -> None:
    """Drop what is cached on ``user`` (after its profile changed)."""
    for attr in (_PROFILE_CACHE, _REGIONS_CACHE, _MEMBER_CACHE, _ASSIGNED_CACHE):
        if hasattr(user, attr):
            delattr(user, attr)
    if user is not None and getattr(user, "is_authenticated", False) and _joined_profile().is_cached(user):
        _joined_profile().delete_cached_value(user)


def is_superuser(user) -> bool:
    active = user is not None and getattr(user, "is_authenticated", False) and user.is_active
    return bool(active and user.is_superuser)


def role_of(user) -> str | None:
    """The role key of an active user ('office' for a superuser without a profile), or None."""
    profile = profile_of(user)
    if profile is not None:
        return profile.role
    return OFFICE if is_superuser(user) else None


def role_entry(user) -> Role | None:
    """The user's entry of :data:`~duban.accounts.roles.ROLES`, or None."""
    return ROLES.get(role_of(user) or "")


def scope_of(user) -> str | None:
    """REGION, CAMPAIGN or UNIT: which tasks the user's role sees (None: none)."""
    entry = role_entry(user)
    return entry.scope if entry else None


def may(user, action: str) -> bool:
    """May ``user``'s role do ``action`` (an action of duban.accounts.roles)? Superusers always."""
    entry = role_entry(user)
    return is_superuser(user) or (entry is not None and action in entry.may)


def region_ids(region: Region | None) -> set[int] | None:
    """Ids of ``region`` and every region below it; None (no limit) for no region.

    One query whatever the depth of the tree (省 > 市 > 县 > 乡镇): the parent links are read at
    once and walked here.
    """
    if region is None:
        return None
    children: dict[int, list[int]] = {}
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    ids, todo = {region.pk}, [region.pk]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in ids:
                ids.add(child)
                todo.append(child)
    return ids


def _scope_regions(user) -> set[int] | None:
    if not hasattr(user, _REGIONS_CACHE):
        profile = profile_of(user)
        setattr(user, _REGIONS_CACHE, region_ids(profile.region if profile else None))
    return getattr(user, _REGIONS_CACHE)


def _task_region_id(task: Task) -> int | None:
    plan = task.plan  # one query unless select_related("plan")
    return plan.region_id


def _task_campaign_id(task: Task) -> int | None:
    return task.plan.campaign_id


def _task_unit_ids(task: Task) -> set[int]:
    return {a.unit_id for a in task.assignments.all()}  # uses prefetch_related("assignments")


def _in_region(user, task: Task) -> bool:
    ids = _scope_regions(user)
    return ids is None or _task_region_id(task) in ids


def _member_tasks(user) -> dict[int, str]:
    """{task id: role} of the tasks the reporter's unit has as a member of a group unit (cached)."""
    if not hasattr(user, _MEMBER_CACHE):
        profile = profile_of(user)
        unit = profile.unit if profile is not None and profile.unit_id else None
        setattr(user, _MEMBER_CACHE, member_tasks(unit) if unit is not None else {})
    return getattr(user, _MEMBER_CACHE)


def member_roles(user) -> dict[int, str]:
    """{task id: role} of the tasks a reporter has only as a member of a group unit (cached)."""
    return _member_tasks(user) if scope_of(user) == UNIT else {}


def _assigned_tasks(user) -> set[int]:
    """Upper-level tasks assigned to the user's region (see the module docstring; cached)."""
    if not hasattr(user, _ASSIGNED_CACHE):
        profile, ids = profile_of(user), _scope_regions(user)
        found = set() if ids is None or profile is None else assigned_task_ids(profile.region, ids)
        setattr(user, _ASSIGNED_CACHE, found)
    return getattr(user, _ASSIGNED_CACHE)


def _reads(user, task: Task) -> bool:
    """A region's role: a task of its region, or one assigned to it from above."""
    return _in_region(user, task) or task.pk in _assigned_tasks(user)


def _in_scope(user, task: Task) -> bool:
    """``task`` is of the user's own scope: its region, its campaign, its unit (not assigned from above)."""
    scope = scope_of(user)
    if scope == REGION:
        return _in_region(user, task)
    if scope == CAMPAIGN:
        return _task_campaign_id(task) == profile_of(user).campaign_id
    if scope == UNIT:
        return profile_of(user).unit_id in _task_unit_ids(task) or task.pk in _member_tasks(user)
    return False


def can_view_task(user, task: Task) -> bool:
    """May ``user`` open the page of ``task``? (The same answer as :func:`visible_tasks`.)"""
    if is_superuser(user):
        return True
    return _reads(user, task) if scope_of(user) == REGION else _in_scope(user, task)


def visible_tasks(user, tasks: QuerySet | None = None) -> QuerySet:
    """``tasks`` (default: all tasks) narrowed to those ``user`` may see."""
    tasks = Task.objects.all() if tasks is None else tasks
    if is_superuser(user):
        return tasks
    scope = scope_of(user)
    if scope == REGION:
        ids = _scope_regions(user)
        if ids is None:
            return tasks
        return tasks.filter(Q(plan__region_id__in=ids) | Q(pk__in=_assigned_tasks(user)))
    if scope == CAMPAIGN:
        return tasks.filter(plan__campaign_id=profile_of(user).campaign_id)
    if scope == UNIT:
        mine = TaskUnit.objects.filter(unit_id=profile_of(user).unit_id).values("task_id")
        return tasks.filter(Q(pk__in=mine) | Q(pk__in=_member_tasks(user)))
    return tasks.none()


def reporting_unit_ids(user, task: Task) -> set[int]:
    """The units of ``task`` that ``user`` may report for (empty: may not report on it)."""
    if not task.active:
        return set()
    units = _task_unit_ids(task)
    if is_superuser(user):
        return units | _member_unit_ids(task)
    if not may(user, REPORT):
        return set()
    scope = scope_of(user)
    if scope == REGION and _reads(user, task):  # on behalf of the units of its region
        ids = _scope_regions(user)
        if ids is None:
            return units | _member_unit_ids(task)
        mine = _member_unit_ids(task, ids)
        return units | mine if _in_region(user, task) else mine | _region_units(units, ids)
    if scope == UNIT:
        mine = profile_of(user).unit_id
        return {mine} if mine in units or task.pk in _member_tasks(user) else set()
    return set()


def _member_unit_ids(task: Task, region_ids: set[int] | None = None) -> set[int]:
    """Units standing in the task's group units (optionally: only those of ``region_ids``)."""
    return {
        m.unit_id
        for m in members_of_task(task)
        if m.unit_id is not None and (region_ids is None or m.region_id in region_ids)
    }


def _region_units(unit_ids: set[int], region_ids: set[int]) -> set[int]:
    return set(Unit.objects.filter(pk__in=unit_ids, region_id__in=region_ids).values_list("pk", flat=True))


def shown_report_unit_ids(user, task: Task) -> set[int] | None:
    """Whose reports on ``task`` the user may read: None for all, else those units' only.

    A viewer who has the task only through the cascade (a county government under the city's
    各县市区人民政府, the county's 督查室 and 领导) reads the reports of the units the task names and
    of its own region, never a sibling county's; the roll-up of all members is for the others.
    """
    if is_superuser(user):
        return None
    scope = scope_of(user)
    if scope == REGION:
        if _in_region(user, task):
            return None
        ids = _scope_regions(user) or set()

        members = members_of_task(task)
        return _task_unit_ids(task) | {m.unit_id for m in members if m.region_id in ids and m.unit_id}
    if scope == UNIT:
        mine = profile_of(user).unit_id
        return None if mine in _task_unit_ids(task) else _task_unit_ids(task) | {mine}
    return None


def can_report(user, task: Task) -> bool:
    """May ``user`` submit a progress report (进展报送) on ``task``?"""
    return bool(reporting_unit_ids(user, task))


def can_instruct(user, task: Task) -> bool:
    """May ``user`` write a 批示 on ``task``? Leaders and the 督查室 of its region (and superusers)."""
    return is_superuser(user) or (may(user, INSTRUCT) and _in_scope(user, task))


def can_supervise(user, task: Task) -> bool:
    """May ``user`` issue 督办单 / 提示单 on ``task`` and handle its problems? The 督查室 of its region,
    the 专班 of its campaign (and superusers)."""
    return is_superuser(user) or (may(user, SUPERVISE) and _in_scope(user, task))


def can_assign_units(user, task: Task) -> bool:
    """May ``user`` give ``task`` to a unit by hand (手工分配责任单位)? The 督查室 of its region (and
    above) and superusers: the office runs the plan's responsibility, a task force or a leader does not."""
    return is_superuser(user) or (may(user, ADMINISTER) and _in_scope(user, task))


def can_view_region(user, region: Region) -> bool:
    """May ``user`` read the roll-up of ``region`` (its child regions side by side)? The 督查室 and
    领导 of the region or of a region above it; a county never reads its city's roll-up of siblings."""
    if is_superuser(user):
        return True
    if scope_of(user) != REGION:
        return False
    ids = _scope_regions(user)
    return ids is None or region.pk in ids


def can_manage_accounts(user) -> bool:
    """May ``user`` create accounts, change roles and read the audit trail? 督查室 only."""
    return may(user, ADMINISTER)
