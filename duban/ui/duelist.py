"""本期待报: for one unit, which of its tasks need a report now, for which period, and what it sent before.

Rule (the issue is silent on the window, so it is fixed here): for each reporting rhythm of a task
the unit shows

* the **current item** — the period with the earliest due instant at or after now (among periods
  already begun: a report on a period that has not started is refused by ``do_submit_report``);
* **overdue items** — periods due in the last :data:`OVERDUE_DAYS` days that the unit has not
  reported (older gaps are the 督办单's business, not the form's).

A daily rhythm shows only today's item and at most :data:`MAX_OVERDUE` overdue ones per task.
Reads everything for any number of tasks in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Prefetch, Q, Window
from django.db.models.functions import RowNumber

from duban.audit.cache import STRUCTURE, STRUCTURE_LARGE, cached
from duban.plans.members import member_tasks
from duban.plans.models import Target, Task, TaskUnit, Unit
from duban.plans.periods import Period, period_containing, to_local
from duban.supervision.assignments import is_assignment_plan, returned_of
from duban.tracking.models import ProgressReport
from duban.tracking.schedule import PlanTree, TaskSchedule, task_schedules

OVERDUE_DAYS = 31
MAX_OVERDUE = 3
HISTORY = 5  # earlier reports shown per task


@dataclass
class DuePeriod:
    period: Period
    due: datetime
    reported: ProgressReport | None = None  # the unit's latest version for the period
    overdue: bool = False  # due before now and not reported
    returned: object = None  # the ReportReturn of the unit's latest version: report again (退回)

    @property
    def code(self) -> str:
        return self.period.code


@dataclass
class DueTask:
    task: Task
    role: str  # TaskUnit.LEAD / CO (the unit's role on the task)
    periods: list[DuePeriod]
    history: list[ProgressReport] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        """牵头 / 责任, as the task page says it."""
        return TaskUnit.ROLE_LABELS.get(self.role, self.role)

    @property
    def pending(self) -> list[DuePeriod]:
        return [p for p in self.periods if p.reported is None]

    @property
    def next_due(self) -> DuePeriod | None:
        return min(self.pending or self.periods, key=lambda p: p.due, default=None)


def open_periods(schedule: TaskSchedule, now: datetime) -> list[tuple[Period, datetime]]:
    """(period, due) a report may be made for now: the current item and recent ones, oldest first."""
    today = to_local(now).date()
    found: dict[str, tuple[Period, datetime]] = {}
    for rhythm in schedule.rhythms:
        rule = rhythm.rule
        period = period_containing(rhythm.every, today - timedelta(days=OVERDUE_DAYS) - rule.lookback)
        while period.start <= today:
            due = schedule.due(rhythm, period)  # inside the programme's period
            if due is None:
                period = period.next()
                continue
            if due >= now:
                found.setdefault(period.code, (period, due))
                break  # the current item: nothing later is due yet
            if due >= now - timedelta(days=OVERDUE_DAYS):
                found.setdefault(period.code, (period, due))
            period = period.next()
    return sorted(found.values(), key=lambda pd: pd[1])


def _since_given(task: Task, pairs):
    """A 督办事项 owes nothing due before it was given out (its task's creation)."""
    if not is_assignment_plan(task.plan):
        return pairs
    return [(p, due) for p, due in pairs if due >= task.created_at]


def due_tasks(
    unit_id: int, tasks, now: datetime, via_group: dict[int, str] | None = None
) -> list[DueTask]:
    """Every task of ``tasks`` (a queryset; None: all tasks) that ``unit_id`` is responsible for, with
    its open periods.

    Responsible: named on the task, or a member of a group unit it names (各县市区人民政府);
    ``via_group`` gives those tasks when the caller already has them (a reporter's permissions).
    With ``tasks`` None (a reporter's own home page) the tasks, their plans and units are plan
    structure, read once per unit, process and structure version (kept pickled: a tenth of the
    memory of the objects, and every request gets its own copy; some 80 KB each, so STRUCTURE_LARGE).
    """
    now = to_local(now)
    if via_group is None:  # {task id: role} as a member of a group unit (the caller may know it)
        unit = Unit.objects.select_related("region").filter(pk=unit_id).first()
        via_group = member_tasks(unit) if unit is not None else {}

    def read(among) -> list[Task]:
        return list(
            among.filter(Q(assignments__unit_id=unit_id) | Q(pk__in=via_group), active=True)
            .distinct()
            .select_related("plan", "plan__campaign")
            .prefetch_related(Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit")))
            .order_by("plan_id", "order")
        )

    if tasks is None:
        key = ("unit_tasks", unit_id, *sorted(via_group))
        tasks = cached(key, STRUCTURE_LARGE, lambda: read(Task.objects.all()), private=True)
    else:
        tasks = read(tasks)
    schedules = task_schedules({t.plan_id for t in tasks})
    pairs_of = {task.pk: _since_given(task, open_periods(schedules[task.plan_id], now)) for task in tasks}
    codes = {p.code for pairs in pairs_of.values() for p, _ in pairs}
    # a year of reports per task, but only the shown ones are read: the HISTORY newest of each task and
    # the newest version of each open period (window functions: one query on SQLite and PostgreSQL)
    newest = [F("submitted_at").desc(), F("id").desc()]
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    for r in (
        ProgressReport.objects.filter(task__in=tasks, unit_id=unit_id)
        .annotate(
            in_task=Window(RowNumber(), partition_by=[F("task_id")], order_by=newest),
            in_period=Window(RowNumber(), partition_by=[F("task_id"), F("period")], order_by=newest),
        )
        .filter(Q(in_task__lte=HISTORY) | Q(in_period=1, period__in=codes))
        .select_related("returned")
        .prefetch_related("attachments")
        .order_by("-submitted_at", "-id")
    ):
        reports[r.task_id].append(r)
    out = []
    for task in tasks:
        latest: dict[str, ProgressReport] = {}
        for r in reports[task.pk]:
            latest.setdefault(r.period, r)  # newest first
        roles = {a.role for a in task.assignments.all() if a.unit_id == unit_id}
        roles |= {via_group[task.pk]} if task.pk in via_group else set()
        role = TaskUnit.LEAD if TaskUnit.LEAD in roles else TaskUnit.CO
        out.append(
            DueTask(
                task=task,
                role=role,
                periods=_shown(pairs_of[task.pk], latest, now),
                history=reports[task.pk][:HISTORY],  # extra rows are older than these
            )
        )
    out.sort(
        key=lambda d: (not d.pending, d.next_due.due if d.next_due else now, d.task.plan_id, d.task.order)
    )
    return out


def _shown(pairs: list[tuple[Period, datetime]], latest: dict[str, ProgressReport], now) -> list[DuePeriod]:
    """The periods the form offers: current items, the unit's reported ones, the last few overdue gaps.

    A period whose latest version the office returned (退回) counts as not reported, with the reason."""
    returns = {code: returned_of(r) for code, r in latest.items()}
    done = {code: r for code, r in latest.items() if returns[code] is None}
    overdue = [pd for pd in pairs if pd[1] < now and pd[0].code not in done][-MAX_OVERDUE:]
    keep = [pd for pd in pairs if pd[1] >= now or pd in overdue or pd[0].code in latest]
    return [
        DuePeriod(p, due, done.get(p.code), due < now and p.code not in done, returns.get(p.code))
        for p, due in keep
    ]



def task_periods(
    task: Task, unit_id: int, now: datetime, schedule: TaskSchedule, posted: str | None = None
) -> list[DuePeriod]:
    """The periods ``unit_id`` may report ``task`` for now: the same list :func:`due_tasks` gives that task.

    For the submission (POST of the report form), which only validates the period: it reads the
    unit's reports of this task's open periods (one query) instead of the unit's whole due list
    (group memberships, every task, a year of reports), which cost most of a submission.
    ``posted``: the period code submitted. A current item is offered whatever the unit reported, so
    when it is one, the current items are returned without reading any report (their ``reported``
    left unknown): most submissions are for the current period. The caller has checked that the
    unit may report on the task.
    """
    now = to_local(now)
    pairs = _since_given(task, open_periods(schedule, now))
    if posted is not None and any(p.code == posted and due >= now for p, due in pairs):
        return [DuePeriod(p, due) for p, due in pairs if due >= now]
    latest: dict[str, ProgressReport] = {}
    for r in (
        ProgressReport.objects.filter(task_id=task.pk, unit_id=unit_id, period__in=[p.code for p, _ in pairs])
        .select_related("returned")
        .only("id", "period", "version", "submitted_at", "returned__reason")  # what the form's period list shows
        .order_by("-submitted_at", "-id")
    ):
        latest.setdefault(r.period, r)  # newest version of each period
    return _shown(pairs, latest, now)


def report_targets(tasks, tree: PlanTree | None = None) -> dict[int, list[Target]]:
    """{task id: targets its report offers actuals for}: those of the nearest plan up the tree that has any.

    Targets are not linked to tasks in the plans, so this is the closest honest offer. Read once per
    chain of plans, process and structure version (``duban.audit.cache``); the lists are shared.
    """
    tree = tree or PlanTree.load()
    return {t.pk: _nearest_targets(tuple(tree.up(t.plan_id))) for t in tasks}


def _nearest_targets(chain: tuple[int, ...]) -> list[Target]:
    def compute() -> list[Target]:
        by_plan: dict[int, list[Target]] = defaultdict(list)
        for t in Target.objects.filter(plan_id__in=chain).order_by("plan_id", "order"):
            by_plan[t.plan_id].append(t)
        return next((by_plan[p] for p in chain if by_plan[p]), [])

    return cached(("report_targets", *chain), STRUCTURE, compute)
