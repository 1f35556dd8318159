"""The office gives a task to a unit by hand (手工分配), or takes that assignment back.

A group unit (各县市区人民政府) normally comes from the document text. The 督查室 also needs to hand
a city task to the counties when the document did not say so: :func:`do_assign_unit` adds a
:class:`~duban.plans.models.TaskUnit` with ``origin=手工``. Such a row is kept by every re-import of
the document (``plans.actions.tasks._write_assignments`` rewrites only the document's rows), so the
assignment, and the members' reports that hang on it, survive a revised file.

The name is read the way an import reads it (the region's :class:`~duban.plans.units.UnitDirectory`,
aliases included): a known unit or spelling is that unit; an unknown group name (各乡镇（街道）,
各县市人民政府) becomes a new group unit flagged ``is_group`` as an import would create it; any other
unknown name is refused rather than creating a unit from a typo. Assigning a child-region group
creates the child governments it stands for (as ``duban link_plans`` does), so the counties can
report at once. Both actions are atomic and audited; bad input raises :class:`CascadeError`
(Chinese) and changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from duban.audit.trail import record
from duban.cascade.plantree import CascadeError, region_ancestors
from duban.ingest.text import norm_key
from duban.plans.groups import _UNSPECIFIC, region_group_words
from duban.plans.members import members_of
from duban.plans.models import Task, TaskUnit, Unit
from duban.plans.unitnames import is_group, localize
from duban.plans.units import UnitDirectory

# what a person may write for the role (the form and the command line use the Chinese words)
ROLE_WORDS = {
    "牵头": TaskUnit.LEAD,
    "牵头单位": TaskUnit.LEAD,
    "责任": TaskUnit.CO,
    "责任单位": TaskUnit.CO,
    "配合": TaskUnit.CO,
    TaskUnit.LEAD: TaskUnit.LEAD,
    TaskUnit.CO: TaskUnit.CO,
}
ROLE_LABELS = {TaskUnit.LEAD: "牵头", TaskUnit.CO: "责任"}


def parse_role(role: str | None) -> str:
    """TaskUnit.LEAD / CO from 牵头 / 责任 (default 责任)."""
    found = ROLE_WORDS.get((role or "责任").strip())
    if found is None:
        raise CascadeError(f"角色“{role}”无效：请写 牵头 或 责任")
    return found


def _task_for_update(task: Task) -> Task:
    """The task row, locked for the rest of the transaction (two offices assigning at once)."""
    return Task.objects.select_for_update(of=("self",)).select_related("plan__region").get(pk=task.pk)


def _check_region(task: Task, unit: Unit) -> None:
    """A task is given to units of its plan's region or of a region below (a county's unit)."""
    region = task.plan.region
    if region is None:
        raise CascadeError(f"任务 #{task.pk} 所在方案没有地区，不能分配责任单位")
    if unit.region_id != region.pk and region.pk not in {r.pk for r in region_ancestors(unit.region)}:
        raise CascadeError(f"单位“{unit.name}”（{unit.region.name}）不在{region.name}或其下级地区，不能分配")


def resolve_unit(task: Task, unit: str | Unit, *, create_groups: bool = True) -> Unit:
    """The unit ``unit`` names for ``task`` (see the module docstring); CascadeError when unknown."""
    if isinstance(unit, Unit):
        _check_region(task, unit)
        return unit
    region = task.plan.region
    written = norm_key(unit or "")
    if not written:
        raise CascadeError("请填写单位名称")
    if region is None:
        raise CascadeError(f"任务 #{task.pk} 所在方案没有地区，不能分配责任单位")
    directory = UnitDirectory(region)
    group = is_group(localize(written, region.name, directory.prefix))
    if not directory.knows(written) and not (group and create_groups):
        raise CascadeError(
            f"{region.name}没有名为“{written}”的单位：请写单位的规范名称或已有别名"
            "（可在“单位管理”中查看和添加别名）"
        )
    found = directory.resolve([written])[written]
    if found.is_group and _UNSPECIFIC.search(norm_key(found.name)):
        raise CascadeError(f"“{found.name}”没有指明是哪些单位，不能分配：请直接写出具体单位")
    return found


def do_assign_unit(task: Task, unit: str | Unit, role: str = "责任", *, actor=None) -> TaskUnit:
    """Give ``task`` to ``unit`` (a name or a Unit) as 牵头 or 责任 unit, by hand (origin 手工).

    Refused (CascadeError, nothing stored): an inactive task, an unknown unit, a unit of another
    region, a unit the task already names (in the document or by hand).
    """
    role = parse_role(role)
    with transaction.atomic():
        task = _task_for_update(task)
        if not task.active:
            raise CascadeError(f"任务 #{task.pk} 已失效（修订后的方案不再列出），不能分配责任单位")
        unit = resolve_unit(task, unit)
        taken = TaskUnit.objects.filter(task=task, unit=unit).first()
        if taken is not None:
            how = "方案文件写明的" if taken.origin == TaskUnit.DOCUMENT else "已手工分配的"
            raise CascadeError(
                f"“{unit.name}”已是任务 #{task.pk} {how}{ROLE_LABELS[taken.role]}单位，不能重复分配"
            )
        _check_same_group(task, unit)
        last = TaskUnit.objects.filter(task=task).aggregate(m=Max("order"))["m"]
        row = TaskUnit.objects.create(
            task=task, unit=unit, role=role, order=0 if last is None else last + 1,
            written_as=unit.name[: TaskUnit._meta.get_field("written_as").max_length], origin=TaskUnit.MANUAL,
        )  # fmt: skip
        members = members_of(unit, plan=task.plan) if unit.is_group and region_group_words(unit.name) else []
        record(
            "task.assign_unit",
            task,
            summary=f"任务 #{task.pk}「{task.title[:40]}」手工增加{ROLE_LABELS[role]}单位“{unit.name}”"
            + (f"（{len(members)} 个成员单位）" if members else ""),
            after={"unit": unit.pk, "name": unit.name, "role": role, "members": [m.pk for m in members]},
            actor=actor,
        )
    return row


def _check_same_group(task: Task, unit: Unit) -> None:
    """Another spelling of a child-region group the task already names (各县（市、区）人民政府 beside
    各县市区人民政府) stands for the same members: refused, they would owe every report twice."""
    words = set(region_group_words(unit.name)) if unit.is_group else set()
    if not words:
        return
    for other in Unit.objects.filter(assignments__task=task, is_group=True, region_id=unit.region_id):
        if set(region_group_words(other.name)) == words:
            raise CascadeError(
                f"“{unit.name}”与任务 #{task.pk} 已有的“{other.name}”所指单位相同，不能重复分配"
            )


def do_unassign_unit(task: Task, unit: str | Unit, *, actor=None) -> TaskUnit:
    """Take back a hand assignment of ``task`` to ``unit``; returns the removed row (unsaved).

    Only hand assignments can be removed here: a unit the document names would come back with the
    next re-import, so it is refused with the way to change it (edit the file and re-import).
    Reports the unit already made stay in the task's history.
    """
    with transaction.atomic():
        task = _task_for_update(task)
        unit = resolve_unit(task, unit, create_groups=False)
        row = TaskUnit.objects.filter(task=task, unit=unit).first()
        if row is None:
            raise CascadeError(f"“{unit.name}”不是任务 #{task.pk} 的责任单位")
        if row.origin != TaskUnit.MANUAL:
            raise CascadeError(
                f"“{unit.name}”是方案文件写明的责任单位，不能在此移除：请修改方案文件后重新导入"
            )
        row.delete()
        record(
            "task.unassign_unit",
            task,
            summary=f"任务 #{task.pk}「{task.title[:40]}」移除手工分配的{ROLE_LABELS[row.role]}单位“{unit.name}”",
            before={"unit": unit.pk, "name": unit.name, "role": row.role},
            actor=actor,
        )
    return row
