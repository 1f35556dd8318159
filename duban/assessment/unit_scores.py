"""Unit scores (考核) counted from the stored data: each unit's :class:`~duban.assessment.scoring.UnitFacts` for one
plan and one period, counted from the stored reports and notices, then scored and ranked.

* 应报 / 按时 / 迟报 / 未报: the reporting items of the tracking calendar that fell due in the period
  (up to ``as_of``), one per (task, unit, period) at its earliest due instant
  (:func:`duban.supervision.facts.owed`); the unit's first submission decides on time or late.
* 任务完成: each task the unit is named on, its latest reported percent against its 序时进度
  (:func:`duban.tracking.status.task_states` at ``as_of``).
* 目标进度: targets belong to the region, not to a unit, so this part is left out for units (the
  scheme then scales the other weights to 100, as its rules say).
* 红/黄督办单: notices addressed to the unit, issued in the period.

Used by the assessment page (duban/ui/views/assessment.py) and by the briefs' 考核排名 and 报送情况通报
(:func:`duban.briefs.collect.collect`), so a brief and the page always show the same figures.
A fixed number of queries whatever the number of tasks and units. Tasks are read as tuples
(:func:`task_rows`), not models: a province's 5.7 万 tasks and 20 万 assignments as models took
more than a minute of a 月通报 (docs/benchmarks-history.md, 议题 8 第三轮).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from duban.assessment.scoring import (
    Scheme,
    TaskProgress,
    UnitFacts,
    UnitScore,
    rank,
    red_black,
    score_unit,
    year_scores,
)
from duban.assessment.tiers import GROUP_ORDER, group_label, rankable, unit_group
from duban.plans.models import Plan, Task
from duban.plans.periods import Period, periods_between, to_local
from duban.plans.unitnames import learn_aliases
from duban.supervision.facts import first_submissions, owed
from duban.supervision.models import NOTICE, RED, YELLOW, Notice
from duban.tracking.schedule import PlanTree
from duban.tracking.status import task_states


class UnitRow(NamedTuple):
    """A unit named on a task (责任单位), as the counting needs it."""

    unit_id: int
    name: str
    role: str  # TaskUnit.LEAD / CO
    is_group: bool  # 各县市区人民政府 …: stands for its members, scored through them
    region: str  # the unit's region, to tell apart units of the same name (unit_labels)


class TaskRow(NamedTuple):
    """An active task with its units in document order: what the counting and the briefs read."""

    pk: int
    plan_id: int
    seq: str
    title: str
    units: tuple[UnitRow, ...]


def task_rows(plans) -> list[TaskRow]:
    """The active tasks of ``plans`` (Plans or ids) and of the plans under them, in the order of
    :func:`duban.supervision.actions.plan_tasks` (plan, then order), as tuples: two queries (the plan
    tree, then the tasks joined to their units: one row per unit, one for a task without any)."""
    if isinstance(plans, Plan | int):
        plans = [plans]
    tree = PlanTree.load()
    ids = set().union(*(tree.down(p if isinstance(p, int) else p.pk) for p in plans))
    rows = (
        Task.objects.filter(plan_id__in=ids, active=True)
        .order_by("plan_id", "order", "id", "assignments__order")
        .values_list(
            "id",
            "plan_id",
            "seq",
            "title",
            "assignments__unit_id",
            "assignments__unit__name",
            "assignments__role",
            "assignments__unit__is_group",
            "assignments__unit__region__name",
        )
    )
    tasks: list[tuple] = []  # (pk, plan id, seq, title, [UnitRow])
    for pk, plan_id, seq, title, *unit in rows:
        if not tasks or tasks[-1][0] != pk:
            tasks.append((pk, plan_id, seq, title, []))
        if unit[0] is not None:
            tasks[-1][4].append(UnitRow(*unit))
    return [TaskRow(pk, plan_id, seq, title, tuple(units)) for pk, plan_id, seq, title, units in tasks]


def last_instant(period: Period) -> datetime:
    """The period's last instant: still inside it, so that task states, deadlines and 序时进度 are
    those of its year (the exclusive end of December is already next year)."""
    return period.end_at - timedelta(microseconds=1)


@dataclass(frozen=True)
class GroupHonours:
    """One group's ranking (县市区, 市直单位, 企业 …: :mod:`duban.assessment.tiers`) and its 红榜/黑榜."""

    group: str  # as printed: 县市区, 市直单位
    scores: list[UnitScore]  # ranked within the group
    red: list[UnitScore]
    black: list[UnitScore]


