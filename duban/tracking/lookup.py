"""Finding a task and one of its units from what a user types (`duban report 123 --unit 市发改委`)."""

from __future__ import annotations

from duban.ingest.text import nospace
from duban.plans.models import Task, Unit, UnitAlias


class TaskLookupError(LookupError):
    """No such task or unit; the message is for the user."""


def find_task(arg: str) -> Task:
    """A task by id ('12', '#12') or by its stable key (16 hex digits)."""
    word = nospace(str(arg or "")).lstrip("#")
    task = None
    if word.isdigit():
        task = Task.objects.filter(pk=int(word)).select_related("plan").first()
    if task is None and word:
        task = Task.objects.filter(key=word.lower()).select_related("plan").first()
    if task is None:
        raise TaskLookupError(f"找不到任务“{arg}”：请用任务编号或标识（key）")
    return task


def find_task_unit(task: Task, name: str) -> Unit:
    """One of the task's responsible units by its name, the spelling in the plan, or an alias."""
    word = nospace(name or "")
    rows = list(task.assignments.select_related("unit").order_by("order"))
    for a in rows:
        if word in (a.unit.name, nospace(a.written_as)):
            return a.unit
    aliased = UnitAlias.objects.filter(name=word, unit_id__in=[a.unit_id for a in rows]).first()
    if aliased:
        return aliased.unit
    listed = "、".join(dict.fromkeys(a.unit.name for a in rows)) or "（无）"
    raise TaskLookupError(f"“{name}”不是该任务的责任单位；该任务的责任单位：{listed}")
