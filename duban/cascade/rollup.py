"""Roll-ups across levels: the members of a task's group unit, and a region's children side by side.

* :func:`task_rollup` — for a task that names a group unit (各县市区人民政府), what the lead unit
  needs: for one period, which members reported (on time, late), which did not, who reports 滞后.
* :func:`region_rollup` — a city's counties (a province's cities) side by side: the targets they
  share (indicators matched by :mod:`duban.cascade.indicators`) and their reporting discipline
  (reports owed since 1 January, on time, late, missing, on-time rate), ranked.

This module reads the tracking app (reports, schedules, what is owed), so it sits above it; the
group expansion it uses (:mod:`duban.plans.members`) sits below it. Fixed queries whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from duban.cascade.indicators import indicator_key
from duban.cascade.plantree import place_names
from duban.plans import clock
from duban.plans.members import Member, members_of_task
from duban.plans.models import Plan, Region, Target, Task, TaskUnit, Unit
from duban.plans.periods import Period, local_date, period_containing, to_local
from duban.supervision.facts import first_submissions, owed
from duban.tracking.models import LAGGING, ProgressReport
from duban.tracking.schedule import TaskSchedule, schedule_for

ON_TIME, LATE, MISSING, NOT_DUE, NO_UNIT = "按时报送", "逾期报送", "逾期未报", "待报", "无单位"


@dataclass
class MemberRow:
    """One member of a group unit for one period."""

    name: str
    region: str
    unit_id: int | None
    state: str  # ON_TIME / LATE / MISSING / NOT_DUE / NO_UNIT
    report: ProgressReport | None = None  # the latest version for the period

    @property
    def lagging(self) -> bool:
        """Behind: not reported though due, reported late, or reports itself 滞后."""
        return self.state in (MISSING, LATE) or (
            self.report is not None and self.report.self_status == LAGGING
        )

    def as_json(self) -> dict:
        r = self.report
        return {
            "unit": self.name,
            "region": self.region,
            "state": self.state,
            "version": r.version if r else None,
            "submitted_at": to_local(r.submitted_at).isoformat() if r else None,
            "percent": r.percent if r else None,
            "self_status": r.self_status if r else None,
            "lagging": self.lagging,
        }


@dataclass
class GroupRollup:
    """The members of one group unit of a task, for one period."""

    group: str
    role: str
    period: Period
    due: datetime | None
    rows: list[MemberRow]

    def count(self, *states: str) -> int:
        return sum(1 for r in self.rows if r.state in states)

    @property
    def count_on_time(self) -> int:
        return self.count(ON_TIME)

    @property
    def count_late(self) -> int:
        return self.count(LATE)

    @property
    def count_missing(self) -> int:
        return self.count(MISSING)

    @property
    def reported(self) -> int:
        return self.count(ON_TIME, LATE)

    @property
    def laggards(self) -> list[MemberRow]:
        return [r for r in self.rows if r.lagging]

    def as_json(self) -> dict:
        return {
            "group": self.group,
            "role": self.role,
            "period": self.period.code,
            "period_label": self.period.label,
            "due": to_local(self.due).isoformat() if self.due else None,
            "members": len(self.rows),
            "reported": self.reported,
            "on_time": self.count(ON_TIME),
            "late": self.count(LATE),
            "missing": self.count(MISSING),
            "laggards": [r.name for r in self.laggards],
            "rows": [r.as_json() for r in self.rows],
        }


def last_due_period(schedule: TaskSchedule, as_of: datetime) -> Period | None:
    """The period whose report fell due most recently by ``as_of`` (else the one due next)."""
    best: tuple[datetime, Period] | None = None
    upcoming: tuple[datetime, Period] | None = None
    for rhythm in schedule.rhythms:
        period = period_containing(rhythm.every, local_date(as_of))
        for _ in range(3):  # the current period, or one of the two before it, is the last due
            due = rhythm.rule.due_at(period)
            if due <= as_of:
                best = max(best, (due, period), key=lambda dp: dp[0]) if best else (due, period)
                break
            upcoming = min(upcoming, (due, period), key=lambda dp: dp[0]) if upcoming else (due, period)
            period = period.previous()
    chosen = best or upcoming
    return chosen[1] if chosen else None


def task_rollup(task: Task, period: Period | None = None, as_of: datetime | None = None) -> list[GroupRollup]:
    """One :class:`GroupRollup` per group unit ``task`` names ([] when it names none)."""
    as_of = as_of or clock.now()
    members = members_of_task(task)
    if not members:
        return []
    schedule = schedule_for(task)
    period = period or last_due_period(schedule, as_of)
    if period is None:
        return []
    due = schedule.due_at(period)
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    for r in ProgressReport.objects.filter(
        task=task, period=period.code, unit_id__in={m.unit_id for m in members}, submitted_at__lte=as_of
    ).order_by("submitted_at", "id"):
        reports[r.unit_id].append(r)
    regions = dict(Region.objects.filter(pk__in={m.region_id for m in members}).values_list("pk", "name"))
    groups: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        groups[m.group_id].append(m)
    names = dict(Unit.objects.filter(pk__in=groups).values_list("pk", "name"))
    out = []
    for group_id, ms in groups.items():
        rows = []
        for m in ms:
            mine = reports.get(m.unit_id, [])
            if m.unit_id is None:
                state = NO_UNIT if due is None or due > as_of else MISSING
            elif mine:
                state = LATE if due is not None and mine[0].submitted_at > due else ON_TIME
            else:
                state = MISSING if due is not None and due <= as_of else NOT_DUE
            rows.append(
                MemberRow(m.name, regions.get(m.region_id, ""), m.unit_id, state, mine[-1] if mine else None)
            )
        role = dict(TaskUnit.ROLES).get(ms[0].role, "")
        out.append(GroupRollup(names.get(group_id, ""), role, period, due, rows))
    return out


# ------------------------------------------------------------------ region roll-up


@dataclass
class Discipline:
    """Reporting discipline of one region: reports owed (due by the date), on time, late, missing."""

    owed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.owed if self.owed else None


@dataclass
class ChildRow:
    region: Region
    plans: int
    tasks: int
    discipline: Discipline
    targets: dict[str, Target] = field(default_factory=dict)  # indicator key -> the child's target
    rank: int | None = None


@dataclass
class RegionRollup:
    region: Region
    as_of: datetime
    since: date
    children: list[ChildRow]
    indicators: list[tuple[str, str, Target | None]]  # (key, label, the region's own target)

    def as_json(self) -> dict:
        def target(t: Target | None):
            if t is None:
                return None
            return {"measure": t.measure, "value": t.value, "unit": t.measure_unit, "qualifier": t.qualifier}

        return {
            "region": self.region.name,
            "as_of": to_local(self.as_of).isoformat(),
            "since": self.since.isoformat(),
            "indicators": [
                {"key": k, "label": label, "own": target(own)} for k, label, own in self.indicators
            ],
            "children": [
                {
                    "region": c.region.name,
                    "rank": c.rank,
                    "plans": c.plans,
                    "tasks": c.tasks,
                    "owed": c.discipline.owed,
                    "on_time": c.discipline.on_time,
                    "late": c.discipline.late,
                    "missing": c.discipline.missing,
                    "on_time_rate": c.discipline.on_time_rate,
                    "targets": {k: target(c.targets.get(k)) for k, _, _ in self.indicators},
                }
                for c in self.children
            ],
        }


def _subtree(region_id: int, children: dict[int | None, list[int]]) -> set[int]:
    ids, todo = {region_id}, [region_id]
    while todo:
        for c in children.get(todo.pop(), ()):
            if c not in ids:
                ids.add(c)
                todo.append(c)
    return ids


def _first_targets(plan_ids, places) -> dict[str, Target]:
    """{indicator key: target} of plans, the first (document order) target per key."""
    out: dict[str, Target] = {}
    for t in Target.objects.filter(plan_id__in=plan_ids).order_by(
        "plan__source_document_id", "plan__order", "order"
    ):
        out.setdefault(indicator_key(t.indicator, places), t)
    return out


def region_rollup(region: Region, as_of: datetime | None = None) -> RegionRollup:
    """The child regions of ``region`` side by side (see the module docstring), ranked by on-time rate.

    Discipline counts every report owed from 1 January of ``as_of``'s year to ``as_of`` by a unit of
    the child region (or below): on the child's own plans and on upper-level tasks assigned to it.
    """
    as_of = as_of or clock.now()
    day = local_date(as_of)
    since = date(day.year, 1, 1)
    tree: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        tree[parent].append(pk)
    kids = list(Region.objects.filter(parent=region).order_by("id"))
    subtree = {k.pk: _subtree(k.pk, tree) for k in kids}
    region_of = {r: k for k, rs in subtree.items() for r in rs}
    plans = list(Plan.objects.filter(active=True, region_id__in=set(region_of) | {region.pk}))
    tasks = list(Task.objects.filter(active=True, plan__in=plans).only("id", "plan_id"))
    plan_region = {p.pk: p.region_id for p in plans}
    dues = owed(tasks, since, day)
    made = first_submissions([t.pk for t in tasks], as_of)
    unit_region = dict(Unit.objects.filter(pk__in={u for _, u, _ in dues}).values_list("pk", "region_id"))
    discipline = {k.pk: Discipline() for k in kids}
    for key, (due, _period, _action, _name) in dues.items():
        child = region_of.get(unit_region.get(key[1]))
        if child is None or due > as_of:
            continue
        d, first = discipline[child], made.get(key)
        d.owed += 1
        if first is None:
            d.missing += 1
        elif first > due:
            d.late += 1
        else:
            d.on_time += 1
    # shared indicators: the keys at least two children (or a child and the region itself) target
    own = _first_targets([p.pk for p in plans if p.region_id == region.pk], place_names(region))
    rows = []
    for k in kids:
        child_plans = [p.pk for p in plans if plan_region[p.pk] in subtree[k.pk]]
        rows.append(
            ChildRow(
                k,
                plans=len(child_plans),
                tasks=sum(1 for t in tasks if t.plan_id in set(child_plans)),
                discipline=discipline[k.pk],
                targets=_first_targets(child_plans, place_names(k, region)) if child_plans else {},
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        for key in r.targets:
            counts[key] += 1
    shared = [key for key in own if counts[key]] + sorted(
        k for k, n in counts.items() if n >= 2 and k not in own
    )
    indicators = [(key, (own.get(key) or _any_target(rows, key)).indicator, own.get(key)) for key in shared]
    ranked = sorted(
        (r for r in rows if r.discipline.owed),
        key=lambda r: (-(r.discipline.on_time_rate or 0), r.discipline.missing, r.region.pk),
    )
    for n, r in enumerate(ranked, 1):
        r.rank = n
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.region.pk))
    return RegionRollup(region, to_local(as_of), since, rows, indicators)


def _any_target(rows: list[ChildRow], key: str) -> Target:
    return next(r.targets[key] for r in rows if key in r.targets)
