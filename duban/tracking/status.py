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

:func:`task_states` reads everything for any number of tasks in a fixed number of queries. What the
reports say comes from the per-task snapshot (:mod:`duban.tracking.snapshot`), checked against the
reports table and recomputed from it where out of date, so the rules above see exactly the same facts;
only the time-dependent part is worked out here, at ``as_of``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from duban.plans.models import Plan, Task, TaskUnit
from duban.plans.periods import local_datetime, period_containing, to_local
from duban.tracking.calendar import DueItem
from duban.tracking.deadlines import parse_deadline
from duban.tracking.models import DONE, LAGGING, NOT_STARTED, ON_TRACK, OVERDUE, ProgressReport
from duban.tracking.progress import GREEN, RED, YELLOW_AT, light_for, task_ratio
from duban.tracking.schedule import PlanTree, TaskSchedule, task_schedules
from duban.tracking.snapshot import CHUNK, ReportFacts, load_facts, read_tasks


class TaskState:
    """A task's derived state at a moment.

    ``missing`` and ``last_report`` are worked out on first use: most pages need only the status,
    light and percent, and building a DueItem per missed period of every task was most of a page's
    time (docs/benchmarks-history.md). The last reports of one :func:`task_states` call load together (one query).
    """

    def __init__(self, task_id, status, light, percent, expected, late_count, deadline, reason, *,
                 last_report_id=None, missed=None, reports=None, plan=None):  # fmt: skip
        self.task_id, self.status, self.light, self.percent = task_id, status, light, percent
        self.expected, self.late_count, self.deadline, self.reason = expected, late_count, deadline, reason
        self.last_report_id = last_report_id
        self._missed = missed  # () -> [(period, due, rhythm, absent unit ids, their names)]
        self._reports = reports  # shared loader of the call's last reports
        self._plan = plan
        self._missing: list[DueItem] | None = None

    def __repr__(self) -> str:
        return f"TaskState(task={self.task_id}, {self.status}, {self.light}, {self.percent}, {self.reason!r})"

    @property
    def last_report(self) -> ProgressReport | None:
        if self.last_report_id is None:
            return None
        if self._reports is None:  # unpickled from the page cache: read it alone
            self._reports = _LastReports([self.last_report_id])
        return self._reports.get(self.last_report_id)

    def __getstate__(self) -> dict:
        """Picklable (the page cache): the missed items are worked out, the report loader dropped."""
        state = dict(self.__dict__)
        state["_missing"], state["_missed"], state["_reports"] = self.missing, None, None
        return state

    def _missed_rows(self) -> list[tuple]:
        if self._missed is None:
            return []
        if not isinstance(self._missed, list):
            self._missed = self._missed()  # worked out once
        return self._missed

    def missing_reporters(self) -> list[list[str]]:
        """Per due item passed without a report: the names of the units that did not report."""
        if self._missing is not None:
            return [m.reporters for m in self._missing]
        return [names for *_, names in self._missed_rows()]

    @property
    def missing(self) -> list[DueItem]:
        if self._missing is None:
            self._missing = [
                DueItem(
                    due, period, rhythm.every, rhythm.action, self._plan, self._plan.campaign,
                    rhythm.cadence_id, rhythm.line, rhythm.text, rhythm.origin, True, names, absent,
                    rhythm.report_to, rhythm.rule.understood, {u: (self.task_id,) for u in absent},
                )
                for period, due, rhythm, absent, names in self._missed_rows()
            ]  # fmt: skip
        return self._missing

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


def task_window(deadline_text: str, as_of: datetime, window=None) -> tuple[datetime, datetime, date | None]:
    """(start, end, deadline) of a task's window: 1 January of its year to its deadline or year end.
    Its year is that of ``as_of`` brought inside the programme's ``window`` (first, last day), if given:
    a 2023 plan read in 2026 is measured against 2023."""
    year = to_local(as_of).year
    if window is not None:
        year = min(max(year, window[0].year), window[1].year)
    deadline = parse_deadline(deadline_text, year)
    year = deadline.year if deadline else year
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
            due = schedule.due(rhythm, period)  # inside the programme's period
            if due is not None and to_local(due).date() >= since and due <= as_of:
                out.append((period, due, rhythm))
            period = period.next()
    best: dict[str, tuple] = {}
    for period, due, rhythm in out:  # one entry per period: the earliest due
        code = period.code
        if code not in best or due < best[code][1]:
            best[code] = (period, due, rhythm)
    return [(p, code, due, rhythm) for code, (p, due, rhythm) in sorted(best.items(), key=lambda x: x[1][1])]


def _first_day(schedule: TaskSchedule, as_of: datetime) -> date:
    """Where due items count from by default: the programme's first day, else 1 January of ``as_of``."""
    return schedule.window[0] if schedule.window else date(as_of.year, 1, 1)


def done_candidates(task_ids, as_of: datetime) -> set[int]:
    """The tasks of ``task_ids`` that may be 已完成 at ``as_of``: those with a report by then that says
    done (自评已完成 or 100 %), which the report speaking for a done task is (one query per chunk of ids).

    A caller that only needs to know which tasks are done asks :func:`task_states` about these alone.
    """
    out: set[int] = set()
    ids = sorted(set(task_ids))
    for k in range(0, len(ids), CHUNK):
        out.update(
            ProgressReport.objects.filter(task_id__in=ids[k : k + CHUNK], submitted_at__lte=as_of)
            .filter(Q(self_status=DONE) | Q(percent__gte=100))
            .order_by()
            .values_list("task_id", flat=True)
            .distinct()
        )
    return out


