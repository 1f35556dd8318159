"""`duban export PLAN --kind 责任分解表`: the real samples' tables as .xlsx, in the offices' layout."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.briefs.exports import HEADER
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Task, TaskUnit
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def xinshao():
    do_ingest_file(sample_path("003"))  # 新邵县
    return Plan.objects.filter(region__name="新邵县", active=True)


def export(*args, **options) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out, **options)
    return out.getvalue()


def biggest_table(plans) -> Plan:
    tables = [p for p in plans if p.kind == "责任分解表"]
    return max(tables, key=lambda p: p.tasks.filter(active=True).count())


def task_rows(ws):
    """Rows after the header that are not merged section rows, as lists of strings."""
    merged = {r.min_row for r in ws.merged_cells.ranges}
    return [
        [c or "" for c in row]
        for i, row in enumerate(ws.iter_rows(min_row=3, values_only=True), 3)
        if i not in merged
    ]


def test_layout_sections_and_every_task(xinshao, tmp_path):
    plan = biggest_table(xinshao)
    tasks = list(plan.tasks.filter(active=True).order_by("order").prefetch_related("assignments"))
    assert len(tasks) > 20
    out = tmp_path / "zr.xlsx"
    assert f"{len(tasks)} 项任务" in export(str(plan.pk), kind="责任分解表", out=str(out))
    wb = openpyxl.load_workbook(out)
    (ws,) = wb.worksheets
    assert ws["A1"].value == plan.title
    assert [c.value for c in ws[2]] == HEADER
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 60

    merged = sorted(ws.merged_cells.ranges, key=lambda r: r.min_row)
    assert all(r.min_col == 1 and r.max_col == len(HEADER) and r.min_row == r.max_row for r in merged)
    headings = [ws.cell(row=r.min_row, column=1).value for r in merged[1:]]  # [0] is the title row
    sections = {s for t in tasks for s in t.section}
    assert set(headings) == sections
    assert len(headings) >= len(sections)

    rows = task_rows(ws)
    assert len(rows) == len(tasks)
    for row, t in zip(rows, tasks, strict=True):
        assert row[1] == t.title
        assert row[2] == "、".join(t.lead_names)
        assert row[3] == "、".join(t.co_names)
        assert row[5] == "、".join(t.leaders)
        assert row[0] == (t.seq or row[0])
    # the first heading row comes right before the first task, deepest heading last
    first_task_row = next(
        i for i in range(3, ws.max_row + 1) if ws.cell(row=i, column=2).value == tasks[0].title
    )
    cell = ws.cell(row=first_task_row, column=2)
    assert cell.alignment.wrap_text and cell.border.left.style == "thin" and cell.font.name == "仿宋_GB2312"
    assert [
        ws.cell(row=first_task_row - len(tasks[0].section) + k, column=1).value
        for k in range(len(tasks[0].section))
    ] == tasks[0].section


def test_hostile_cells_stay_text(xinshao, tmp_path):
    plan = biggest_table(xinshao)
    first, second = plan.tasks.filter(active=True).order_by("order")[:2]
    Task.objects.filter(pk=first.pk).update(title="=cmd|' /C calc'!A0", deadline="+1+1")
    Task.objects.filter(pk=second.pk).update(persons=["@SUM(1+1)"], progress="-2+3")
    out = tmp_path / "evil.xlsx"
    export(str(plan.pk), out=str(out))
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("=cmd|' /C calc'!A0", "+1+1", "@SUM(1+1)", "-2+3"):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_region_exports_one_sheet_per_plan(xinshao, tmp_path):
    out = tmp_path / "all.xlsx"
    msg = export("新邵县", out=str(out))
    with_tasks = [p for p in xinshao if p.tasks.filter(active=True).exists()]
    wb = openpyxl.load_workbook(out)
    assert len(wb.worksheets) == len(with_tasks) > 5
    assert len(set(wb.sheetnames)) == len(wb.sheetnames)
    total = sum(p.tasks.filter(active=True).count() for p in with_tasks)
    assert f"{len(with_tasks)} 个方案、{total} 项任务" in msg
    assert sum(len(task_rows(ws)) for ws in wb.worksheets) == total


def test_bad_requests_are_clear_errors(xinshao, tmp_path):
    empty = next(p for p in xinshao if not p.tasks.exists())
    with pytest.raises(CommandError, match="没有任务"):
        export(str(empty.pk), out=str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="不支持的导出类型“工资表”"):
        export(str(empty.pk), kind="工资表", out=str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="不是方案.*任何任务的责任单位"):
        export(str(empty.pk), kind="台账", unit="市发改委", out=str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="找不到方案"):
        export("不存在的方案", out=str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="须以 .xlsx 结尾"):
        export("新邵县", out=str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="输出目录不存在"):
        export("新邵县", out=str(tmp_path / "nope" / "x.xlsx"))
    assert not list(tmp_path.iterdir())


def test_rows_fit_their_text_and_progress_comes_from_the_reports(xinshao, tmp_path):
    """Each task row is as tall as its longest wrapped cell; 工作进展 is the latest report (the lead unit's),
    with its period and percent; the 台账 prints A4 landscape, one page wide, header repeated."""
    from duban.tracking.actions import do_submit_report
    from tests.tracking_helpers import at

    plan = biggest_table(xinshao)
    tasks = list(plan.tasks.filter(active=True).order_by("order").prefetch_related("assignments__unit"))
    leads = {a.task_id: a.unit for a in TaskUnit.objects.filter(task__in=tasks, unit__is_group=False)
             .order_by("role").select_related("unit")}  # lead last: it wins
    task = next(t for t in tasks if t.pk in leads)
    lead = leads[task.pk]
    do_submit_report(lead, task, "2024-04", narrative="完成项目选址", percent=20, status="正常推进", at=at(2024, 5, 2))
    do_submit_report(lead, task, "2024-05", narrative="已开工建设，完成投资1.2亿元", percent=45, status="正常推进",
                     at=at(2024, 6, 2))
    out = tmp_path / "zr.xlsx"
    export(str(plan.pk), kind="责任分解表", out=str(out))
    ws = openpyxl.load_workbook(out).worksheets[0]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=2).value == task.title)
    assert ws.cell(row=row, column=8).value == "（2024年5月，进度45%）已开工建设，完成投资1.2亿元"
    longest = max((r for r in range(3, ws.max_row + 1)), key=lambda r: len(ws.cell(row=r, column=2).value or ""))
    text = ws.cell(row=longest, column=2).value
    lines = -(-len(text) // int(ws.column_dimensions["B"].width / 1.85))
    assert ws.row_dimensions[longest].height >= lines * 14.5 > 20  # wrapped lines do not overlap the next row
    assert all(ws.row_dimensions[r].height for r in range(3, ws.max_row + 1))

    ledger = tmp_path / "tz.xlsx"
    export(str(plan.pk), kind="台账", out=str(ledger))
    ws = openpyxl.load_workbook(ledger).worksheets[0]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2" and ws.freeze_panes == "A3"
    assert ws.row_dimensions[3].height >= 20
