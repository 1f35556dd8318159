"""The plan browser's task list: filters (unit, leader, status, light, deadline), search, the tree.

Filtering runs in a fixed number of queries whatever the plan size: the text search and the unit
go to the database; leader, deadline, status and light are decided in Python on the rows already
loaded (status and light from :func:`duban.tracking.status.task_states`, eight queries).
"""

from __future__ import annotations

from datetime import date
from itertools import groupby

from django import forms
from django.db.models import Prefetch, Q

from duban.plans.models import Task, TaskUnit, Unit
from duban.plans.periods import to_local
from duban.tracking.deadlines import parse_deadline
from duban.tracking.models import TASK_STATUSES
from duban.tracking.progress import LIGHT_LABELS
from duban.tracking.status import task_states

DEADLINE_CHOICES = [
    ("", "全部"),
    ("passed", "已过时限"),
    ("30", "30 天内到期"),
    ("90", "90 天内到期"),
    ("dated", "有明确时限"),
    ("none", "无明确时限"),
]


class TaskFilterForm(forms.Form):
    """GET form above every task list; every field optional."""

    q = forms.CharField(label="搜索", required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )
    leader = forms.ChoiceField(label="责任领导", required=False)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *[(s, s) for s in TASK_STATUSES]]
    )
    light = forms.ChoiceField(label="灯色", required=False, choices=[("", "全部灯色"), *LIGHT_LABELS.items()])
    deadline = forms.ChoiceField(label="时限", required=False, choices=DEADLINE_CHOICES)

    def __init__(self, data, *, units, leaders):
        super().__init__(data)
        self.fields["unit"].queryset = units
        self.fields["leader"].choices = [("", "全部领导"), *[(n, n) for n in leaders]]


def load_tasks(tasks):
    """Active tasks in document order with their units as written (two queries when iterated);
    the full text is left in the database (the list shows titles, the search runs in SQL)."""
    return (
        tasks.filter(active=True)
        .defer("text", "progress")
        .order_by("plan__source_document_id", "plan__order", "order")
        .prefetch_related(Prefetch("assignments", queryset=TaskUnit.objects.order_by("order")))
    )


def _deadline_ok(task: Task, rule: str, today: date) -> bool:
    if not rule:
        return True
    day = parse_deadline(task.deadline, today.year)
    if rule == "none":
        return day is None
    if day is None:
        return False
    if rule == "passed":
        return day < today
    if rule == "dated":
        return True
    return today <= day <= date.fromordinal(today.toordinal() + int(rule))


def filter_tasks(tasks, data: dict, as_of) -> tuple[list[Task], dict]:
    """Apply the cleaned filter ``data`` to the queryset ``tasks``: (tasks, {task id: TaskState})."""
    q = (data.get("q") or "").strip()
    if q:
        tasks = tasks.filter(Q(title__icontains=q) | Q(text__icontains=q) | Q(seq=q))
    if data.get("unit"):
        tasks = tasks.filter(pk__in=TaskUnit.objects.filter(unit=data["unit"]).values("task_id"))
    rows = list(load_tasks(tasks))
    if data.get("leader"):
        rows = [t for t in rows if data["leader"] in t.leaders]
    today = to_local(as_of).date()
    rows = [t for t in rows if _deadline_ok(t, data.get("deadline") or "", today)]
    states = task_states(rows, as_of) if rows else {}
    if data.get("status"):
        rows = [t for t in rows if states[t.pk].status == data["status"]]
    if data.get("light"):
        rows = [t for t in rows if states[t.pk].light == data["light"]]
    return rows, states


def leaders_of(tasks) -> list[str]:
    """Distinct 责任领导 names of ``tasks`` (a queryset), sorted; one query."""
    names = set()
    for leaders in tasks.filter(active=True).values_list("leaders", flat=True):
        names.update(leaders or [])
    return sorted(names)


def units_of(tasks):
    """Units named on ``tasks`` (a queryset) for the unit filter."""
    ids = TaskUnit.objects.filter(task__in=tasks.filter(active=True), unit__is_group=False).values("unit_id")
    return Unit.objects.filter(pk__in=ids).order_by("name")


def tree(plans, rows: list[Task], states: dict, limit: int | None = None) -> list[dict]:
    """plan → section → tasks, each task with its state; plans without a matching task dropped.
    At most ``limit`` tasks are placed (a long list is cut, the page says how many were found)."""
    by_plan: dict[int, list[Task]] = {}
    for t in rows[:limit]:
        t.state = states.get(t.pk)
        by_plan.setdefault(t.plan_id, []).append(t)
    out = []
    for plan in plans:
        tasks = by_plan.get(plan.pk)
        if not tasks:
            continue
        sections = [
            {"section": list(key), "tasks": list(group)}
            for key, group in groupby(tasks, key=lambda t: tuple(t.section))
        ]
        out.append({"plan": plan, "sections": sections, "count": len(tasks)})
    return out
