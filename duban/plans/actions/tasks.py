"""Tasks of an import: stored tasks matched to the parsed ones (:mod:`duban.plans.matching`), so a
revised title or a moved row keeps its Task row; tasks gone from the file are deactivated; the
document's unit assignments rewritten, the office's hand assignments kept."""

from __future__ import annotations

from duban.plans.actions.base import Tally, clip, describe
from duban.plans.matching import TaskSig, match_tasks
from duban.plans.models import Plan, SourceDocument, Task, TaskUnit
from duban.plans.units import UnitDirectory

TASK_FIELDS = {  # model field -> Chinese label, for the change report
    "title": "标题",
    "text": "全文",
    "seq": "序号",
    "section": "章节",
    "source": "出处",
    "persons": "责任人",
    "leaders": "责任领导",
    "deadline": "时限",
    "progress": "进度",
}
POSITION_FIELDS = ("line", "end_line", "order")


def _task_fields(t, order: int) -> dict:
    return {
        "title": t.title,
        "text": t.text or t.title,
        "seq": clip(Task, "seq", t.seq),
        "section": list(t.section),
        "source": t.source,
        "persons": list(t.persons),
        "leaders": list(t.leaders),
        "deadline": clip(Task, "deadline", t.deadline),
        "progress": t.progress or "",
        "line": t.line,
        "end_line": t.end_line,
        "order": order,
    }


def _assignment_rows(t, units: dict) -> list[tuple[str, str, int]]:
    """(written name, role, unit id) in document order; lead units missing from ``units`` come first."""
    leads = set(t.lead_units)
    names = [n for n in t.lead_units if n not in t.units] + list(t.units)
    return [(n, TaskUnit.LEAD if n in leads else TaskUnit.CO, units[n].pk) for n in names if n in units]


def sync_tasks(plan: Plan, doc: SourceDocument, new: list, directory: UnitDirectory, tally: Tally) -> None:
    old = list(Task.objects.filter(plan=plan).prefetch_related("assignments").order_by("order", "id"))
    units = directory.resolve(n for t in new for n in [*t.units, *t.lead_units])
    pairs = match_tasks(
        [TaskSig(o.title, o.seq, tuple(o.section), tuple(a[0] for a in _document_rows(o))) for o in old],
        [TaskSig(t.title, t.seq or "", tuple(t.section), tuple(t.units)) for t in new],
    )
    to_create, to_update, assignments = [], [], {}
    for j, t in enumerate(new):
        fields = _task_fields(t, j)
        rows = _assignment_rows(t, units)
        if j not in pairs:
            task = Task(plan=plan, source_document=doc, **fields)
            to_create.append(task)
            assignments[id(task)] = (task, rows)
            tally.added.append(describe(t.line, t.title))
            continue
        task = old[pairs[j]]
        old_rows = _document_rows(task)
        diff = [k for k, v in fields.items() if getattr(task, k) != v]
        content = [TASK_FIELDS[k] for k in diff if k in TASK_FIELDS]
        if old_rows != rows:
            content.append("责任单位")
            assignments[id(task)] = (task, rows)
        if not task.active:
            content.append("恢复有效")
        if content:
            tally.changed.append(f"{describe(t.line, t.title)}：{'、'.join(content)}")
        else:
            tally.unchanged += 1
            tally.moved += bool(diff)
        if diff or not task.active or task.source_document_id != doc.pk:
            for k in diff:
                setattr(task, k, fields[k])
            task.active, task.source_document = True, doc
            to_update.append(task)
    matched = set(pairs.values())
    for i, task in enumerate(old):
        if i not in matched and task.active:
            task.active = False
            to_update.append(task)
            tally.removed.append(describe(task.line, task.title))
    Task.objects.bulk_create(to_create)
    if to_update:
        Task.objects.bulk_update(to_update, [*TASK_FIELDS, *POSITION_FIELDS, "active", "source_document"])
    _write_assignments(assignments.values())


def _document_rows(task: Task) -> list[tuple[str, str, int]]:
    """(written name, role, unit id) of the units the document gave ``task`` (hand assignments left out)."""
    rows = sorted(task.assignments.all(), key=lambda a: a.order)  # uses the prefetch
    return [(a.written_as, a.role, a.unit_id) for a in rows if a.origin == TaskUnit.DOCUMENT]


def _write_assignments(items) -> None:
    """Rewrite the document's units of each task; the office's hand assignments (手工) are kept and
    numbered after them, unless the document now names the same unit itself."""
    items = list(items)
    if not items:
        return
    stored = TaskUnit.objects.filter(task__in=[t for t, _ in items if t.pk])
    manual: dict[int, list[TaskUnit]] = {}
    for a in stored.filter(origin=TaskUnit.MANUAL).order_by("task_id", "order"):
        manual.setdefault(a.task_id, []).append(a)
    stored.delete()
    new = []
    for task, rows in items:
        for k, (name, role, unit_id) in enumerate(rows):
            written = clip(TaskUnit, "written_as", name)
            new.append(TaskUnit(task=task, written_as=written, role=role, unit_id=unit_id, order=k))
        named = {unit_id for _, _, unit_id in rows}
        kept = [a for a in manual.get(task.pk, []) if a.unit_id not in named]
        for k, a in enumerate(kept, len(rows)):
            new.append(
                TaskUnit(task=task, written_as=a.written_as, role=a.role, unit_id=a.unit_id, order=k,
                         origin=TaskUnit.MANUAL)
            )  # fmt: skip
    TaskUnit.objects.bulk_create(new)
