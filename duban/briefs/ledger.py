"""台账: every progress report of a plan (and the plans under it) as one .xlsx sheet, for all units or one.

The ledger offices keep by hand: one row per report version, oldest period first, with the task,
its lead unit, who reported what and whether it was late. A unit's own ledger (``unit=``) holds only
the reports that unit submitted. Text cells go through :func:`duban.briefs.exports.put`, so nothing a
unit typed can run as a formula in Excel. Used by the downloads page and by ``duban export --kind 台账``. Printed as the 责任分解表: A4 landscape, all
columns on one page width, the header row on every page, rows as tall as their wrapped text.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from duban.briefs.exports import CENTRE, WRAP, fit_row, print_setup, put
from duban.ingest.text import nospace
from duban.plans.members import responsible_units
from duban.plans.models import Plan, TaskUnit, Unit, UnitAlias
from duban.plans.periods import to_local
from duban.tracking.models import ProgressReport
from duban.tracking.schedule import PlanTree
from duban.tracking.timeline import format_duration

HEADER = [
    "序号",
    "任务",
    "牵头单位",
    "报送单位",
    "期间",
    "版本",
    "类别",
    "进度（%）",
    "自评状态",
    "工作进展",
    "存在问题",
    "需协调事项",
    "报送时间",
    "逾期",
]
WIDTHS = [5, 30, 14, 14, 12, 5, 7, 7, 8, 44, 26, 24, 12, 9]  # fitted to one A4 landscape width at ~60 %


class LedgerError(ValueError):
    """A unit that is not responsible for any task of the plan; the message is for the user."""


def find_plan_unit(plan: Plan, name: str) -> Unit:
    """A unit responsible for a task of ``plan`` (or a plan under it) by name, spelling in the plan or alias."""
    ids = PlanTree.load().down(plan.pk)
    word = nospace(name or "")
    rows = TaskUnit.objects.filter(task__plan_id__in=ids, task__active=True, unit__is_group=False)
    # named on a task or standing in one of its group units (各成员单位): both report, both have a ledger
    every = responsible_units(TaskUnit.objects.filter(task__plan_id__in=ids, task__active=True))
    unit_ids = {r.unit_id for units in every.values() for r in units}
    found = Unit.objects.filter(pk__in=unit_ids, name=word).first()
    if found is None:
        found = next((a.unit for a in rows.filter(written_as=word).select_related("unit")[:1]), None)
    if found is None:
        alias = UnitAlias.objects.filter(name=word, unit_id__in=unit_ids).select_related("unit").first()
        found = alias.unit if alias else None
    if found is None:
        raise LedgerError(f"“{name}”不是方案“{plan.title}”中任何任务的责任单位")
    return found


def ledger_workbook(plan: Plan, unit: Unit | None = None) -> tuple[Workbook, int]:
    """(workbook, number of reports) of ``plan`` and the plans under it (of ``unit`` only, if given); three queries."""
    ids = PlanTree.load().down(plan.pk)
    reports = (
        ProgressReport.objects.filter(task__plan_id__in=ids)
        .select_related("task", "unit")
        .prefetch_related("task__assignments__unit")
        .order_by("period_start", "task__plan_id", "task__order", "unit__name", "version")
    )
    if unit is not None:
        reports = reports.filter(unit=unit)
    wb = Workbook()
    ws = wb.active
    ws.title = "进展台账"
    title = f"{plan.title} {unit.name} 进展台账" if unit is not None else f"{plan.title} 进展台账"
    put(ws, 1, 1, title, font=Font(name="黑体", size=14), align=CENTRE, border=None)
    ws.merge_cells(f"A1:{get_column_letter(len(HEADER))}1")
    for j, text in enumerate(HEADER, 1):
        put(ws, 2, j, text, font=Font(name="黑体", size=11), align=CENTRE)
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS[j - 1]
    count = 0
    for count, r in enumerate(reports, 1):
        leads = "、".join(a.unit.name for a in r.task.assignments.all() if a.role == "lead")
        row = [
            str(count),
            r.task.title,
            leads,
            r.unit.name,
            r.period_obj.label,
            str(r.version),
            r.kind,
            r.percent,
            r.self_status,
            r.narrative,
            r.problems,
            r.coordination_needs,
            f"{to_local(r.submitted_at):%Y-%m-%d %H:%M}",
            format_duration(r.late_by) if r.late_by else "",
        ]
        for j, value in enumerate(row, 1):
            put(ws, count + 2, j, value, align=CENTRE if j in (1, 6, 7, 8, 9) else WRAP)
        fit_row(ws, count + 2, row, WIDTHS)
    print_setup(ws, 2)
    return wb, count
