"""Task status (任务状态) derived from reports, due items and time, by fixed rules.

The rules, checked in this order (docs/tracking.md has them with examples):

1. 已完成 — the task's latest report says 已完成 or 100%.
2. 逾期未报 — the latest period whose report is due by now has no report from the lead unit
   (from any responsible unit when the task has no lead unit).
3. 滞后 — the task's deadline (时限, e.g. '2023年6月底前') has passed.
4. 未启动 — no report yet, or the latest says 未启动 at 0%.
5. 滞后 — the latest report says 滞后, or its percent is below :data:`~duban.tracking.progress.YELLOW_AT`
   of the expected progress (the elapsed share of the task's window: 1 January of its year to its
   deadline, or to 31 December when it has none).
6. 正常推进 — otherwise.

Light: 已完成 green; 逾期未报 and 滞后 red; otherwise percent against expected progress
(:func:`duban.tracking.progress.light_for`). ``missing`` lists, per due item passed without a report,
the units that did not report (a co-unit's gap shows there even when the lead reported); nothing
falls due after the task was first reported done.

:func:`task_states` reads everything for any number of tasks in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from duban.plans.models import Plan, Task, TaskUnit
from duban.tracking.calendar import DueItem
from duban.tracking.deadlines import parse_deadline
from duban.tracking.models import DONE, LAGGING, NOT_STARTED, ON_TRACK, OVERDUE, ProgressReport
from duban.tracking.periods import local_datetime, period_containing, to_local
from duban.tracking.progress import GREEN, RED, YELLOW_AT, light_for, task_ratio
from duban.tracking.schedule import PlanTree, TaskSchedule, task_schedules


@dataclass
class TaskState:
    """A task's derived state at a moment."""

    task_id: int
    status: str
    light: str
    percent: float | None
    expected: float  # 序时进度 of the task's window, 0–1
    last_report: ProgressReport | None
    missing: list[DueItem] = field(default_factory=list)
    late_count: int = 0
    deadline: date | None = None
    reason: str = ""

    def as_json(self) -> dict:
        r = self.last_report
        return {
            "task": self.task_id,
            "status": self.status,
            "light": self.light,
            "percent": self.percent,
            "expected": round(self.expected * 100, 1),
            "last_report": None
            if r is None
            else {"id": r.pk, "period": r.period, "unit": r.unit_id, "version": r.version},
            "missing": [
                {"period": m.period.code, "due": to_local(m.due).isoformat(), "units": m.reporters}
                for m in self.missing
            ],
            "late_count": self.late_count,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "reason": self.reason,
        }


def task_window(deadline_text: str, as_of: datetime) -> tuple[datetime, datetime, date | None]:
    """(start, end, deadline) of a task's window: 1 January of its year to its deadline or year end."""
    deadline = parse_deadline(deadline_text, to_local(as_of).year)
    year = deadline.year if deadline else to_local(as_of).year
    end_day = deadline or date(year, 12, 31)
    start = local_datetime(date(min(year, end_day.year), 1, 1), time(0))
    return start, local_datetime(end_day + timedelta(days=1), time(0)), deadline


def window_share(start: datetime, end: datetime, at: datetime) -> float:
    if end <= start:
        return 1.0
    return min(1.0, max(0.0, (to_local(at) - start) / (end - start)))


def _due_periods(schedule: TaskSchedule, since: date, as_of: datetime):
    """(period, code, due, rhythm) of every report due after ``since`` and by ``as_of``, oldest first."""
    out = []
    for rhythm in schedule.rhythms:
        period = period_containing(rhythm.every, since - rhythm.rule.lookback).previous()
        while period.start <= to_local(as_of).date():
            due = rhythm.rule.due_at(period)
            if due.date() >= since and due <= as_of:
                out.append((period, due, rhythm))
            period = period.next()
    best: dict[str, tuple] = {}
    for period, due, rhythm in out:  # one entry per period: the earliest due
        code = period.code
        if code not in best or due < best[code][1]:
            best[code] = (period, due, rhythm)
    return [(p, code, due, rhythm) for code, (p, due, rhythm) in sorted(best.items(), key=lambda x: x[1][1])]


def _rank(report: ProgressReport, leads: set[int]):
    """Which report speaks for the task: latest period, then consolidated, then lead, then newest."""
    return (
        report.period_end,
        report.kind == ProgressReport.CONSOLIDATED,
        report.unit_id in leads,
        report.submitted_at,
        report.version,
    )