@dataclass
class Ranking:
    period: Period
    as_of: datetime
    facts: dict[str, UnitFacts]
    scores: list[UnitScore]
    red: list[UnitScore]  # every group's 红榜, group by group
    black: list[UnitScore]
    groups: list[GroupHonours] = field(default_factory=list)


def same_units(units: dict[int, tuple[str, str]]) -> dict[int, int]:
    """{unit id: the id it is scored as}: spellings of one unit left apart by the ingest (市发改委 beside
    市发展和改革委员会 in the same region) are scored as the fullest one (:func:`learn_aliases`), so a unit has one
    score and cannot sit on the 红榜 and the 黑榜 under two names."""
    by_region: dict[str, dict[str, int]] = defaultdict(dict)
    for pk, (name, region) in sorted(units.items()):
        by_region[region].setdefault(name, pk)
    out = {}
    for pk, (name, region) in units.items():
        names = by_region[region]
        canonical = learn_aliases(names).get(name, name) if len(names) > 1 else name
        out[pk] = names.get(canonical, pk)
    return out


def scored_units(tasks: list[TaskRow]) -> tuple[dict[int, int], dict[int, str]]:
    """({unit id: the id it is scored as}, {scored id: label}) of the rankable units named on ``tasks``
    (no groups or committees: :func:`duban.assessment.tiers.rankable`; spellings merged: :func:`same_units`)."""
    units = {u.unit_id: (u.name, u.region) for t in tasks for u in t.units if rankable(u.name, u.is_group)}
    canon = same_units(units)
    return canon, unit_labels({pk: units[pk] for pk in set(canon.values())})


def unit_labels(units: dict[int, tuple[str, str]]) -> dict[int, str]:
    """{unit id: how rankings and briefs name it}: its name, or 名称（地区） where units of several regions
    in scope share the name (县财政局 in every county under a city): scores are keyed by these labels,
    and keyed by bare names all but one of the same-name units fell out of the ranking."""
    count = Counter(name for name, _ in units.values())
    return {pk: name if count[name] == 1 else f"{name}（{region}）" for pk, (name, region) in units.items()}


def unit_facts(plan, period: Period, as_of: datetime, *, tasks=None, states=None) -> dict[str, UnitFacts]:
    """{unit label: facts} of every unit named on the tasks of ``plan`` (a Plan or several) and its sub-plans
    (label: the unit's name, with its region where names repeat: :func:`unit_labels`).

    ``tasks`` (from :func:`task_rows`) and ``states`` (``task_states`` at the same instant) may be passed by a caller that already has them,
    to save their queries.
    """
    end = min(to_local(as_of), last_instant(period))
    tasks = task_rows(plan) if tasks is None else tasks
    canon, names = scored_units(tasks)
    due = defaultdict(int)
    on_time = defaultdict(int)
    late = defaultdict(int)
    late_tasks, missing_tasks = defaultdict(set), defaultdict(set)
    if end > period.start_at:
        dues = {k: v for k, v in owed(tasks, period.start, end.date()).items() if v[0] <= end}
        made = first_submissions([t.pk for t in tasks], end, sorted({code for _, _, code in dues}))
        for key, (due_at, *_rest) in dues.items():
            unit = canon.get(key[1])
            if unit not in names:
                continue
            due[unit] += 1
            first = made.get(key)
            if first is not None and first <= due_at:
                on_time[unit] += 1
            elif first is not None:
                late[unit] += 1
                late_tasks[unit].add(key[0])
            else:
                missing_tasks[unit].add(key[0])
    if states is None:
        states = task_states([t.pk for t in tasks], end) if tasks else {}
    progress = defaultdict(list)
    for t in tasks:
        s = states[t.pk]
        for unit in {canon[u.unit_id] for u in t.units if u.unit_id in canon}:
            progress[unit].append(TaskProgress(actual=s.percent or 0.0, expected=s.expected * 100))
    red, yellow = defaultdict(int), defaultdict(int)
    notices = Notice.objects.filter(
        task_id__in=[t.pk for t in tasks], kind=NOTICE, issued_at__gte=period.start_at, issued_at__lt=end
    ).values_list("color", "units")
    for color, unit in notices:
        unit = canon.get(unit, unit)
        if color == RED:
            red[unit] += 1
        elif color == YELLOW:
            yellow[unit] += 1
    return {
        name: UnitFacts(
            unit=name,
            due=due[u],
            on_time=on_time[u],
            late=late[u],
            missing=due[u] - on_time[u] - late[u],
            tasks=tuple(progress[u]),
            red=red[u],
            yellow=yellow[u],
            late_tasks=len(late_tasks[u]),
            missing_tasks=len(missing_tasks[u]),
        )
        for u, name in sorted(names.items(), key=lambda x: x[1])
    }


