"""A .docx builder in the layout of GB/T 9704-2012 党政机关公文格式, on python-docx.

Why a builder of our own: python-docx writes whatever it is told, and a 公文 is judged on exact
figures — A4, margins 37/35/28/26 mm (上/下/左/右), 22 lines × 28 characters in a 156 × 225 mm
版心, 三号仿宋 body, 二号小标宋 title, 4号 page numbers "— 1 —" at the bottom outside.
Every document the system writes (简报, 通报, 总结) goes through :class:`GongwenDoc`, so the figures
live in one place.

Fonts: python-docx can only *name* a font; the reader's machine renders it. The standard names
(方正小标宋简体, 仿宋_GB2312, 楷体_GB2312) are missing on many machines, so:

* every run names its font for East-Asian text (``w:rFonts/@w:eastAsia``) and for Latin text;
* the document's font table declares each standard font with ``w:altName`` (宋体, 仿宋, 楷体),
  charset 86 (GB2312) and its family, which Word and LibreOffice use to pick a substitute;
* ``fonts=COMMON_FONTS`` (or ``DUBAN_GONGWEN_FONTS=common`` in the environment) writes the fonts
  every Chinese Windows has (宋体, 仿宋, 楷体, 黑体) instead of the standard names.
"""

from __future__ import annotations

import io
import os
from copy import deepcopy
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import _Cell
from lxml import etree

# ---------------------------------------------------------------- the figures of the standard

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
# 225 mm / 22 lines = 579.8 twips; 579 (28.95 pt) so that 22 lines surely fit.
LINE_PITCH_TWIPS = int(TEXT_HEIGHT_MM / 25.4 * 1440 / LINES_PER_PAGE)
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20
# Page number: its top 7 mm below the 版心; the footer's bottom edge sits this far above the page edge.
FOOTER_DISTANCE_MM = 22

# 字号 → points
SIZES = {"初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16, "小三": 15,
         "四号": 14, "小四": 12, "五号": 10.5, "小五": 9}
BODY_PT = SIZES["三号"]
TITLE_PT = SIZES["二号"]
PAGE_NUMBER_PT = SIZES["四号"]
TABLE_PT = SIZES["小四"]
MASTHEAD_PT = SIZES["小初"]
# w:charSpace: 4096ths of a point added to the default font's pitch so that 28 characters fill 156 mm.
CHAR_SPACE = round((TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE - BODY_PT) * 4096)  # -849

