"""Group units expanded for reporting: read-only, for many tasks at once, in a fixed number of queries.

:func:`members_of` (at the end) expands one group unit and creates a missing government unit
(a write). Pages, the calendar, permissions and ``do_submit_report`` need the same answer for
hundreds of task assignments on every request, without writing: this module gives it from the rows
that exist. A child region whose government unit does not exist yet is reported by
:func:`expand_groups` as a member without a unit (``unit_id=None``) — nobody can report for it
until the unit exists (``duban link_plans`` and ``members_of`` create it), but a roll-up still
counts it as missing.

The rule is the one of :mod:`duban.plans.groups` (child regions by the level words written,
task-force members for 各成员单位, nobody for 相关/有关/涉及 groups).

:func:`responsible_units` is the one answer to "who reports on this task": the units the task
names plus the members of its group units. The calendar (due rules, reminders), the 督办 check, the
notices it issues and the simulated season all read it, so a unit that owes a report is a unit a
notice may be addressed to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, Prefetch, Q

from duban.audit.cache import STRUCTURE, cached
from duban.audit.trail import record
from duban.ingest.text import norm_key
from duban.plans.groups import _TEAM_GROUP, _UNSPECIFIC, government_name, region_group_words
from duban.plans.models import Plan, Region, Task, TaskForce, TaskForceMember, TaskUnit, Unit, UnitAlias
from duban.plans.unitnames import level_char, localize


@dataclass(frozen=True)
class Member:
    """One unit a group assignment of a task stands for."""

    task_id: int
    group_id: int  # the group unit the task names (各县市区人民政府)
    role: str  # the group's role on the task (TaskUnit.LEAD / CO)
    unit_id: int | None  # None: the child region has no government unit yet
    name: str
    region_id: int | None


def _team_key(team_name: str, region: Region) -> str:
    """The body of a named task force (市打好…工作专班 → 打好…工作专班) as a named 成员单位 group says it."""
    key = localize(team_name, region.name, level_char(region.name, region.level))
    return key[1:] if key[:1] == level_char(region.name, region.level) else key


def expand_groups(rows: list[TaskUnit]) -> dict[int, list[Member]]:
    """{task id: [Member]} for group assignments ``rows`` (TaskUnit with ``unit`` and ``task`` loaded
    or ``select_related("unit", "task")``). Six queries whatever the number of rows (none for [])."""
    rows = [r for r in rows if r.unit.is_group]
    if not rows:
        return {}
    regions = {r.pk: r for r in Region.objects.all()}
    children: dict[int | None, list[Region]] = defaultdict(list)
    for r in sorted(regions.values(), key=lambda r: r.pk):
        children[r.parent_id].append(r)

    # child-region groups: which regions each group stands for, then their government units
    region_members: dict[int, list[Region]] = {}
    team_rows: list[TaskUnit] = []
    for row in rows:
        name = norm_key(row.unit.name)
        words = region_group_words(name)
        if words:
            region_members[row.unit_id] = [c for c in children[row.unit.region_id] if c.name.endswith(words)]
        elif not _UNSPECIFIC.search(name) and _TEAM_GROUP.match(name):
            team_rows.append(row)
    wanted = {r.pk: government_name(r) for rs in region_members.values() for r in rs}
    governments: dict[int, Unit] = {}
    for u in Unit.objects.filter(region_id__in=set(wanted), name__in=set(wanted.values())):
        if wanted[u.region_id] == u.name:
            governments[u.region_id] = u
    for a in UnitAlias.objects.filter(
        region_id__in=set(wanted), name__in=set(wanted.values())
    ).select_related("unit"):
        if wanted[a.region_id] == a.name:
            governments.setdefault(a.region_id, a.unit)

    # task-force groups: the task force of the plan (or its nearest ancestor in the same document),
    # or the one the group names in its region
    plans = {
        pk: (parent, doc)
        for pk, parent, doc in Plan.objects.values_list("pk", "parent_id", "source_document_id")
    }
    team_regions = {r.unit.region_id for r in team_rows}
    chains: dict[int, list[int]] = {}
    for row in team_rows:
        chain, pk = [], row.task.plan_id
        while pk is not None and pk not in chain:
            chain.append(pk)
            parent = plans.get(pk, (None, None))[0]
            pk = parent if parent is not None and plans.get(parent, (None, 0))[1] == plans[pk][1] else None
        chains[row.task_id] = chain
    teams = list(
        TaskForce.objects.filter(
            Q(plan_id__in={p for c in chains.values() for p in c}) | Q(plan__region_id__in=team_regions)
        )
        .select_related("plan")
        .prefetch_related(
            Prefetch("memberships", queryset=TaskForceMember.objects.select_related("unit").order_by("order"))
        )
        .order_by("plan_id", "order")
    )
    by_plan: dict[int, TaskForce] = {}
    for t in teams:
        by_plan.setdefault(t.plan_id, t)

    def team_for(row: TaskUnit) -> TaskForce | None:
        team_name = _TEAM_GROUP.match(norm_key(row.unit.name))["team"]
        if not team_name:
            return next((by_plan[p] for p in chains[row.task_id] if p in by_plan), None)
        body = _team_key(team_name, regions[row.unit.region_id])
        if len(body) < 4:
            return None
        return next(
            (t for t in teams if t.plan.region_id == row.unit.region_id and norm_key(t.name).endswith(body)),
            None,
        )

    out: dict[int, list[Member]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.task_id, r.order)):
        if row.unit_id in region_members:
            for region in region_members[row.unit_id]:
                unit = governments.get(region.pk)
                out[row.task_id].append(
                    Member(
                        row.task_id, row.unit_id, row.role, unit.pk if unit else None,
                        unit.name if unit else wanted[region.pk], region.pk,
                    )
                )  # fmt: skip
        elif row in team_rows:
            team = team_for(row)
            for m in team.memberships.all() if team else ():
                if not m.unit.is_group:
                    out[row.task_id].append(
                        Member(row.task_id, row.unit_id, row.role, m.unit_id, m.unit.name, m.unit.region_id)
                    )
    return dict(out)


@dataclass(frozen=True)
class Responsible:
    """One unit that reports on a task: named by the task, or standing in one of its group units."""

    task_id: int
    plan_id: int
    unit_id: int
    name: str
    role: str  # TaskUnit.LEAD / CO (a member takes its group's role; lead wins over co)
    group_id: int | None = None  # the group unit it stands in; None: the task names it


# the columns responsible_units reads, in the order _row takes them
ASSIGNMENT_FIELDS = (
    "id", "task_id", "unit_id", "role", "order", "unit__is_group", "unit__name", "unit__region_id",
    "task__plan_id", "task__order",
)  # fmt: skip


def _row(pk, task_id, unit_id, role, order, is_group, name, region_id, plan_id, task_order) -> TaskUnit:
    """A group assignment as the TaskUnit (with its unit and task) that expand_groups reads, from a tuple."""
    row = TaskUnit(pk=pk, task_id=task_id, unit_id=unit_id, role=role, order=order)
    row.unit = Unit(pk=unit_id, name=name, is_group=is_group, region_id=region_id)
    row.task = Task(pk=task_id, plan_id=plan_id, order=task_order)
    return row


def responsible_units(assignments=None, *, tasks=None) -> dict[int, list[Responsible]]:
    """{task id: [Responsible]} of the concrete units that report on each task, in document order:
    a group unit (各县市区人民政府, 各成员单位) is replaced by its members, a unit named twice
    (directly and through a group) counted once with the stronger role, a member without a unit
    yet left out. Tasks without any such unit are absent.

    ``assignments``: a TaskUnit queryset (e.g. ``TaskUnit.objects.filter(task__plan_id__in=…)``)
    or ``tasks``: Tasks or ids. Seven queries at most, whatever the number of tasks. Assignments are
    read as tuples; only group rows become (unsaved) models: a province has 20 万 assignments, and
    loading all of them as models was most of the due counting of its 月通报 (docs/benchmarks-history.md).
    """
    if assignments is None:
        ids = [t if isinstance(t, int) else t.pk for t in tasks or ()]
        assignments = TaskUnit.objects.filter(task_id__in=ids)
    rows = list(assignments.order_by("task__plan_id", "task__order", "order").values_list(*ASSIGNMENT_FIELDS))
    members = expand_groups([_row(*row) for row in rows if row[5]])
    out: dict[int, list[Responsible]] = {}
    at: dict[tuple[int, int], int] = {}  # (task, unit) -> index in out[task]
    for _pk, task_id, unit_id, role, _order, is_group, name, _region, plan_id, _task_order in rows:
        if is_group:
            found = [(m.unit_id, m.name, unit_id) for m in members.get(task_id, ()) if m.group_id == unit_id]
        else:
            found = [(unit_id, name, None)]
        units = out.setdefault(task_id, [])
        for member_id, member_name, group_id in found:
            if member_id is None:
                continue
            k = at.get((task_id, member_id))
            if k is None:
                at[task_id, member_id] = len(units)
                units.append(Responsible(task_id, plan_id, member_id, member_name, role, group_id))
            elif role == TaskUnit.LEAD and units[k].role != TaskUnit.LEAD:
                units[k] = Responsible(task_id, plan_id, member_id, units[k].name, role, units[k].group_id)
    return {t: us for t, us in out.items() if us}


# the columns expand_groups reads (tasks' texts are long; a province has many assignments)
ROW_FIELDS = (
    "id", "task_id", "unit_id", "role", "order", "written_as",
    "unit__name", "unit__is_group", "unit__region_id", "task__plan_id", "task__order",
)  # fmt: skip


def group_rows(task_ids) -> list[TaskUnit]:
    """The group assignments of ``task_ids`` (one query)."""
    return list(
        TaskUnit.objects.filter(task_id__in=task_ids, unit__is_group=True)
        .select_related("unit", "task")
        .only(*ROW_FIELDS)
        .order_by("task_id", "order")
    )


def task_members(task_ids) -> dict[int, list[Member]]:
    """{task id: [Member]} of the group assignments of ``task_ids`` (seven queries at most)."""
    return expand_groups(group_rows(task_ids))


_TASK_CACHE = "_duban_members"


def members_of_task(task) -> list[Member]:
    """The members of ``task``'s group assignments, computed once per task instance: a page asks it
    for the permission check, the reports shown and the roll-up of the same task."""
    found = getattr(task, _TASK_CACHE, None)
    if found is None:
        found = task_members([task.pk]).get(task.pk, [])
        setattr(task, _TASK_CACHE, found)
    return found


def member_tasks(unit: Unit) -> dict[int, str]:
    """{task id: role} of the active tasks ``unit`` is responsible for only as a member of a group unit
    (a county government under 各县市区人民政府 of the city plan, a department under 各成员单位).

    Group units that may name it live in its own region (各成员单位) or the region above
    (各县市区人民政府). Asked on every request of a reporter (permissions, 本期待报), it depends only on
    the structure: computed once per unit, process and structure version (seven queries at most),
    then one query. The dict is shared: do not change it.
    """
    return cached(("member_tasks", unit.pk), STRUCTURE, lambda: _member_tasks(unit))


def _member_tasks(unit: Unit) -> dict[int, str]:
    region = unit.region  # no query when loaded with the unit
    gov = government_name(region)
    if unit.name != gov:  # neither a government by name nor by alias, nor on a task force: one query
        flags = (
            Unit.objects.filter(pk=unit.pk)
            .annotate(
                alias=Exists(UnitAlias.objects.filter(unit=unit, name=gov)),
                team=Exists(TaskForceMember.objects.filter(unit=unit)),
            )
            .values_list("alias", "team")
            .first()
        )
        if not flags or not any(flags):
            return {}
    region_ids = [unit.region_id] + ([region.parent_id] if region.parent_id is not None else [])
    rows = list(
        TaskUnit.objects.filter(task__active=True, unit__is_group=True, unit__region_id__in=region_ids)
        .select_related("unit", "task")
        .only(*ROW_FIELDS)
        .order_by("task_id", "order")
    )
    out: dict[int, str] = {}
    for task_id, members in expand_groups(rows).items():
        for m in members:
            if m.unit_id == unit.pk and out.get(task_id) != TaskUnit.LEAD:
                out[task_id] = m.role
    return out


def assigned_task_ids(region: Region, scope: set[int]) -> set[int]:
    """Active tasks of other regions' plans assigned to ``region`` (with ``scope``, its region ids):
    a unit of the region named on the task, or a government of the region standing in a group
    unit (the city's 各县市区人民政府 → 新邵县). Asked on every page of a 督查室 or 领导 (a city's
    took 30 ms on PostgreSQL), it depends only on the structure: computed once per region, process and
    structure version (eight queries at most). The set is shared: do not change it."""
    key = ("assigned_tasks", region.pk, tuple(sorted(scope)))
    return cached(key, STRUCTURE, lambda: _assigned_task_ids(region, scope))


def _assigned_task_ids(region: Region, scope: set[int]) -> set[int]:
    outside = Plan.objects.exclude(region_id__in=scope).values("pk")  # none for a whole province
    direct = set(
        TaskUnit.objects.filter(
            task__plan__in=outside, unit__region_id__in=scope, unit__is_group=False, task__active=True
        ).values_list("task_id", flat=True)
    )
    if region.parent_id is None:
        return direct
    rows = list(
        TaskUnit.objects.filter(task__active=True, unit__is_group=True, unit__region_id=region.parent_id)
        .select_related("unit", "task")
        .only(*ROW_FIELDS)
        .order_by("task_id", "order")
    )
    groups = expand_groups(rows)
    return direct | {t for t, ms in groups.items() if any(m.region_id in scope for m in ms)}


# ------------------------------------------------ the writing variant: one group, missing governments created


@transaction.atomic
def do_create_government_units(regions: list[Region], *, actor=None) -> list[Unit]:
    """Create the missing 人民政府 unit of each region (unconfirmed: a person may rename it)."""
    units = [Unit.objects.create(region=r, name=government_name(r), is_group=False) for r in regions]
    if units:
        record(
            "create_government_units",
            summary="展开泛指单位时新建政府单位：" + "、".join(f"{u.region.name}{u.name}" for u in units),
            after={"units": [u.pk for u in units]},
            actor=actor,
        )
    return units


def government_units(regions: list[Region]) -> list[Unit]:
    """The 人民政府 unit of every region, in order; missing ones are created (audited, unconfirmed)."""
    wanted = {r.pk: government_name(r) for r in regions}
    found: dict[int, Unit] = {}
    for u in Unit.objects.filter(region__in=regions, name__in=set(wanted.values())):
        if wanted[u.region_id] == u.name:
            found[u.region_id] = u
    for a in UnitAlias.objects.filter(region__in=regions, name__in=set(wanted.values())).select_related(
        "unit"
    ):
        if wanted[a.region_id] == a.name:
            found.setdefault(a.region_id, a.unit)
    missing = [r for r in regions if r.pk not in found]
    if missing:
        found.update({u.region_id: u for u in do_create_government_units(missing)})
    return [found[r.pk] for r in regions]


def members_of(group_unit: Unit, *, plan: Plan | None = None) -> list[Unit]:
    """The concrete units a group unit stands for (see :mod:`duban.plans.groups`), in a stable order.

    ``plan`` is the plan whose task names the group; it is needed only for a bare 各成员单位.
    A unit that is not a group stands for itself; a group that does not say who gives [].
    The expansion is :func:`expand_groups` (the one every reader uses);
    this writing variant first creates the missing government units of a child-region group.
    """
    if not group_unit.is_group:
        return [group_unit]
    words = region_group_words(group_unit.name)
    if words:
        children = Region.objects.filter(parent_id=group_unit.region_id).order_by("id")
        government_units([r for r in children if r.name.endswith(words)])
    row = TaskUnit(task_id=0, unit=group_unit, role=TaskUnit.CO, order=0)
    row.task = Task(pk=0, plan_id=plan.pk if plan is not None else None)
    ids = [m.unit_id for m in expand_groups([row]).get(0, []) if m.unit_id is not None]
    found = Unit.objects.in_bulk(ids)
    return [found[pk] for pk in dict.fromkeys(ids)]
