"""The reporting calendar (报送日历): every item the plans' cadences make due in a date range.

Built on :mod:`duban.tracking.due_rules` (when) and :mod:`duban.tracking.schedule` (which cadences
bind which tasks, who reports, who produces). A fixed number of queries for any number of plans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from duban.plans.members import responsible_units
from duban.plans.models import Campaign, Plan, TaskUnit
from duban.plans.periods import KINDS, Period, local_date, period_containing, to_local
from duban.plans.programmes import plan_windows
from duban.tracking.schedule import (
    OFFICE_FALLBACK,
    PlanTree,
    Rhythm,
    default_rhythm,
    load_rhythms,
    producer_names,
)
from duban.tracking.validity import Window, admit


@dataclass
class DueItem:
    """One thing due: on ``period``, at ``due`` (Asia/Shanghai), ``action`` by ``reporters`` to ``report_to``.

    For a reporting item (报送类) ``reporters`` are the responsible units of the tasks in scope and
    ``unit_tasks`` says which tasks each unit reports on; for others it is the producing office.
    """

    due: datetime
    period: Period
    every: str
    action: str
    plan: Plan
    campaign: Campaign | None
    cadence_id: int | None  # None: the default rhythm (方案未规定报送周期)
    cadence_line: int | None
    cadence_text: str
    origin: str  # 文件 / 手工 / 默认
    reporting: bool
    reporters: list[str]
    reporter_unit_ids: list[int]
    report_to: str
    understood: bool = True
    unit_tasks: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @property
    def task_ids(self) -> list[int]:
        return sorted({t for ts in self.unit_tasks.values() for t in ts})

    def as_json(self) -> dict:
        return {
            "due": to_local(self.due).isoformat(),
            "period": self.period.code,
            "period_label": self.period.label,
            "every": self.every,
            "action": self.action,
            "plan": {"id": self.plan.pk, "title": self.plan.title},
            "campaign": self.campaign.name if self.campaign else None,
            "cadence": {
                "id": self.cadence_id,
                "line": self.cadence_line,
                "text": self.cadence_text,
                "origin": self.origin,
            },
            "reporting": self.reporting,
            "reporters": self.reporters,
            "report_to": self.report_to,
            "tasks": len(self.task_ids),
            "understood": self.understood,
        }


def _dates(rhythm: Rhythm, first: date, last: date, window: Window | None = None) -> list[tuple[Period, datetime]]:
    """(period, due) of every period whose report falls due in first..last, inside the programme ``window``."""
    rule = rhythm.rule
    period = period_containing(rhythm.every, first - rule.lookback).previous()
    out = []
    while period.start <= last:
        due = admit(window, period, rule.due_at(period))
        if due is not None and first <= local_date(due) <= last:
            out.append((period, due))
        period = period.next()
    return out


def _units_by_plan(plan_ids) -> dict[int, dict[int, tuple[str, list[int]]]]:
    """{plan id: {unit id: (unit name, [task ids])}} of active tasks, units in document order: the
    units that report on each task (:func:`duban.plans.members.responsible_units`)."""
    rows = responsible_units(TaskUnit.objects.filter(task__plan_id__in=plan_ids, task__active=True))
    out: dict[int, dict[int, tuple[str, list[int]]]] = defaultdict(dict)
    for task_id, units in rows.items():
        for r in units:
            entry = out[r.plan_id].setdefault(r.unit_id, (r.name, []))
            if task_id not in entry[1]:
                entry[1].append(task_id)
    return out


def _merge_units(plans: list[int], by_plan) -> dict[int, tuple[str, list[int]]]:
    merged: dict[int, tuple[str, list[int]]] = {}
    for pk in sorted(plans):
        for unit_id, (name, tasks) in by_plan.get(pk, {}).items():
            merged.setdefault(unit_id, (name, []))[1].extend(tasks)
    return merged


def due_items(plans, start: date | datetime, end: date | datetime) -> list[DueItem]:
    """Every item due between the days ``start`` and ``end`` (inclusive) for ``plans`` (Plans or ids).

    Covers the cadences of the plans and of the plans above them (which bind their tasks); the
    reporters of an inherited cadence are limited to the tasks of the selected plans.
    """
    first, last = local_date(start), local_date(end)
    tree = PlanTree.load()
    selected = {p if isinstance(p, int) else p.pk for p in plans}
    scope = set().union(*(tree.down(pk) for pk in selected)) if selected else set()
    cadence_plans = {a for pk in selected for a in tree.up(pk)} | scope
    rhythms = load_rhythms(cadence_plans)
    plan_rows = Plan.objects.filter(pk__in=scope | cadence_plans).select_related("campaign")
    plan_by_id = {p.pk: p for p in plan_rows}
    by_plan = _units_by_plan(scope)
    offices = producer_names(cadence_plans, tree)
    windows = plan_windows()  # every item inside its programme's period
    covered: set[int] = set()  # plans whose tasks some reporting rhythm binds
    items: list[DueItem] = []

    def add(rhythm: Rhythm, plan: Plan, task_plans: list[int]) -> None:
        if rhythm.reporting:
            units = _merge_units(task_plans, by_plan)
            if not units:
                return
            reporters = [name for name, _ in units.values()]
            unit_ids = list(units)
            unit_tasks = {u: tuple(ts) for u, (_, ts) in units.items()}
        else:
            name, unit_id = offices.get(plan.pk, (rhythm.report_to or OFFICE_FALLBACK, None))
            reporters, unit_ids, unit_tasks = [name], [unit_id] if unit_id else [], {}
        for period, due in _dates(rhythm, first, last, windows.get(plan.pk)):
            items.append(
                DueItem(
                    due, period, rhythm.every, rhythm.action, plan, plan.campaign, rhythm.cadence_id,
                    rhythm.line, rhythm.text, rhythm.origin, rhythm.reporting, reporters, unit_ids,
                    rhythm.report_to, rhythm.rule.understood, unit_tasks,
                )
            )  # fmt: skip

    for plan_id in sorted(rhythms):
        task_plans = sorted(tree.down(plan_id) & scope)
        for rhythm in rhythms[plan_id]:
            add(rhythm, plan_by_id[plan_id], task_plans)
            if rhythm.reporting:
                covered.update(task_plans)
    for plan_id in sorted(scope - covered):
        if plan_id in by_plan and plan_id in plan_by_id:
            add(default_rhythm(plan_id), plan_by_id[plan_id], [plan_id])
    items.sort(key=lambda i: (i.due, KINDS.index(i.every), i.plan.pk, i.cadence_line or 0, i.action))
    return items
