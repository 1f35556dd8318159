"""台账: every progress report of a plan (and the plans under it) as one .xlsx sheet.

The ledger offices keep by hand: one row per report version, oldest period first, with the task,
its lead unit, who reported what and whether it was late. Text cells go through
:func:`duban.briefs.exports.put`, so nothing a unit typed can run as a formula in Excel.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from duban.briefs.exports import CENTRE, put
from duban.plans.models import Plan
from duban.tracking.models import ProgressReport
from duban.tracking.periods import to_local
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
WIDTHS = [6, 40, 16, 16, 14, 6, 10, 8, 10, 50, 30, 30, 17, 10]


def ledger_workbook(plan: Plan) -> tuple[Workbook, int]:
    """(workbook, number of reports) of ``plan`` and the plans under it; three queries."""
    ids = PlanTree.load().down(plan.pk)
    reports = (
        ProgressReport.objects.filter(task__plan_id__in=ids)
        .select_related("task", "unit")
        .prefetch_related("task__assignments__unit")
        .order_by("period_start", "task__plan_id", "task__order", "unit__name", "version")
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "进展台账"
    put(ws, 1, 1, f"{plan.title} 进展台账", font=Font(name="黑体", size=14), align=CENTRE, border=None)
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
            put(ws, count + 2, j, value)
    ws.freeze_panes = "A3"
    return wb, count
