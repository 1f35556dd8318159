"""Loaders: .docx, .xlsx, .pdf and .html become the lines the text passes read.

End to end, a table from a published sample rebuilt as Word, Excel, PDF or HTML must parse to the
same tasks as the published text itself; the loaders' own shape (one tab-separated line per row,
merged cells once, headings, bold lead-ins, auto-numbering) is checked on small built files.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from duban.ingest import parse_file
from duban.ingest.bundled import GOLD_DIR
from duban.ingest.formats import (
    chinese_number,
    docx_lines,
    glue,
    html_lines,
    join_pieces,
    merge_split_titles,
    pdf_lines,
    table_lines,
    xlsx_lines,
)
from duban.ingest.load import load_lines
from duban.ingest.text import nospace, strip_markup
from tests.conftest import sample_path


def _cells(line: str) -> list[str]:
    return [strip_markup(c).strip() for c in line.split("\t")]


def first_table(prefix: str):
    """The first tab table of a sample: (title, header, rows, first line no, last line no);
    repeated headers (page breaks) and blank lines dropped, markup removed from cells."""
    with open(sample_path(prefix), encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("序号\t"))
    title = next(strip_markup(ln).strip() for ln in reversed(lines[:start]) if ln.strip())
    header = _cells(lines[start])
    rows, end = [], start
    for i in range(start + 1, len(lines)):
        if not lines[i].strip():
            continue
        if "\t" not in lines[i]:
            break
        end = i
        if _cells(lines[i]) != header:
            rows.append(_cells(lines[i]))
    return title, header, rows, start + 1, end + 1


def is_section(row: list[str]) -> bool:
    return bool(row[0]) and not any(row[1:])


def task_key(t):
    return (t.seq, t.title, t.section, t.units, t.lead_units, t.persons, t.leaders, t.deadline)


@pytest.fixture(scope="module")
def table_000():
    return first_table("000")


@pytest.fixture(scope="module")
def reference_tasks(table_000, parsed_samples):
    """Tasks the parser finds in that table of the published text."""
    _, _, _, first, last = table_000
    tasks = [task_key(t) for t in parsed_samples["000"].tasks if first <= t.line <= last and t.source == "table"]
    assert len(tasks) > 40
    return tasks


# ---------------------------------------------------------------------------------------------
# small-string helpers


def test_glue_joins_at_punctuation_and_keeps_one_unit_per_line_apart():
    assert glue("市发改委", "市财政局") == "市发改委 市财政局"
    assert glue("市发改委、", "市财政局") == "市发改委、市财政局"
    assert glue("邵阳经济技术开发", "区管委会", wrapped=True) == "邵阳经济技术开发区管委会"
    assert glue("5G", "network", wrapped=True) == "5G network"
    assert join_pieces(["重点工作\t", "", "  任务  "]) == "重点工作 任务"


def test_table_lines_keep_width_and_put_titles_above_the_table_as_plain_lines():
    rows = [["某某责任分解表", "", ""], ["序号", "任务", "牵头单位", ""], ["一、指标"], [], ["1", "任务甲", "县发改局"]]
    assert table_lines(rows) == ["某某责任分解表", "序号\t任务\t牵头单位", "一、指标\t\t", "", "1\t任务甲\t县发改局"]


def test_merge_split_titles_joins_only_what_reads_as_a_title():
    items = [("邵阳市打好“发展六仗”", True), ("总体方案", True), ("正文。", False)]
    assert merge_split_titles(items) == ["邵阳市打好“发展六仗”总体方案", "正文。"]
    # a centred heading followed by a centred title stays apart
    assert merge_split_titles([("附件1", True), ("某县工作方案", True)]) == ["附件1", "某县工作方案"]
    assert merge_split_titles([("一、总体要求", True), ("（一）目标", True)]) == ["一、总体要求", "（一）目标"]
    # a masthead above a complete title is not part of it
    assert merge_split_titles([("某县人民政府文件", True), ("某县打好经济增长主动仗工作方案", True)]) == [
        "某县人民政府文件", "某县打好经济增长主动仗工作方案"]
    assert merge_split_titles([("沅江市打好优化发展环境持久仗重点工作", True), ("任务清单", True)]) == [
        "沅江市打好优化发展环境持久仗重点工作任务清单"]


@pytest.mark.parametrize("n,text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"), (105, "一百零五"),
                                    (110, "一百一十")])
def test_chinese_number(n, text):
    assert chinese_number(n) == text


# ---------------------------------------------------------------------------------------------
# .docx


def build_docx(path, title, header, rows, *, bold_sections=True):
    d = docx.Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(title).bold = True
    table = d.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        if is_section(row):
            merged = cells[0].merge(cells[-1])
            merged.paragraphs[0].add_run(row[0]).bold = bold_sections
            continue
        for cell, text in zip(cells, row, strict=False):
            cell.text = text
    d.add_paragraph("备注：表后说明。")
    d.save(path)
    return path


def test_docx_table_parses_like_the_published_text(tmp_path, table_000, reference_tasks):
    title, header, rows, _, _ = table_000
    path = build_docx(tmp_path / "plan.docx", title, header, rows)
    result = parse_file(str(path))
    assert [d.title for d in result.documents] == [title]
    assert [task_key(t) for t in result.tasks if t.source == "table"] == reference_tasks
    first = result.tasks[0]
    assert first.seq == "1" and first.lead_units == ["市发展和改革委员会"]
    assert "各县市区人民政府" in first.units


def test_docx_lines_keep_order_headings_bold_and_merged_cells(tmp_path):
    d = docx.Document()
    d.add_heading("一、总体要求", level=2)
    p = d.add_paragraph()
    p.add_run("激发释放消费潜力。").bold = True
    p.add_run("把恢复和扩大消费摆在优先位置。")
    t = d.add_table(rows=4, cols=4)
    for cell, text in zip(t.rows[0].cells, ["序号", "任务", "牵头单位", "责任单位"], strict=True):
        cell.text = text
    t.cell(1, 0).merge(t.cell(1, 3)).text = "一、主要指标"
    for r, (seq, task, co) in enumerate([("1", "任务甲", "县统计局"), ("2", "任务乙", "县住建局")], start=2):
        t.cell(r, 0).text, t.cell(r, 1).text, t.cell(r, 3).text = seq, task, co
    lead = t.cell(2, 2).merge(t.cell(3, 2))  # one lead unit for both rows
    lead.text = "县发改局"
    lead.add_paragraph("县财政局")  # a second unit on its own line
    d.add_paragraph("正文继续。")
    path = tmp_path / "a.docx"
    d.save(path)
    assert docx_lines(str(path)) == [
        "## **一、总体要求**",
        "**激发释放消费潜力。**把恢复和扩大消费摆在优先位置。",
        "序号\t任务\t牵头单位\t责任单位",
        "一、主要指标\t\t\t",
        "1\t任务甲\t县发改局 县财政局\t县统计局",
        "2\t任务乙\t县发改局 县财政局\t县住建局",
        "正文继续。",
    ]


def _numbered(d, text, num_id, ilvl):
    p = d.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def test_docx_auto_numbering_is_rendered_as_text(tmp_path):
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, lvl in [("总体要求", 0), ("目标", 1), ("原则", 1), ("重点任务", 0), ("扩大消费", 1), ("开展活动", 2),
                      ("促进旅游", 2)]:
        _numbered(d, text, 90, lvl)
    d.add_paragraph("第一项", style="List Number")
    path = tmp_path / "n.docx"
    d.save(path)
    assert docx_lines(str(path)) == [
        "一、总体要求", "（一）目标", "（二）原则", "二、重点任务", "（一）扩大消费", "1.开展活动", "2.促进旅游", "1.第一项",
    ]


def test_docx_one_column_layout_table_is_read_as_paragraphs(tmp_path):
    d = docx.Document()
    box = d.add_table(rows=1, cols=1).cell(0, 0)
    box.text = "某县打好经济增长主动仗工作方案"
    box.add_paragraph("一、主要目标")
    path = tmp_path / "box.docx"
    d.save(path)
    assert docx_lines(str(path)) == ["某县打好经济增长主动仗工作方案", "一、主要目标"]


# ---------------------------------------------------------------------------------------------
# .xlsx


def gold_table_tasks(limit: int = 14):
    """Table tasks of sample 001's annex-3 task list, from the gold annotation."""
    with open(os.path.join(GOLD_DIR, "001_0b2713fafafe7e4f.a.json"), encoding="utf-8") as f:
        tasks = [t for t in json.load(f)["tasks"] if t["source"] == "table"]
    return tasks[:limit]


