"""GB/T 9704-2012 layout of the .docx builder: read back with python-docx, and rendered by LibreOffice."""

from __future__ import annotations

import os

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duban.briefs import charts
from duban.briefs.gbt9704 import (
    CHAR_SPACE,
    COMMON_FONTS,
    LINE_PITCH_TWIPS,
    Cell,
    GongwenDoc,
    emu_to_mm,
    numbered,
)
from duban.briefs.pdf import docx_to_pdf, soffice

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BODY = "各责任单位认真落实市委市政府决策部署扎实推进各项重点任务确保全年目标圆满完成"  # 36 字, no punctuation


def build(path, fonts=None, paragraphs=3) -> str:
    doc = GongwenDoc(
        title="关于2023年3月上旬打好发展六仗工作进展情况的简报",
        issuer="市打好发展六仗工作专班办公室",
        number="第3期",
        date="2023年3月12日",
        masthead="打好发展六仗工作简报",
        fonts=fonts,
    )
    doc.heading(numbered(1, 1) + "总体情况", 1)
    doc.heading(numbered(2, 1) + "经济增长主动仗", 2)
    doc.heading(numbered(3, 1) + "地区生产总值", 3)
    for _ in range(paragraphs):
        doc.para(BODY * 2)
    doc.table(
        ["序号", "指标", "目标", "进度"],
        [["1", "地区生产总值增长", "6.5%左右", Cell("●", color="00AA00")]],
        [15, 70, 35, 36],
    )
    doc.image(
        charts.bar_chart(["经济增长主动仗", "科技创新攻坚仗"], {"实际": [30, 20], "序时": [25, 25]}), 150
    )
    doc.signature()
    doc.colophon(["报：市委、市政府领导", "送：各县市区人民政府"])
    return doc.save(str(path))


def east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def runs_with(d, text):
    return [r for p in d.paragraphs for r in p.runs if text in r.text]