def task_states(tasks, as_of: datetime, since: date | None = None) -> dict[int, TaskState]:
    """{task id: TaskState} at ``as_of`` for Tasks or ids; due items count from ``since`` (default 1 January).

    Eight queries whatever the number of tasks.
    """
    as_of = to_local(as_of)
    since = since or date(as_of.year, 1, 1)
    ids = [t if isinstance(t, int) else t.pk for t in tasks]
    rows = list(Task.objects.filter(pk__in=ids).values_list("id", "plan_id", "deadline"))
    tree = PlanTree.load()
    plan_ids = {plan_id for _, plan_id, _ in rows}
    schedules = task_schedules(plan_ids, tree)
    plans = Plan.objects.select_related("campaign").in_bulk(plan_ids)
    units: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    assignments = TaskUnit.objects.filter(task_id__in=ids, unit__is_group=False).order_by("task_id", "order")
    for task_id, unit_id, name, role in assignments.values_list("task_id", "unit_id", "unit__name", "role"):
        if unit_id not in {u for u, _, _ in units[task_id]}:
            units[task_id].append((unit_id, name, role))
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    # ordered by task first: ordering by submitted_at alone makes SQLite scan the submitted_at index over
    # every report in the database (49 s instead of 3 s for a city of 2M reports, docs/benchmarks.md)
    for r in ProgressReport.objects.filter(task_id__in=ids, submitted_at__lte=as_of).order_by(
        "task_id", "submitted_at", "id"
    ):
        reports[r.task_id].append(r)
    dues = {pk: _due_periods(schedules[pk], since, as_of) for pk in plan_ids}  # shared by a plan's tasks
    return {
        task_id: _state(
            task_id, plans[plan_id], deadline, dues[plan_id], units[task_id], reports[task_id], as_of
        )
        for task_id, plan_id, deadline in rows
    }


def _state(task_id, plan, deadline_text, dues, units, reports, as_of) -> TaskState:
    leads = {u for u, _, role in units if role == TaskUnit.LEAD}
    names = {u: name for u, name, _ in units}
    start, end, deadline = task_window(deadline_text, as_of)
    expected = window_share(start, end, as_of)
    last = max(reports, key=lambda r: _rank(r, leads), default=None)
    percent = last.percent if last else None
    done = last is not None and (last.self_status == DONE or last.percent >= 100)
    done_at = min(
        (r.submitted_at for r in reports if r.self_status == DONE or r.percent >= 100), default=None
    )

    reported: dict[str, set[int]] = defaultdict(set)
    first: dict[tuple[int, str], ProgressReport] = {}
    for r in reports:
        reported[r.period].add(r.unit_id)
        first.setdefault((r.unit_id, r.period), r)
    late_count = sum(1 for r in first.values() if r.late_by is not None)

    missing: list[DueItem] = []
    last_due = None
    for period, code, due, rhythm in dues:
        if done_at is not None and due > done_at:
            continue  # nothing falls due once the task is reported done
        last_due = (period, due)
        done_units = reported.get(code, ())
        absent = [u for u in names if u not in done_units]
        if absent:
            missing.append(
                DueItem(
                    due, period, rhythm.every, rhythm.action, plan, plan.campaign, rhythm.cadence_id,
                    rhythm.line, rhythm.text, rhythm.origin, True, [names[u] for u in absent], absent,
                    rhythm.report_to, rhythm.rule.understood, {u: (task_id,) for u in absent},
                )
            )  # fmt: skip

    ratio = task_ratio(percent, expected)
    answerable = leads or set(names)
    if done:
        status, reason = DONE, f"{names.get(last.unit_id, '')}报送已完成"
    elif last_due and answerable and not (answerable & reported[last_due[0].code]):
        status, reason = (
            OVERDUE,
            f"{last_due[0].label}进展应于{to_local(last_due[1]):%m月%d日%H:%M}前报送，牵头单位未报",
        )
    elif deadline and as_of >= end:
        status, reason = LAGGING, f"已过时限（{deadline:%Y年%m月%d日}）未完成"
    elif last is None or (last.self_status == NOT_STARTED and last.percent == 0):
        status, reason = NOT_STARTED, "尚无进展报送" if last is None else "报送为未启动"
    elif last.self_status == LAGGING or (ratio is not None and ratio < YELLOW_AT):
        why = "自评滞后" if last.self_status == LAGGING else ""
        if ratio is not None and ratio < YELLOW_AT:
            why += (
                "，" if why else ""
            ) + f"进度 {percent:g}% 低于序时进度 {expected * 100:.1f}% 的 {YELLOW_AT:.0%}"
        status, reason = LAGGING, why
    else:
        status, reason = ON_TRACK, f"进度 {percent:g}%，序时进度 {expected * 100:.1f}%"
    if status == DONE:
        light = GREEN
    elif status in (OVERDUE, LAGGING):
        light = RED
    else:
        light = light_for(ratio)
    return TaskState(task_id, status, light, percent, expected, last, missing, late_count, deadline, reason)


def task_state(task, as_of: datetime) -> TaskState:
    return task_states([task], as_of)[task if isinstance(task, int) else task.pk]