# Body text does not snap to the character grid: LibreOffice gives a snapped glyph wider than the grid
# pitch (16 pt > 15.79 pt) two cells, 14 characters a line. Instead runs are condensed by 0.4 pt
# (w:spacing -8 twips): 28 × 15.6 pt fits the 442 pt line and 29 do not, in Word and in LibreOffice.
CONDENSE_TWIPS = -8
RED = RGBColor(0xFF, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
_TEXT = f"./{qn('w:p')}/{qn('w:r')}/{qn('w:t')}"  # a table cell's text


@dataclass(frozen=True)
class FontSet:
    """The font of each role; ``fallbacks`` are declared in the font table as w:altName."""

    title: str
    body: str
    heading1: str
    heading2: str
    page_number: str

    def names(self) -> set[str]:
        return {self.title, self.body, self.heading1, self.heading2, self.page_number}


STANDARD_FONTS = FontSet(title="方正小标宋简体", body="仿宋_GB2312", heading1="黑体", heading2="楷体_GB2312",
                         page_number="宋体")
COMMON_FONTS = FontSet(title="宋体", body="仿宋", heading1="黑体", heading2="楷体", page_number="宋体")
# name → (substitute, w:family, w:pitch); the substitutes ship with every Chinese Windows.
FALLBACKS = {
    "方正小标宋简体": ("宋体", "roman", "variable"),
    "仿宋_GB2312": ("仿宋", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "modern", "fixed"),
    "黑体": ("SimHei", "modern", "fixed"),
    "宋体": ("SimSun", "auto", "variable"),
    "仿宋": ("FangSong", "modern", "fixed"),
    "楷体": ("KaiTi", "modern", "fixed"),
}


def fonts_from_env() -> FontSet:
    """``DUBAN_GONGWEN_FONTS=common`` picks the fonts every Chinese Windows has; default: the standard's."""
    return COMMON_FONTS if os.environ.get("DUBAN_GONGWEN_FONTS", "").strip().lower() == "common" else STANDARD_FONTS


CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (for 一、 and （一）; up to 99)."""
    if not 0 < n < 100:
        raise ValueError(f"序数须在 1–99 之间：{n}")
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else "") + (CN_DIGITS[ones] if ones else "")


def numbered(level: int, n: int) -> str:
    """The 结构层次序数 of GB/T 9704 §7.3.3: 一、 （一） 1. （1）."""
    return {1: f"{cn_number(n)}、", 2: f"（{cn_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]


@dataclass
class Cell:
    """A table cell with optional colour (font) and fill (background), both as hex 'RRGGBB'."""

    text: str
    color: str = ""
    fill: str = ""
    bold: bool = False


# ---------------------------------------------------------------- low-level XML helpers

# Schema order of w:pPr and w:rPr children (ECMA-376 §17.3.1.26, §17.3.2.28): Word rejects others.
PPR_ORDER = ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
             "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
             "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
             "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()
RPR_ORDER = ("rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
             "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
             "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath").split()


def _put(parent, tag: str, order: list[str], **attrs: str):
    """Set child ``w:tag`` of ``parent`` (replacing one already there) at its place in schema order."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    el = OxmlElement(f"w:{tag}")
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    later = {qn(f"w:{t}") for t in order[order.index(tag) + 1:]}
    for i, child in enumerate(parent):
        if child.tag in later:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def _set_run_font(run, name: str, size_pt: float, *, bold: bool = False, color: RGBColor | None = None,
                  condense: bool = False) -> None:
    run.font.name = name  # w:ascii + w:hAnsi
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.color.rgb = color or BLACK
    if condense:
        _put(rpr, "spacing", RPR_ORDER, val=str(CONDENSE_TWIPS))


def _no_grid(paragraph) -> None:
    """Do not snap to the document grid (tables, images, footers keep their own spacing)."""
    _put(paragraph._p.get_or_add_pPr(), "snapToGrid", PPR_ORDER, val="0")


def _first_line_chars(paragraph, chars: int, size_pt: float) -> None:
    """First-line indent in characters (w:firstLineChars, what Word shows as 首行缩进 2 字符)."""
    paragraph.paragraph_format.first_line_indent = Pt(size_pt * chars)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _exact(paragraph, pitch_pt: float = LINE_PITCH_PT) -> None:
    """Exact line spacing (28.95 pt: 22 lines in the 225 mm 版心), off the grid (see CONDENSE_TWIPS)."""
    _no_grid(paragraph)
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(pitch_pt)
    pf.space_before = pf.space_after = Pt(0)


def _bottom_rule(paragraph, color: str = "FF0000", eighths_pt: int = 12) -> None:
    bdr = _put(paragraph._p.get_or_add_pPr(), "pBdr", PPR_ORDER)
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(eighths_pt)), ("w:space", "1"), ("w:color", color)):
        bottom.set(qn(k), v)
    bdr.append(bottom)