def ranking(plan, scheme: Scheme, period: Period, as_of: datetime, *, tasks=None, states=None) -> Ranking:
    """Facts, scores, ranks and 红榜/黑榜 of the units of ``plan`` (a Plan or several) in ``period``."""
    tasks = task_rows(plan) if tasks is None else tasks
    facts = unit_facts(plan, period, as_of, tasks=tasks, states=states)
    scores = rank(score_unit(scheme, f) for f in facts.values())
    groups = honours(scores, scheme, unit_groups(plan, tasks))
    red = [s for g in groups for s in g.red]
    black = [s for g in groups for s in g.black]
    return Ranking(period, min(to_local(as_of), last_instant(period)), facts, scores, red, black, groups)


def unit_groups(plan, tasks: list[TaskRow]) -> dict[str, str]:
    """{unit label: the group it is ranked in, as printed} (:mod:`duban.assessment.tiers`)."""
    first = plan[0] if isinstance(plan, list | tuple) else plan
    if isinstance(first, int):
        first = Plan.objects.select_related("region").get(pk=first)
    home = first.region.name if first.region_id else ""
    units = {u.unit_id: (u.name, u.region) for t in tasks for u in t.units}
    _, labels = scored_units(tasks)
    return {label: group_label(unit_group(*units[pk], home), home) for pk, label in labels.items()}


def honours(scores: list[UnitScore], scheme: Scheme, groups: dict[str, str]) -> list[GroupHonours]:
    """Each group's own ranking and 红榜/黑榜 (threshold and rank, ties by the stated rules), groups in order."""
    by_group: dict[str, list[UnitScore]] = defaultdict(list)
    for s in scores:
        if s.total is not None:
            by_group[groups.get(s.unit, "其他单位")].append(s)
    order = {group_label(g, ""): i for i, g in enumerate(GROUP_ORDER)}
    out = []
    for name in sorted(by_group, key=lambda g: (order.get(g, 1 if g.endswith("直单位") else 9), g)):
        ranked = rank(by_group[name])
        red, black = red_black(ranked, scheme.top_n, scheme.bottom_n, scheme.red_min, scheme.black_below)
        out.append(GroupHonours(name, ranked, red, black))
    return out


@dataclass
class YearView:
    """年度汇总: each unit's quarter totals and its year score (the scheme's mean or sum), ranked."""

    quarters: list[Period]
    scores: list[UnitScore]  # year scores, ranked
    by_quarter: dict[str, list[float | None]]  # unit -> its total in each of ``quarters``


def year_view(plan, scheme: Scheme, year: Period, as_of: datetime) -> YearView:
    """The year as its quarters, each scored as the page scores a quarter, up to ``as_of`` (quarters
    not yet begun are left out); the tasks are read once for all of them."""
    as_of = to_local(as_of)
    quarters = [q for q in periods_between("季", year.start, year.end) if q.start <= as_of.date()]
    tasks = task_rows(plan)
    rankings = [ranking(plan, scheme, q, min(as_of, last_instant(q)), tasks=tasks) for q in quarters]
    by_quarter: dict[str, list[float | None]] = defaultdict(lambda: [None] * len(quarters))
    for i, r in enumerate(rankings):
        for s in r.scores:
            by_quarter[s.unit][i] = s.total
    scores = year_scores([r.scores for r in rankings], scheme.year_view)
    return YearView(quarters, scores, dict(by_quarter))