def task_states(tasks, as_of: datetime, since: date | None = None) -> dict[int, TaskState]:
    """{task id: TaskState} at ``as_of`` for Tasks or ids; due items count from ``since`` (default: the
    first day of the plan's programme, or 1 January).

    A fixed number of queries whatever the number of tasks: the report facts come from the
    snapshot rows (:func:`duban.tracking.snapshot.load_facts`), recomputed from the reports only
    for tasks whose row is out of date or younger than ``as_of``.
    """
    as_of = to_local(as_of)
    ids = [t if isinstance(t, int) else t.pk for t in tasks]
    rows, found = read_tasks(ids)
    tree = PlanTree.load()
    plan_ids = {plan_id for _, plan_id, _ in rows}
    schedules = task_schedules(plan_ids, tree)
    plans = {t.plan_id: t.plan for t in tasks if isinstance(t, Task) and Task.plan.is_cached(t)}
    if plan_ids - set(plans):  # the caller's tasks came without their plans
        plans.update(Plan.objects.select_related("campaign").in_bulk(plan_ids - set(plans)))
    units: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    assignments = TaskUnit.objects.filter(task_id__in=ids, unit__is_group=False).order_by("task_id", "order")
    for task_id, unit_id, name, role in assignments.values_list("task_id", "unit_id", "unit__name", "role"):
        if unit_id not in {u for u, _, _ in units[task_id]}:
            units[task_id].append((unit_id, name, role))
    facts = load_facts(
        found, {t: {u for u, _, role in units[t] if role == TaskUnit.LEAD} for t, _, _ in rows}, as_of
    )
    dues = {  # shared by a plan's tasks; by default from the start of the plan's programme, or 1 January
        pk: _due_periods(schedules[pk], since or _first_day(schedules[pk], as_of), as_of) for pk in plan_ids
    }
    starts = given_out(ids, plans.values())
    reports = _LastReports()
    out = {}
    for task_id, plan_id, deadline in rows:
        out[task_id] = _state(
            task_id, plans[plan_id], deadline, dues[plan_id], units[task_id], facts[task_id], as_of, reports,
            schedules[plan_id].window,
            starts.get(task_id),
        )  # fmt: skip
        reports.ids.append(out[task_id].last_report_id)
    return out


class _LastReports:
    """The last reports of one task_states call, read together (one query) when first asked for."""

    def __init__(self, ids=None):
        self.ids: list[int | None] = ids or []
        self.loaded: dict[int, ProgressReport] | None = None

    def get(self, pk: int) -> ProgressReport | None:
        if self.loaded is None:
            self.loaded = ProgressReport.objects.in_bulk([i for i in self.ids if i is not None])
        return self.loaded.get(pk)


# Who says when a task was given out: 督办事项 (supervision, above tracking) register a function from
# their AppConfig.ready(), like timeline sources, so tracking never imports supervision.
GivenOut = Callable[[list[int], Iterable[Plan]], dict[int, datetime]]
_GIVEN_OUT: dict[str, GivenOut] = {}


def register_given_out(name: str, provider: GivenOut) -> None:
    """``provider(task_ids, plans)`` -> {task id: when it was 交办ed} for the tasks it knows."""
    _GIVEN_OUT[name] = provider


def given_out(task_ids, plans) -> dict[int, datetime]:
    """{task id: when it was given out} for the tasks among ``task_ids`` that were 交办ed: nothing is
    due from such a task before then."""
    out: dict[int, datetime] = {}
    for provider in _GIVEN_OUT.values():
        out.update(provider(task_ids, plans))
    return out


def _state(task_id, plan, deadline_text, dues, units, facts: ReportFacts, as_of, reports, window=None, given=None) -> TaskState:
    names = {u: name for u, name, _ in units}
    start, end, deadline = task_window(deadline_text, as_of, window)
    if given is not None:  # a 督办事项: its window opens when it was given out
        start = max(start, to_local(given))
        dues = [d for d in dues if d[2] >= given]
    expected = window_share(start, end, as_of)
    has_last = facts.last_id is not None
    percent = facts.last_percent if has_last else None
    done = facts.done
    done_at = facts.done_at
    reported = facts.reported

    counted = [d for d in dues if done_at is None or d[2] <= done_at]  # nothing falls due once done
    last_due = (counted[-1][0], counted[-1][2]) if counted else None

    def missed():
        out = []
        for period, code, due, rhythm in counted:
            done_units = reported.get(code, ())
            absent = [u for u in names if u not in done_units]
            if absent:
                out.append((period, due, rhythm, absent, [names[u] for u in absent]))
        return out

    ratio = task_ratio(percent, expected)
    answerable = set(facts.leads) or set(names)
    if done:
        status, reason = DONE, f"{names.get(facts.last_unit_id, '')}报送已完成"
    elif last_due and answerable and not answerable.intersection(reported.get(last_due[0].code, ())):
        status, reason = (
            OVERDUE,
            f"{last_due[0].label}进展应于{to_local(last_due[1]):%m月%d日%H:%M}前报送，牵头单位未报",
        )
    elif deadline and as_of >= end:
        status, reason = LAGGING, f"已过时限（{deadline:%Y年%m月%d日}）未完成"
    elif not has_last or (facts.last_status == NOT_STARTED and facts.last_percent == 0):
        status, reason = NOT_STARTED, "尚无进展报送" if not has_last else "报送为未启动"
    elif facts.last_status == LAGGING or (ratio is not None and ratio < YELLOW_AT):
        why = "自评滞后" if facts.last_status == LAGGING else ""
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
    return TaskState(
        task_id, status, light, percent, expected, facts.late_count, deadline, reason,
        last_report_id=facts.last_id, missed=missed, reports=reports, plan=plan,
    )  # fmt: skip


def task_state(task, as_of: datetime) -> TaskState:
    return task_states([task], as_of)[task if isinstance(task, int) else task.pk]