def build_xlsx(path, tasks):
    """A responsibility sheet: merged title row, 序号/重点工作任务/牵头单位/责任单位/召集人/完成时限,
    merged section rows, 牵头单位 merged down over consecutive rows with the same lead."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    ws.append([tasks[0]["plan"]])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "重点工作任务", "牵头单位", "责任单位", "召集人", "完成时限"])
    section, run_start = None, None
    for i, t in enumerate(tasks):
        if t["section"][0] != section:
            section = t["section"][0]
            ws.append([section])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
            run_start = None
        co = [u for u in t["units"] if u not in t["lead_units"]]
        deadline = dt.datetime(2023, 12, 31) if i % 2 else "2023年6月底前"
        ws.append([int(t["seq"]), t["title"], "、".join(t["lead_units"]), "\n".join(co), "王五", deadline])
        row = ws.max_row
        prev = tasks[i - 1] if i else None
        if run_start and prev and prev["lead_units"] == t["lead_units"]:
            ws.cell(row=row, column=3).value = None
            ws.merge_cells(start_row=run_start, start_column=3, end_row=row, end_column=3)
        else:
            run_start = row
    hidden = wb.create_sheet("lookup")
    hidden.sheet_state = "hidden"
    hidden.append(["序号", "不应读出"])
    wb.save(path)
    return path


def test_xlsx_responsibility_sheet_parses_to_the_gold_tasks(tmp_path):
    tasks = gold_table_tasks()
    result = parse_file(str(build_xlsx(tmp_path / "list.xlsx", tasks)))
    assert [d.title for d in result.documents] == [tasks[0]["plan"]]
    got = [(t.seq, t.title, t.lead_units, t.units) for t in result.tasks]
    want = [(t["seq"], t["title"], t["lead_units"], t["units"]) for t in tasks]
    assert got == want
    assert [t.deadline for t in result.tasks[:2]] == ["2023年6月底前", "2023年12月31日"]
    assert all("王五" not in t.units for t in result.tasks)


def test_xlsx_lines_merges_numbers_dates_and_hidden_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "某县经济增长主动仗责任分解表"
    ws.append(["序号", "任务", "牵头单位", "责任单位", "完成时限", "占比"])
    ws.append(["一、主要指标"])
    ws.merge_cells("A2:F2")
    ws.append([1.0, "任务甲\n第二行", "县发改局", "县统计局", dt.date(2023, 6, 30), 0.075])
    ws["F3"].number_format = "0.0%"
    ws.append([2, "任务乙", None, "县住建局", "年底", 12.5])
    ws.merge_cells("C3:C4")
    ws2 = wb.create_sheet("Sheet2")
    ws2.sheet_state = "hidden"
    ws2.append(["x", "y"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    assert xlsx_lines(str(path)) == [
        "某县经济增长主动仗责任分解表",
        "序号\t任务\t牵头单位\t责任单位\t完成时限\t占比",
        "一、主要指标\t\t\t\t\t",
        "1\t任务甲 第二行\t县发改局\t县统计局\t2023年6月30日\t7.5%",
        "2\t任务乙\t县发改局\t县住建局\t年底\t12.5",
    ]


def test_xlsx_default_sheet_name_is_not_a_title(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "任务"])
    path = tmp_path / "b.xlsx"
    wb.save(path)
    assert xlsx_lines(str(path)) == ["序号\t任务"]


# ---------------------------------------------------------------------------------------------
# .pdf


def build_pdf(path, title, paragraphs, table_rows=None, col_widths=None):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = dict(fontName="STSong-Light", wordWrap="CJK")
    body = ParagraphStyle("body", fontSize=12, leading=20, firstLineIndent=24, **font)
    head = ParagraphStyle("title", fontSize=18, leading=26, alignment=1, **font)
    cell = ParagraphStyle("cell", fontSize=9, leading=12, **font)
    story = [Paragraph(title, head)] + [Paragraph(p, body) for p in paragraphs]
    if table_rows:
        table = Table([[Paragraph(c, cell) for c in row] for row in table_rows], colWidths=col_widths, repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(table)
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build(story)
    return path


def despace(key):
    return tuple([nospace(x) for x in v] if isinstance(v, list) else nospace(v) if v else v for v in key)


def test_pdf_table_parses_like_the_published_text(tmp_path, table_000, reference_tasks):
    pytest.importorskip("reportlab")
    title, header, rows, _, _ = table_000
    rows = rows[:20]  # a few pages' worth keeps the test quick
    path = build_pdf(tmp_path / "t.pdf", title, [], [header] + rows, col_widths=[30, 330, 200, 160, 60])
    result = parse_file(str(path))
    assert [d.title for d in result.documents] == [title]
    # a PDF has no space characters: spaces come from gaps between glyphs, so compare without them
    got = [despace(task_key(t)) for t in result.tasks if t.source == "table"]
    assert got == [despace(k) for k in reference_tasks[: len(got)]] and len(got) >= 15


def test_pdf_text_paragraphs_are_rejoined_and_parsed(tmp_path):
    pytest.importorskip("reportlab")
    goals = ("全县地区生产总值增长7.5%左右，规模工业增加值增长8%，固定资产投资增长9%，社会消费品零售总额增长7%，"
             "进出口总额增长10%，地方一般公共预算收入增长8%。")
    task = ("（一）激发释放消费潜力。开展系列消费促进活动，支持大型商场举办促消费活动，常态化举办购物节等促销活动。"
            "（县商务局牵头，县发改局、各乡镇按职责分工负责）")
    path = build_pdf(tmp_path / "p.pdf", "某县打好经济增长主动仗工作方案", ["一、主要目标", goals, "二、重点任务", task])
    lines = pdf_lines(str(path))
    assert lines == ["某县打好经济增长主动仗工作方案", "一、主要目标", goals, "二、重点任务", task]
    result = parse_file(str(path))
    assert result.documents[0].kind == "工作方案"
    assert {t.indicator for t in result.targets} >= {"规模工业增加值", "固定资产投资"}
    assert [(t.lead_units, t.units) for t in result.tasks] == [(["县商务局"], ["县商务局", "县发改局", "各乡镇"])]


# ---------------------------------------------------------------------------------------------
# .html


def build_html(title, header, rows) -> str:
    out = ["<!DOCTYPE html><html><head><title>网站 - 政策文件</title><style>td{border:1px}</style>",
           "<script>var x = '<td>不是表格</td>';</script></head><body>",
           f"<h2>{title}</h2>", "<table><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"]
    for row in rows:
        if is_section(row):
            out.append(f'<tr><td colspan="{len(header)}"><b>{row[0]}</b></td></tr>')
        else:
            out.append("<tr>" + "".join(f"<td><p>{c}</p></td>" for c in row) + "</tr>")
    out.append("</table><p>备注：表后&nbsp;说明。</p></body></html>")
    return "\n".join(out)


def test_html_table_parses_like_the_published_text(tmp_path, table_000, reference_tasks):
    title, header, rows, _, _ = table_000
    path = tmp_path / "plan.html"
    path.write_text(build_html(title, header, rows), encoding="utf-8")
    result = parse_file(str(path))
    assert [d.title for d in result.documents] == [title]
    assert [task_key(t) for t in result.tasks if t.source == "table"] == reference_tasks


def test_html_lines_blocks_tables_spans_and_dropped_parts():
    html = """<html><head><title>站点</title><script>document.write('<p>x</p>')</script></head><body>
    <h1>某县打好经济增长主动仗<br>工作方案</h1>
    <div>一、主要目标</div><p>  全县地区生产总值
    增长7.5%左右。<strong>激发释放消费潜力。</strong>开展活动&amp;宣传</p>
    <table><caption>附表：责任分解表</caption>
    <tr><th>序号</th><th>任务</th><th>牵头单位</th><th>责任单位</th></tr>
    <tr><td colspan=4><b>一、主要指标</b></td></tr>
    <tr><td>1</td><td><p>任务甲</p><p>第二段</p></td><td rowspan="2">县发改局</td><td>县统计局<br>各乡镇</td></tr>
    <tr><td>2</td><td>任务乙<table><tr><td>嵌套</td><td>表格</td></tr></table></td><td>县住建局</td></tr>
    </table><style>p {color: red}</style><ul><li>第一条</li><li>第二条</li></ul></body></html>"""
    assert html_lines(html) == [
        "# 某县打好经济增长主动仗工作方案",
        "一、主要目标",
        "全县地区生产总值增长7.5%左右。**激发释放消费潜力。**开展活动&宣传",
        "附表：责任分解表",
        "序号\t任务\t牵头单位\t责任单位",
        "一、主要指标\t\t\t",
        "1\t任务甲 第二段\t县发改局\t县统计局 各乡镇",
        "2\t任务乙 嵌套 表格\t县发改局\t县住建局",
        "第一条",
        "第二条",
    ]


def test_text_file_holding_html_is_read_as_html(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("<!DOCTYPE html><html><body><p>一、</p><table><tr><td>a</td><td>b</td></tr></table>",
                    encoding="utf-8")
    assert load_lines(str(path)) == ["一、", "a\tb"]
