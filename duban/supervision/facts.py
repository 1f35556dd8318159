"""What a check knows about each task, read from the tracking app (the adapter to it).

* Reports owed: the reporting items of the tracking calendar (:func:`duban.tracking.calendar.due_items`)
  from 1 January of the check's year to :data:`~duban.supervision.rules.BLUE_DAYS` days after it,
  one per (task, unit, period) at the earliest due instant its items give.
* Reports made: the first submission of each (task, unit, period) before the check instant — a
  later version does not make a report later.
* Status: :func:`duban.tracking.status.task_states` at the check instant (滞后 → yellow, 逾期未报 →
  red, 已完成 → nothing owed any more).

A fixed number of queries for any number of tasks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Min

from duban.plans.members import responsible_units
from duban.plans.models import Task, TaskUnit
from duban.plans.periods import local_date
from duban.supervision.rules import BLUE_DAYS, DueFact, TaskFacts
from duban.tracking.calendar import due_items
from duban.tracking.models import DONE, ProgressReport
from duban.tracking.status import task_states


def first_submissions(task_ids, before: datetime, codes=None) -> dict[tuple[int, int, str], datetime]:
    """{(task, unit, period code): first submitted_at} of reports submitted before ``before``; only
    for the period ``codes`` when given (those that fell due: a province's year of reports is large)."""
    reports = ProgressReport.objects.filter(task_id__in=task_ids, submitted_at__lt=before)
    if codes is not None:
        reports = reports.filter(period__in=codes)
    rows = reports.values("task_id", "unit_id", "period").annotate(first=Min("submitted_at"))
    return {(r["task_id"], r["unit_id"], r["period"]): r["first"] for r in rows}


def owed(tasks: list[Task], first: date, last: date) -> dict[tuple[int, int, str], tuple]:
    """{(task, unit, period code): (earliest due, period, action, unit name)} of reporting items."""
    wanted = {t.pk for t in tasks}
    plans = sorted({t.plan_id for t in tasks})
    out: dict[tuple[int, int, str], tuple] = {}
    for item in due_items(plans, first, last):
        if not item.reporting:
            continue
        names = dict(zip(item.reporter_unit_ids, item.reporters, strict=False))
        for unit_id, task_ids in item.unit_tasks.items():
            for task_id in task_ids:
                if task_id not in wanted:
                    continue
                key = (task_id, unit_id, item.period.code)
                if key not in out or item.due < out[key][0]:
                    out[key] = (item.due, item.period, item.action, names.get(unit_id, str(unit_id)))
    return out


def task_facts(tasks: list[Task], now: datetime) -> dict[int, TaskFacts]:
    """{task id: TaskFacts} at the instant ``now`` (see the module docstring)."""
    day = local_date(now - timedelta(microseconds=1))  # the check day (now is its end)
    dues = owed(tasks, date(day.year, 1, 1), day + timedelta(days=BLUE_DAYS))
    made = first_submissions([t.pk for t in tasks], now)
    states = task_states(tasks, now)
    # by plan, not by a list of task ids: a province check has 5.7 万 tasks
    plans = {t.plan_id for t in tasks}
    responsible = responsible_units(TaskUnit.objects.filter(task__plan_id__in=plans, task__active=True))
    out: dict[int, TaskFacts] = {}
    for t in tasks:
        rows = responsible.get(t.pk, ())
        state = states.get(t.pk)
        out[t.pk] = TaskFacts(
            task_id=t.pk,
            title=t.title,
            unit_names={r.unit_id: r.name for r in rows},
            lead_unit_ids=[r.unit_id for r in rows if r.role == TaskUnit.LEAD],
            status=state.status,
            status_reason=state.reason,
            percent=state.percent,
            expected=state.expected * 100,
        )
    for (task_id, unit_id, code), (due, period, action, name) in dues.items():
        facts = out[task_id]
        if facts.status == DONE:
            continue  # a finished task is not chased for reports
        facts.unit_names.setdefault(unit_id, name)
        facts.dues.append(
            DueFact(unit_id, name, period.label, period.kind, action, due, made.get((task_id, unit_id, code)))
        )
    return out