def test_page_margins_and_grid(tmp_path):
    d = docx.Document(build(tmp_path / "a.docx"))
    s = d.sections[0]
    assert (round(emu_to_mm(s.page_width), 1), round(emu_to_mm(s.page_height), 1)) == (210, 297)
    margins = [round(emu_to_mm(m), 1) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    assert margins == [37, 35, 28, 26]
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert int(grid.get(qn("w:linePitch"))) == LINE_PITCH_TWIPS == 579
    assert int(grid.get(qn("w:charSpace"))) == CHAR_SPACE == -848
    text_height_twips = Mm(225).twips
    assert 22 * 579 <= text_height_twips < 23 * 579  # 22 lines fit the 版心, 23 do not
    pitch = 16 + CHAR_SPACE / 4096  # points per character on the grid
    assert 28 * pitch <= Mm(156).pt < 29 * pitch


def test_fonts_and_sizes(tmp_path):
    d = docx.Document(build(tmp_path / "a.docx"))
    title = runs_with(d, "关于2023年3月上旬")[0]
    assert east_asia(title) == "方正小标宋简体" and title.font.size == Pt(22)
    assert title._parent.alignment == WD_ALIGN_PARAGRAPH.CENTER
    body = runs_with(d, BODY)[0]
    assert east_asia(body) == "仿宋_GB2312" and body.font.size == Pt(16)
    pf = body._parent.paragraph_format
    assert pf.line_spacing == Pt(28.95)
    assert body._parent._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    h1, h2, h3 = (runs_with(d, t)[0] for t in ("一、总体情况", "（一）经济增长主动仗", "1.地区生产总值"))
    assert (east_asia(h1), east_asia(h2), east_asia(h3)) == ("黑体", "楷体_GB2312", "仿宋_GB2312")
    assert h3.font.bold and not h1.font.bold
    assert {r.font.size for r in (h1, h2, h3)} == {Pt(16)}
    masthead = runs_with(d, "打好发展六仗工作简报")[0]
    assert str(masthead.font.color.rgb) == "FF0000"
    rule = d.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    normal = d.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_font_table_declares_fallbacks(tmp_path):
    path = build(tmp_path / "a.docx")
    d = docx.Document(path)
    part = next(p for p in d.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    from lxml import etree

    fonts = {f.get(qn("w:name")): f for f in etree.fromstring(part.blob).findall(qn("w:font"))}
    assert fonts["方正小标宋简体"].find(qn("w:altName")).get(qn("w:val")) == "宋体"
    assert fonts["仿宋_GB2312"].find(qn("w:altName")).get(qn("w:val")) == "仿宋"
    assert fonts["楷体_GB2312"].find(qn("w:charset")).get(qn("w:val")) == "86"


def test_common_fonts_by_argument_and_environment(tmp_path, monkeypatch):
    d = docx.Document(build(tmp_path / "a.docx", fonts=COMMON_FONTS))
    assert east_asia(runs_with(d, "关于2023年3月上旬")[0]) == "宋体"
    assert east_asia(runs_with(d, BODY)[0]) == "仿宋"
    monkeypatch.setenv("DUBAN_GONGWEN_FONTS", "common")
    d = docx.Document(build(tmp_path / "b.docx"))
    assert east_asia(runs_with(d, "（一）经济增长主动仗")[0]) == "楷体"


def test_page_numbers_odd_right_even_left(tmp_path):
    d = docx.Document(build(tmp_path / "a.docx"))
    assert d.settings.odd_and_even_pages_header_footer
    s = d.sections[0]
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        assert p.alignment == align
        assert p.text.replace("1", "#") == "— # —"
        instr = [e.text.strip() for e in p._p.iter(qn("w:instrText"))]
        assert instr == ["PAGE"]
        assert {r.font.size for r in p.runs} == {Pt(14)}
        assert {east_asia(r) for r in p.runs} == {"宋体"}
    assert s.footer.paragraphs[0].paragraph_format.right_indent == Pt(14)
    assert s.even_page_footer.paragraphs[0].paragraph_format.left_indent == Pt(14)


def test_table_and_image(tmp_path):
    d = docx.Document(build(tmp_path / "a.docx"))
    t = d.tables[0]
    assert [c.text for c in t.rows[0].cells] == ["序号", "指标", "目标", "进度"]
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert east_asia(t.rows[0].cells[0].paragraphs[0].runs[0]) == "黑体"
    light = t.rows[1].cells[3].paragraphs[0].runs[0]
    assert east_asia(light) == "仿宋_GB2312" and str(light.font.color.rgb) == "00AA00"
    assert [round(emu_to_mm(c.width)) for c in t.rows[1].cells] == [15, 70, 35, 36]
    (shape,) = d.inline_shapes
    assert round(emu_to_mm(shape.width)) == 150


def test_bad_tables_and_levels_are_refused(tmp_path):
    doc = GongwenDoc(title="标题")
    with pytest.raises(ValueError, match="超过版心宽度 156 mm"):
        doc.table(["甲", "乙"], [], [100, 60])
    with pytest.raises(ValueError, match="第 1 行有 1 列，表头有 2 列"):
        doc.table(["甲", "乙"], [["只有一列"]])
    with pytest.raises(ValueError, match="标题层级须为 1–4"):
        doc.heading("五级", 5)


def test_numbering():
    assert [numbered(1, n) for n in (1, 10, 12, 21)] == ["一、", "十、", "十二、", "二十一、"]
    assert (numbered(2, 3), numbered(3, 4), numbered(4, 5)) == ("（三）", "4.", "（5）")


@pytest.mark.skipif(not soffice() and os.environ.get("DUBAN_REQUIRE_LIBREOFFICE") != "1", reason="LibreOffice (soffice) 未安装")
def test_libreoffice_renders_22_lines_of_28_characters(tmp_path):
    import pdfplumber

    pdf_path = docx_to_pdf(build(tmp_path / "a.docx", paragraphs=40), str(tmp_path))
    with pdfplumber.open(pdf_path) as pdf:
        pages = pdf.pages
        assert len(pages) >= 4
        for page in pages:
            assert (round(page.width), round(page.height)) == (595, 842)  # A4
        lines = {}
        for ch in pages[1].chars:  # page 2: body text only
            lines.setdefault(round(ch["top"]), []).append(ch)
        body = {top: chs for top, chs in lines.items() if round(chs[0]["size"]) == 16}
        assert len(body) == 22
        # a full line (reaching the right edge) holds 28 characters, 26 after the 2-字 first-line indent
        full = [chs for chs in body.values() if max(c["x1"] for c in chs) > Mm(184).pt - 4]
        indented = {len(chs) for chs in full if min(c["x0"] for c in chs) > Mm(28).pt + 20}
        flush = {len(chs) for chs in full if min(c["x0"] for c in chs) < Mm(28).pt + 5}
        assert (indented, flush) == ({26}, {28})
        assert max(len(chs) for chs in body.values()) == 28
        left = min(ch["x0"] for chs in body.values() for ch in chs)
        right = max(ch["x1"] for chs in body.values() for ch in chs)
        top = min(body)
        assert abs(left - Mm(28).pt) < 2 and right <= Mm(210 - 26).pt + 1
        assert Mm(37).pt <= top <= Mm(37).pt + 28.95 - 16  # the first line box starts at the top margin
        for n, page in enumerate(pages, 1):  # "— n —", 4号, 7 mm under the 版心, outside edge
            nums = [c for c in page.chars if round(c["size"]) == 14 and c["top"] > Mm(297 - 35).pt]
            assert (
                "".join(c["text"] for c in sorted(nums, key=lambda c: c["x0"])).replace(" ", "") == f"—{n}—"
            )
            if n % 2:
                assert abs(max(c["x1"] for c in nums) - (Mm(184).pt - 14)) < 3
            else:
                assert abs(min(c["x0"] for c in nums) - (Mm(28).pt + 14)) < 3