def _field(paragraph, instr: str, placeholder: str, font: str, size_pt: float) -> None:
    """A complex field (``PAGE``): begin, instruction, separate, cached result, end."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", placeholder), ("end", None)):
        run = paragraph.add_run()
        _set_run_font(run, font, size_pt)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            run._element.append(el)
        elif kind == "text":
            run.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._element.append(el)


# ---------------------------------------------------------------- the document


class GongwenDoc:
    """One 公文: optional red 版头 (masthead), title, body, tables, charts, 落款 and 版记.

    >>> doc = GongwenDoc(title="关于2023年3月上旬工作进展的简报", issuer="市打好发展六仗工作专班办公室",
    ...                  number="第3期", date="2023年3月12日", masthead="打好发展六仗工作简报")
    >>> doc.heading("一、总体情况", 1); doc.para("……"); doc.save("brief.docx")
    """

    def __init__(self, title: str, issuer: str = "", number: str = "", date: str = "",
                 masthead: str | None = None, fonts: FontSet | None = None):
        self.title, self.issuer, self.number, self.date = title, issuer, number, date
        self.fonts = fonts or fonts_from_env()
        self.doc = Document()
        self._setup_page()
        self._setup_styles()
        self._setup_footers()
        if masthead:
            self._masthead(masthead)
        if title:
            self._title(title)

    # ------------------------------------------------------------ set-up

    def _setup_page(self) -> None:
        s = self.doc.sections[0]
        s.start_type = WD_SECTION.NEW_PAGE
        s.page_width, s.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        s.top_margin, s.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
        s.left_margin, s.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
        s.footer_distance, s.header_distance = Mm(FOOTER_DISTANCE_MM), Mm(15)
        s.gutter = Mm(0)
        sect = s._sectPr
        for old in sect.findall(qn("w:docGrid")):
            sect.remove(old)
        grid = OxmlElement("w:docGrid")
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))
        sect.append(grid)
        self.doc.settings.odd_and_even_pages_header_footer = True
        props = self.doc.core_properties
        props.title, props.author, props.comments = self.title, self.issuer, "GB/T 9704-2012"

    def _setup_styles(self) -> None:
        """Normal = 三号仿宋 on the grid; docDefaults too, since w:charSpace counts from the default size."""
        normal = self.doc.styles["Normal"]
        normal.font.name = self.fonts.body
        normal.font.size = Pt(BODY_PT)
        rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), self.fonts.body)
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(LINE_PITCH_PT)
        pf.widow_control = False
        styles = self.doc.styles.element
        rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _put(rpr_default, "sz", RPR_ORDER, val=str(BODY_PT * 2))
        _put(rpr_default, "szCs", RPR_ORDER, val=str(BODY_PT * 2))
        _put(rpr_default, "lang", RPR_ORDER, val="en-US", eastAsia="zh-CN")
        self._declare_fonts()

    def _declare_fonts(self) -> None:
        """Font-table entries with w:altName so a reader without the font substitutes a close one."""
        parts = self.doc.part.package.iter_parts()
        font_part = next((p for p in parts if p.partname.endswith("fontTable.xml")), None)
        if font_part is None:
            return
        root = etree.fromstring(font_part.blob)
        present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
        for name in sorted(self.fonts.names() - present):
            alt, family, pitch = FALLBACKS.get(name, ("宋体", "auto", "variable"))
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", pitch)):
                etree.SubElement(font, qn(tag)).set(qn("w:val"), val)
        font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _setup_footers(self) -> None:
        """Page numbers "— 1 —", 4号 宋体: odd pages right, even pages left, one character in from the edge."""
        s = self.doc.sections[0]
        for footer, align in ((s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            _exact(p, PAGE_NUMBER_PT + 2)
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
            else:
                p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
            _set_run_font(p.add_run("— "), self.fonts.page_number, PAGE_NUMBER_PT)
            _field(p, "PAGE", "1", self.fonts.page_number, PAGE_NUMBER_PT)
            _set_run_font(p.add_run(" —"), self.fonts.page_number, PAGE_NUMBER_PT)

    # ------------------------------------------------------------ 版头 and title

    def _masthead(self, name: str) -> None:
        """Red 版头 of a 简报: its name (小初, smaller when it would not fit one line), the issue number, issuer
        and date on one line (smaller type when they would not fit), then a red rule."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = min(MASTHEAD_PT, int(TEXT_WIDTH_MM / 25.4 * 72 / max(1.0, _width(name)) * 0.96))
        _exact(p, max(size * 1.5, LINE_PITCH_PT))
        _set_run_font(p.add_run(name), self.fonts.title, size, color=RED)
        if self.number:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _exact(p)
            _set_run_font(p.add_run(self.number), self.fonts.body, BODY_PT)
        p = self.doc.add_paragraph()
        _exact(p)
        p.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
        wanted = _width(self.issuer) + _width(self.date) + 2
        size = next((pt for pt in (BODY_PT, SIZES["四号"], SIZES["小四"])
                     if wanted * pt <= TEXT_WIDTH_MM / 25.4 * 72 * 0.97), SIZES["五号"])
        _set_run_font(p.add_run(f"{self.issuer}\t{self.date}"), self.fonts.body, size)
        _bottom_rule(p)
        self.doc.add_paragraph()  # 红色分隔线下空一行

    def _title(self, title: str) -> None:
        for line in title.split("\n"):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _exact(p)
            _set_run_font(p.add_run(line), self.fonts.title, TITLE_PT)
        self.doc.add_paragraph()  # 标题下空一行

    def issuer_header(self, organ: str, number: str) -> None:
        """版头 of a 通报 (§7.2): the red 发文机关标志 centred, 发文字号 below it, then a red rule as wide
        as the 版心. The mark is sized to fit one line (小标宋, at most 小初)."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = min(MASTHEAD_PT, int(TEXT_WIDTH_MM / 25.4 * 72 / max(1, len(organ)) * 0.96))
        _exact(p, size * 1.6)
        _set_run_font(p.add_run(organ), self.fonts.title, size, color=RED)
        self.doc.add_paragraph()
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact(p)
        _set_run_font(p.add_run(number), self.fonts.body, BODY_PT)
        _bottom_rule(p, "FF0000", 12)
        self.doc.add_paragraph()  # 红色分隔线下空一行, 标题

    def addressees(self, text: str):
        """主送机关: below the title, flush left, ending with a full-width colon."""
        p = self.doc.add_paragraph()
        _exact(p)
        _set_run_font(p.add_run(text), self.fonts.body, BODY_PT, condense=True)
        return p

    def attachment_heading(self, n: int, title: str) -> None:
        """An attachment, on a new page: 附件N (黑体, flush left), then its title (小标宋 小二, centred)."""
        p = self.doc.add_paragraph()
        _exact(p)
        p.paragraph_format.page_break_before = True  # not a break paragraph: that one can spill onto a blank page
        _set_run_font(p.add_run(f"附件{n}"), self.fonts.heading1, BODY_PT)
        self.doc.add_paragraph()
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact(p)
        _set_run_font(p.add_run(title), self.fonts.title, SIZES["小二"])
        self.doc.add_paragraph()

    # ------------------------------------------------------------ body

    def heading(self, text: str, level: int = 1):
        """Levels 1–4: 黑体, 楷体_GB2312, 仿宋 bold, 仿宋 (all 三号, indented two characters)."""
        if level not in (1, 2, 3, 4):
            raise ValueError(f"标题层级须为 1–4：{level}")
        font = {1: self.fonts.heading1, 2: self.fonts.heading2}.get(level, self.fonts.body)
        p = self.doc.add_paragraph()
        _exact(p)
        _first_line_chars(p, 2, BODY_PT)
        p.paragraph_format.keep_with_next = True
        _put(p._p.get_or_add_pPr(), "outlineLvl", PPR_ORDER, val=str(level - 1))
        _set_run_font(p.add_run(text), font, BODY_PT, bold=level == 3, condense=True)
        return p

    def para(self, text: str, *, indent: bool = True, bold_lead: str = ""):
        """A body paragraph, 三号仿宋, first line indented two characters; ``bold_lead`` in bold first."""
        p = self.doc.add_paragraph()
        _exact(p)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            _first_line_chars(p, 2, BODY_PT)
        if bold_lead:
            _set_run_font(p.add_run(bold_lead), self.fonts.body, BODY_PT, bold=True, condense=True)
        _set_run_font(p.add_run(text), self.fonts.body, BODY_PT, condense=True)
        return p

    def table(self, header: list[str], rows: list[list], col_widths: list[float] | None = None,
              size_pt: float = TABLE_PT, caption: str = ""):
        """A bordered table in 仿宋 (小四 by default), header row in 黑体 repeated on every page.

        ``col_widths`` in mm; their sum must not exceed the 156 mm 版心. Cells may be :class:`Cell`.
        """
        ncols = len(header)
        if not ncols:
            raise ValueError("表格至少要有一列")
        for i, row in enumerate(rows, 1):
            if len(row) != ncols:
                raise ValueError(f"表格第 {i} 行有 {len(row)} 列，表头有 {ncols} 列")
        widths = list(col_widths) if col_widths else fit_widths(header, rows, size_pt)
        if len(widths) != ncols:
            raise ValueError(f"列宽有 {len(widths)} 个，表头有 {ncols} 列")
        if sum(widths) > TEXT_WIDTH_MM + 0.5:
            raise ValueError(f"列宽合计 {sum(widths):g} mm，超过版心宽度 {TEXT_WIDTH_MM} mm")
        if caption:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _exact(p)
            _set_run_font(p.add_run(caption), self.fonts.heading1, BODY_PT)
        t = self.doc.add_table(rows=1 + len(rows), cols=ncols)
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for j, w in enumerate(widths):
            t.columns[j].width = Mm(w)
        trpr = t.rows[0]._tr.get_or_add_trPr()
        hdr = OxmlElement("w:tblHeader")
        hdr.set(qn("w:val"), "1")
        trpr.append(hdr)
        # Row by row on the XML: Table.cell(i, j) rebuilds the whole cell grid on every call (quadratic:
        # a city's 月通报 with a few hundred rows spent 11 s there). Formatting a cell through python-docx
        # (fonts, spacing, alignment) costs about half a millisecond, so a province's tables took over a
        # minute: the first cell of each kind (column, header or body, alignment, bold, colour, fill) is
        # formatted so, and the others of its kind are copies of it with their own text, the same XML.
        made: dict[tuple, object] = {}
        for i, (values, tr) in enumerate(zip([header, *rows], t._tbl.tr_lst, strict=True)):
            tcs = tr.tc_lst
            for j, value in enumerate(values):
                c = value if isinstance(value, Cell) else Cell("" if value is None else str(value))
                centred = i == 0 or len(c.text) <= 8
                kind = (i == 0, j, centred, c.bold, c.color.upper(), c.fill.upper(), bool(c.text))
                # python-docx spells tabs and line breaks as elements and edge spaces as xml:space
                plain = c.text == c.text.strip() and not any(ch in c.text for ch in "\t\r\n")
                like = made.get(kind) if plain else None
                if like is not None:
                    tc = deepcopy(like)
                    if c.text:
                        tc.find(_TEXT).text = c.text
                    tr.replace(tcs[j], tc)
                    continue
                self._cell(_Cell(tcs[j], t), c, i == 0, centred, widths[j], size_pt)
                if plain:
                    made[kind] = tcs[j]
        self.doc.add_paragraph()  # 表后空一行
        return t

    def _cell(self, cell: _Cell, c: Cell, header: bool, centred: bool, width_mm: float, size_pt: float):
        cell.width = Mm(width_mm)
        p = cell.paragraphs[0]
        _no_grid(p)
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(size_pt * 1.4)
        pf.space_before = pf.space_after = Pt(0)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
        font = self.fonts.heading1 if header else self.fonts.body
        color = RGBColor.from_string(c.color.upper()) if c.color else None
        _set_run_font(p.add_run(c.text), font, size_pt, bold=c.bold, color=color)
        if c.fill:
            shd = OxmlElement("w:shd")
            for k, v in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", c.fill.upper())):
                shd.set(qn(k), v)
            cell._tc.get_or_add_tcPr().append(shd)

    def image(self, png: bytes, width_mm: float = 150, caption: str = ""):
        """A picture (chart) centred within the 版心, with an optional caption below it."""
        if width_mm > TEXT_WIDTH_MM:
            raise ValueError(f"图片宽 {width_mm:g} mm，超过版心宽度 {TEXT_WIDTH_MM} mm")
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_grid(p)
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact spacing would clip the picture
        pf.space_before = pf.space_after = Pt(0)
        p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        if caption:
            c = self.doc.add_paragraph()
            c.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _exact(c)
            _set_run_font(c.add_run(caption), self.fonts.body, SIZES["四号"])
        return p

    def signature(self, issuer: str = "", date: str = ""):
        """落款 without a seal (§7.3.5.2): one blank line below the text, the issuer two characters in from
        the right, the date on the next line starting two characters right of the issuer's first; a date
        longer than that is set two in from the right and the issuer moved left to match."""
        issuer, date = issuer or self.issuer, date or self.date
        w_issuer, w_date = _width(issuer), _width(date)
        if w_issuer - w_date >= 2:
            right = {issuer: 2, date: w_issuer - w_date}
        else:
            right = {issuer: 4 + w_date - w_issuer, date: 2}
        self.doc.add_paragraph()
        for text in (issuer, date):
            if text:
                p = self.doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _exact(p)
                p.paragraph_format.right_indent = Pt(BODY_PT * right[text])
                p.paragraph_format.keep_with_next = text == issuer
                _set_run_font(p.add_run(text), self.fonts.body, BODY_PT, condense=True)

    def attachment_note(self, titles: list[str]):
        """附件说明 (§7.3.4): one blank line below the text, "附件：1.…" two characters in, further
        items aligned under the first."""
        if not titles:
            return
        self.doc.add_paragraph()
        for i, title in enumerate(titles, 1):
            p = self.doc.add_paragraph()
            _exact(p)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            lead = "附件：" if i == 1 else ""
            p.paragraph_format.left_indent = Pt(BODY_PT * 5)
            p.paragraph_format.first_line_indent = Pt(BODY_PT * (-3 if i == 1 else 0))
            number = f"{i}." if len(titles) > 1 else ""
            _set_run_font(p.add_run(f"{lead}{number}{title}"), self.fonts.body, BODY_PT, condense=True)

    def colophon(self, lines: list[str], right: str = ""):
        """版记 (通报: 抄送, 印发机关和印发日期) or 报尾 (简报: 报、送, 共印份数) at the foot of the last page:
        四号仿宋 lines, one character in from each side, between a thick first and last rule with thin
        rules between them (§7.4). Written as a one-column floating table (``w:tblpPr``) whose last rule sits on
        the bottom edge of the 版心, so it is kept together on the last page and never falls alone onto a page.
        ``right``: text set flush right on the last line (印发日期, 共印N份)."""
        rows = list(lines)
        t = self.doc.add_table(rows=len(rows), cols=1)
        t.autofit = False
        tbl_pr = t._tbl.tblPr
        pos = OxmlElement("w:tblpPr")
        # its last rule on the bottom edge of the 版心: an absolute position from the top of the page (LibreOffice
        # ignores tblpYSpec="bottom"), the rows being exact-height lines
        size = SIZES["四号"]
        wide = TEXT_WIDTH_MM - 10  # see below
        per_line = int((wide / 25.4 * 72 - 2 * size) / (size - 0.4)) - 1  # 四号 characters a line holds
        heights = [max(1, -(-int(_width(text) + (_width(right) + 2 if i == len(rows) - 1 and right else 0))
                            // per_line)) for i, text in enumerate(rows)]
        top = (PAGE_HEIGHT_MM - MARGIN_BOTTOM_MM) / 25.4 * 1440 - sum(heights) * LINE_PITCH_TWIPS - len(rows) * 30
        for k, v in (("leftFromText", "0"), ("rightFromText", "0"), ("topFromText", "0"), ("bottomFromText", "0"),
                     ("vertAnchor", "page"), ("horzAnchor", "margin"), ("tblpXSpec", "center"),
                     ("tblpY", str(int(top)))):
            pos.set(qn(f"w:{k}"), v)
        tbl_pr.insert(1 if tbl_pr.find(qn("w:tblStyle")) is not None else 0, pos)
        overlap = OxmlElement("w:tblOverlap")
        overlap.set(qn("w:val"), "never")
        pos.addnext(overlap)
        width = OxmlElement("w:tblW")
        # 10 mm narrower than the 版心 (``wide``): LibreOffice 7 keeps a table nearly as wide as the 版心 in the text
        # flow (at the end of the text) instead of floating it to the foot of the page
        width.set(qn("w:w"), str(int(wide / 25.4 * 1440)))
        width.set(qn("w:type"), "dxa")
        for old in tbl_pr.findall(qn("w:tblW")):
            tbl_pr.remove(old)
        overlap.addnext(width)
        borders = OxmlElement("w:tblBorders")
        for side, size in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 4), ("insideV", 0)):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "single" if size else "nil")
            if size:
                el.set(qn("w:sz"), str(size))
                el.set(qn("w:space"), "0")
                el.set(qn("w:color"), "000000")
            borders.append(el)
        tbl_pr.append(borders)
        t.columns[0].width = Mm(wide)
        for i, (row, text, lines) in enumerate(zip(t.rows, rows, heights, strict=True)):
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            cell = row.cells[0]
            cell.width = Mm(wide)
            p = cell.paragraphs[0]
            _exact(p, LINE_PITCH_PT)
            row.height = Pt(LINE_PITCH_PT * lines + 1)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            lead = len(text.split("：", 1)[0]) + 1 if "：" in text[:4] else 0  # 抄送： hangs, the rest aligned under it
            p.paragraph_format.left_indent = Pt(size * (1 + lead))
            p.paragraph_format.first_line_indent = Pt(-size * lead)
            p.paragraph_format.right_indent = Pt(size)
            p.paragraph_format.keep_with_next = True
            last = i == len(rows) - 1
            if last and right:
                p.paragraph_format.tab_stops.add_tab_stop(Mm(wide) - Pt(size * 2) - Mm(4), WD_TAB_ALIGNMENT.RIGHT)
                text = f"{text}\t{right}"
            _set_run_font(p.add_run(text), self.fonts.body, size)
        anchor = self.doc.add_paragraph()  # the table is anchored to a paragraph; keep it tiny
        _exact(anchor, 1)
        return t

    # ------------------------------------------------------------ output

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()

    def save(self, path: str) -> str:
        self.doc.save(path)
        return path


CELL_PADDING_MM = 4.6  # Word's default cell margins (1.9 mm each side) and a little air


def _width(text: str) -> float:
    """Width in 字 (CJK 1, ASCII ½)."""
    return sum(0.62 if ord(ch) < 0x2E80 else 1 for ch in text)  # Latin digits of the fallback fonts are wide


def fit_widths(header: list[str], rows: list[list], size_pt: float, total: float = TEXT_WIDTH_MM) -> list[float]:
    """Column widths (mm) sized to their content: a column whose longest cell (or its header) takes at most
    eight characters gets exactly that, so "逾期未报", "经济增长主动仗" and "29.2%" never wrap; the columns of
    long text share the rest in proportion to their average length, none narrower than its header."""
    mm_per = size_pt * 25.4 / 72
    texts = [[str(h)] + [str(r[j].text if isinstance(r[j], Cell) else (r[j] or "")) for r in rows]
             for j, h in enumerate(header)]
    need = [max(_width(x) for x in col) * mm_per + CELL_PADDING_MM for col in texts]
    short = 8 * mm_per + CELL_PADDING_MM
    fixed = {j: n for j, n in enumerate(need) if n <= short}
    flexible = [j for j in range(len(header)) if j not in fixed]
    rest = total - sum(fixed.values())
    if not flexible or rest <= 0:  # all short: stretch them all to the full width
        scale = total / sum(need)
        return [int(n * scale * 10) / 10 for n in need]
    body = [col[1:] or col for col in texts]
    mean = {j: sum(_width(x) for x in body[j]) / len(body[j]) for j in flexible}
    floor = {j: max(_width(str(header[j])), 4) * mm_per + CELL_PADDING_MM for j in flexible}
    out = dict(fixed)
    weight = sum(mean[j] for j in flexible) or 1
    for j in flexible:
        out[j] = min(need[j], max(floor[j], rest * mean[j] / weight))
    spare = total - sum(out.values())
    if spare > 0.5:  # what is left goes to the columns still short of their longest cell, by their length
        wanting = {j: need[j] - out[j] for j in flexible if need[j] > out[j]} or {j: 1.0 for j in flexible}
        for j, w in wanting.items():
            out[j] += spare * w / sum(wanting.values())
    if sum(out.values()) > total:  # the floors alone are too wide: shrink the long columns
        over = sum(out.values()) - total
        room = sum(out[j] for j in flexible)
        for j in flexible:
            out[j] -= over * out[j] / room
    return [int(out[j] * 10) / 10 for j in range(len(header))]


def emu_to_mm(value: Emu | int) -> float:
    """Lengths read back from a .docx (EMU) in millimetres, for checks."""
    return int(value) / 36000


