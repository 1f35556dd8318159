"""Excel exports in the layouts offices already use: the 责任分解表 of a plan.

The 责任分解表 is what every 专班办公室 prints and pins up: a title row, the header row
序号 | 重点工作任务 | 牵头单位 | 责任单位 | 责任人 | 责任领导 | 完成时限 | 工作进展, one merged row per
section heading (the task's ``section`` path, e.g. 一、主要指标 / （一）… / 1.…), then the tasks.
It prints on A4 landscape, fitted to the page width, with the header row repeated on every page; each
row is as tall as its longest wrapped cell (Excel and LibreOffice do not grow rows written by a
program, so wrapped units overlapped the next row on paper). 工作进展 is the latest report of each task
(the lead unit's first), with its period and percent; the document's own text when none was made.

Text from documents and reports goes into cells as *text*, never as a formula: a cell starting with
= + - @ would otherwise run when a clerk opens the file (formula injection), so every string cell is
written with data type 's' and, when it starts with one of those, Excel's quote prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from duban.plans.models import Plan, Task, TaskUnit
from duban.tracking.models import ProgressReport

HEADER = ["序号", "重点工作任务", "牵头单位", "责任单位", "责任人", "责任领导", "完成时限", "工作进展"]
WIDTHS = [6, 60, 18, 30, 14, 12, 14, 30]  # characters; 182 in all fits A4 landscape at ~70 %
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TITLE_ROW, HEADER_ROW = 1, 2

FONT = "仿宋_GB2312"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")


def put(ws, row: int, col: int, value, *, font: Font | None = None, align: Alignment = WRAP, border=BOX):
    """Write one cell; strings always as text (data type 's'), a formula-like start quote-prefixed."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would store '=…' as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    cell.font = font or Font(name=FONT, size=11)
    cell.alignment = align
    if border is not None:
        cell.border = border
    return cell


def joined(names: Iterable[str]) -> str:
    return "、".join(n for n in names if n)


LINE_PT = 14.5  # one line of 11 pt 仿宋 in a cell
CJK_PER_WIDTH = 1.85  # column width units taken by one Chinese character at 11 pt


def text_lines(text, width: float) -> int:
    """Lines a wrapped cell of ``width`` (Excel units) takes for ``text``."""
    from math import ceil

    per_line = max(1.0, width / CJK_PER_WIDTH)
    lines = 0
    for part in str(text or "").split("\n"):
        chars = sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in part)
        lines += max(1, ceil(chars / per_line))
    return lines


def fit_row(ws, row: int, values: list, widths: list[float]) -> None:
    """Set the row's height to its tallest wrapped cell."""
    lines = max(text_lines(v, w) for v, w in zip(values, widths, strict=False))
    ws.row_dimensions[row].height = max(20, lines * LINE_PT + 6)


def latest_progress(tasks: list[Task]) -> dict[int, str]:
    """{task id: its latest reported progress}: the latest period's report, the lead unit's before the others',
    its last version: “（2023年3月，进度30%）…”."""
    leads = set(TaskUnit.objects.filter(task__in=tasks, role=TaskUnit.LEAD).values_list("task_id", "unit_id"))
    out: dict[int, tuple] = {}
    reports = ProgressReport.objects.filter(task__in=tasks).only(
        "task_id", "unit_id", "period", "version", "narrative", "percent", "submitted_at"
    )
    for r in reports:
        key = (r.period_obj.start, (r.task_id, r.unit_id) in leads, r.version, r.submitted_at)
        if r.task_id not in out or key > out[r.task_id][0]:
            out[r.task_id] = (key, r)
    return {pk: f"（{r.period_obj.label}，进度{r.percent:g}%）{r.narrative.strip()}" for pk, (_, r) in out.items()}


def task_row(task: Task, number: str, progress: str = "") -> list[str]:
    return [
        number,
        task.title,
        joined(task.lead_names),
        joined(task.co_names),
        joined(task.persons),
        joined(task.leaders),
        task.deadline,
        progress or task.progress,
    ]


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(plan: Plan, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    name = f"{plan.campaign.name}{plan.kind}" if plan.campaign else plan.title
    base = _BAD_SHEET_CHARS.sub("", name)[:27] or "方案"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}（{n}）"
    taken.add(name)
    return name


def plan_tasks(plan: Plan) -> list[Task]:
    """The plan's active tasks in document order, with their units loaded."""
    return list(plan.tasks.filter(active=True).order_by("order", "pk").prefetch_related("assignments"))


def write_responsibility_sheet(ws, plan: Plan, tasks: list[Task]) -> None:
    """One plan's 责任分解表 on ``ws``: title, header, merged section rows, tasks; frozen and print-ready."""
    ncols = len(HEADER)
    last = get_column_letter(ncols)
    put(ws, TITLE_ROW, 1, plan.title, font=Font(name="方正小标宋简体", size=16), align=CENTRE, border=None)
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 36
    for j, text in enumerate(HEADER, 1):
        put(ws, HEADER_ROW, j, text, font=Font(name="黑体", size=11), align=CENTRE)
    ws.row_dimensions[HEADER_ROW].height = 24
    for j, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(j)].width = width

    row, path, running = HEADER_ROW + 1, [], 0
    progress = latest_progress(tasks)
    for task in tasks:
        section = [s for s in (task.section or []) if s]
        common = 0
        while common < min(len(path), len(section)) and path[common] == section[common]:
            common += 1
        for depth in range(common, len(section)):  # one merged row per new heading
            for j in range(1, ncols + 1):
                put(ws, row, j, section[depth] if j == 1 else None,
                    font=Font(name="黑体" if depth == 0 else "楷体_GB2312", size=11))
            ws.merge_cells(f"A{row}:{last}{row}")
            fit_row(ws, row, [section[depth]], [sum(WIDTHS)])
            row += 1
        path = section
        running += 1
        values = task_row(task, task.seq or str(running), progress.get(task.pk, ""))
        for j, value in enumerate(values, 1):
            put(ws, row, j, value, align=CENTRE if j in (1, 7) else WRAP)
        fit_row(ws, row, values, WIDTHS)
        row += 1

    print_setup(ws, HEADER_ROW)


def print_setup(ws, header_row: int) -> None:
    """A4 landscape, all columns on one page width, the header row repeated, frozen below it, page numbers."""
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ps = ws.page_setup
    ps.orientation = ws.ORIENTATION_LANDSCAPE
    ps.paperSize = ws.PAPERSIZE_A4
    ps.fitToWidth, ps.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def responsibility_workbook(plans: Iterable[Plan]) -> tuple[Workbook, int]:
    """A workbook with one 责任分解表 sheet per plan that has active tasks; also the number of tasks.

    Raises ValueError (Chinese) when none of the plans has a task.
    """
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    count = 0
    for plan in plans:
        tasks = plan_tasks(plan)
        if not tasks:
            continue
        write_responsibility_sheet(wb.create_sheet(sheet_title(plan, taken)), plan, tasks)
        count += len(tasks)
    if not wb.worksheets:
        raise ValueError("所选方案没有任务，无法导出责任分解表")
    return wb, count
