"""Loaders that turn .docx, .xlsx, .pdf and .html files into source lines.

Every format comes out in the shape the text passes already read, so no pass knows formats:

- a paragraph is a line; a heading is ``#``-prefixed; bold runs are wrapped in ``**`` so bold
  lead-ins survive;
- a table row is ONE line of tab-separated cell texts, one cell per grid column. A merged cell's
  text appears once per row: columns a cell spans to the right are empty, while a cell merged
  downwards repeats its text in every row it covers (a 牵头单位 merged over three tasks leads each);
- cell text never holds a tab or a newline: lines inside a cell are joined (directly after or
  before punctuation, else with a space, so one-unit-per-line cells stay separable);
- rows above a table's first row with two filled cells (its title, a 附件 line) are plain lines.

Zip containers (.docx/.xlsx) are checked for size and compression ratio before any parser sees
them, and every library error on a damaged file becomes one :class:`IngestError`.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from statistics import median

from duban.ingest import limits
from duban.ingest.errors import FORMAT_NAMES, IngestError
from duban.ingest.limits import MB, Limits
from duban.ingest.structure import doc_kind, numbering_level
from duban.ingest.text import strip_markup

MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all members of a .docx/.xlsx together
MAX_ZIP_RATIO = 100  # uncompressed / compressed, above MIN_BOMB_BYTES
MIN_BOMB_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000

# ---------------------------------------------------------------------------------------------
# shared helpers


def _damaged(path: str, fmt: str, exc: BaseException | None = None) -> IngestError:
    """The one error for a file a library could not read; the library's reason as a short gloss."""
    gloss = f"damaged or invalid {fmt} file"
    if exc is not None:
        reason = " ".join(str(exc).split())[:80]
        gloss += f": {type(exc).__name__}" + (f" {reason}" if reason else "")
    return IngestError(f"文件已损坏或不是有效的{FORMAT_NAMES[fmt]}（{gloss}）", path=path)


_TIGHT_AFTER = tuple("。，、；：！？,;:（(《“‘【[-—/")
_TIGHT_BEFORE = tuple("。，、；：！？,;:）)》”’】]-—/")
_LATIN = re.compile(r"[A-Za-z0-9%.]")


def glue(left: str, right: str, *, wrapped: bool = False) -> str:
    """Join two lines of one cell or paragraph. A soft wrap (``wrapped``: the layout ran out of
    width) joins directly except between Latin words; a real break joins directly at
    punctuation, else with a space, so one-unit-per-line cells stay separable
    ('市发改委' + '市财政局' -> '市发改委 市财政局')."""
    if not left or not right:
        return left + right
    if wrapped:
        tight = not (_LATIN.match(left[-1]) and _LATIN.match(right[0]))
    else:
        tight = left.endswith(_TIGHT_AFTER) or right.startswith(_TIGHT_BEFORE)
    return left + right if tight else f"{left} {right}"


def join_pieces(pieces: Iterable[str]) -> str:
    """The lines of one cell as one line: no tab, no newline, spaces collapsed."""
    out = ""
    for piece in pieces:
        out = glue(out, " ".join(piece.split()))
    return out


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows of cell texts -> lines: tab-separated from the first row with two filled cells on,
    all of the same width (trailing empty columns dropped); single-cell rows above it plain."""
    width = 0
    for row in rows:
        filled = [i for i, c in enumerate(row) if c]
        if filled:
            width = max(width, filled[-1] + 1)
    out: list[str] = []
    started = False
    for row in rows:
        cells = [c for c in row[:width]]
        filled = [c for c in cells if c]
        if not started and len(filled) >= 2:
            started = True
        if not filled:
            out.append("")
        elif started:
            out.append("\t".join(cells + [""] * (width - len(cells))))
        else:
            out.append(" ".join(filled))
    return out


def _title_part(t: str) -> bool:
    """Could open a title that layout broke: not a title, not numbered, no sentence end."""
    return bool(t) and not doc_kind(t) and not numbering_level(t) and not t.startswith(("附件", "附表")) \
        and not t.endswith(("。", "；", "：", ":"))


def _full_title(t: str) -> bool:
    """A title on its own ('某县……工作方案', '关于印发……的通知'), not just its closing words."""
    return bool(doc_kind(t)) and ("印发" in t or re.search(r"[省市县区州旗]", t[:8]) is not None)


def _title_run(texts: list[str], centred: list[bool], i: int) -> int:
    """How many lines from ``i`` make one broken title (0: none)."""
    if not centred[i] or not _title_part(texts[i]):
        return 0
    joined = texts[i]
    for j in range(i + 1, min(len(texts), i + 4)):
        t = texts[j]
        if not centred[j] or not t or numbering_level(t) or _full_title(t):
            return 0
        joined += t
        if doc_kind(joined) and len(joined) <= 70:
            return j - i + 1
        if not _title_part(t):
            return 0
    return 0


def merge_split_titles(items: list[tuple[str, bool]]) -> list[str]:
    """Join a document title that layout broke over consecutive centred lines
    ('邵阳市打好“发展六仗”' + '总体方案') when only the joined text reads as a title."""
    texts = [strip_markup(text).strip() for text, _ in items]
    centred = [c for _, c in items]
    out: list[str] = []
    i = 0
    while i < len(items):
        n = _title_run(texts, centred, i)
        if n:
            out.append("".join(text.strip() for text, _ in items[i : i + n]))
            i += n
        else:
            out.append(items[i][0])
            i += 1
    return out


def zip_bomb_problem(infos: list[zipfile.ZipInfo]) -> str:
    """Why a zip's central directory looks like a zip bomb ('' when it does not): too many members,
    or too much inflated data for its size. Shared by plan files and report attachments."""
    if len(infos) > MAX_ZIP_MEMBERS:
        return f"压缩包内文件过多（{len(infos)} 个），疑似恶意文件（too many zip members）"
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or (total > MIN_BOMB_BYTES and total / packed > MAX_ZIP_RATIO):
        return (f"解压后体积异常（{total // 1024 // 1024} MB，压缩比 {total // packed}:1），疑似压缩炸弹，已拒绝"
                f"（zip bomb suspected）")
    return ""


def check_zip(path: str, fmt: str, required: str) -> None:
    """Refuse a container that is not a zip, lacks its main part, or would inflate far beyond its
    size (a zip bomb) — judged from the central directory, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as e:
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise IngestError(
                f"这是旧版 Office（97-2003）格式或已加密的文件，请另存为 {fmt} 后再导入"
                f"（legacy or encrypted Office file, not {fmt}）",
                path=path,
            ) from e
        raise _damaged(path, fmt, e) from e
    except PermissionError:
        raise
    except (OSError, ValueError, EOFError, NotImplementedError) as e:  # NotImplementedError: bad version field
        raise _damaged(path, fmt, e) from e
    problem = zip_bomb_problem(infos)
    if problem:
        raise IngestError(problem, path=path)
    if required not in names:
        raise IngestError(f"不是有效的{FORMAT_NAMES[fmt]}：压缩包里没有 {required}（not a {fmt} package）", path=path)


# ---------------------------------------------------------------------------------------------
# bounds checked from the package before a library loads it (limits: duban.ingest.limits)

_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".svg", ".wdp", ".jfif")


def _too_big(path: str, what: str, value: str, limit: str, gloss: str) -> IngestError:
    return IngestError(f"{what}（{value}）超过上限 {limit}，疑似恶意构造或内容过多，已拒绝；"
                       f"请精简或拆分后再导入（{gloss}）", path=path)


def check_docx_bounds(path: str, lim: Limits | None = None) -> None:
    """Refuse a .docx whose XML parts inflate beyond ``docx_max_xml_bytes``: python-docx holds every
    part parsed in memory (about 11 times the XML), so 300 MB of XML at 31:1 — under the zip-bomb
    ratio — would cost gigabytes. Judged from the central directory; media files do not count."""
    lim = lim or limits.current()
    with zipfile.ZipFile(path) as zf:
        xml = sum(i.file_size for i in zf.infolist() if not i.filename.lower().endswith(_MEDIA))
    if xml > lim.docx_max_xml_bytes:
        raise _too_big(path, "Word 文档解压后的 XML 内容", f"{xml / MB:.1f} MB",
                       f"{lim.docx_max_xml_bytes / MB:.0f} MB", "docx XML too large")


_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _worksheet_parts(zf: zipfile.ZipFile) -> list[str]:
    """The worksheet parts the workbook's relationships name (what openpyxl will open)."""
    from defusedxml import ElementTree as ET

    try:
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    out = []
    for rel in rels:
        if (rel.get("Type") or "").endswith("/worksheet"):
            target = rel.get("Target") or ""
            out.append(target.lstrip("/") if target.startswith("/") else "xl/" + target)
    return out


class _SheetEnd(Exception):
    """Raised from the expat handler at the end of ``sheetData``: nothing after it holds cells."""


def check_xlsx_bounds(path: str, lim: Limits | None = None) -> None:
    """Refuse a workbook with too many sheets, a sheet declared (``<dimension ref>``) or filled beyond
    ``xlsx_max_rows`` × ``xlsx_max_cols``, or more than ``xlsx_max_cells`` cells — by streaming each
    sheet's XML through expat (no tree; a DTD is refused, so no entity expansion) and stopping at the
    first limit, before openpyxl reads it row by row (it walks every row up to the last one, so one
    cell at row 1,048,576 in 20 sheets cost 120 s)."""
    from xml.parsers import expat

    lim = lim or limits.current()
    with zipfile.ZipFile(path) as zf:
        sheets = _worksheet_parts(zf)
        if len(sheets) > lim.xlsx_max_sheets:
            raise _too_big(path, "工作表个数", f"{len(sheets)} 个", f"{lim.xlsx_max_sheets} 个", "too many sheets")
        names = set(zf.namelist())
        state = {"cells": 0, "row": 0}

        def start(tag, attrs):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "c":
                state["cells"] += 1
                if state["cells"] > lim.xlsx_max_cells:
                    raise _too_big(path, "单元格总数", f"超过 {lim.xlsx_max_cells} 个", f"{lim.xlsx_max_cells} 个",
                                   "too many cells")
                m = _CELL_REF.match(attrs.get("r", ""))
                if m:
                    _check_extent(path, lim, _col(m.group(1)), int(m.group(2)), "表格")
            elif tag == "row":
                r = attrs.get("r", "")
                state["row"] = int(r) if r.isdigit() else state["row"] + 1
                _check_extent(path, lim, 0, state["row"], "表格")
            elif tag == "dimension":
                m = _CELL_REF.match(attrs.get("ref", "").upper().split(":")[-1])
                if m:
                    _check_extent(path, lim, _col(m.group(1)), int(m.group(2)), "声明的表格范围")

        def end(tag):
            if tag.rsplit(":", 1)[-1] == "sheetData":
                raise _SheetEnd

        def no_dtd(*_):
            raise IngestError("表格 XML 含有 DTD 声明，疑似恶意构造，已拒绝（DTD in sheet XML）", path=path)

        for part in sheets:
            if part not in names:
                continue
            state["row"] = 0
            parser = expat.ParserCreate()
            parser.StartElementHandler = start
            parser.EndElementHandler = end
            parser.StartDoctypeDeclHandler = no_dtd
            parser.EntityDeclHandler = no_dtd
            with zf.open(part) as src:
                try:
                    parser.ParseFile(src)
                except _SheetEnd:
                    pass


def _check_extent(path: str, lim: Limits, col: int, row: int, what: str) -> None:
    if row > lim.xlsx_max_rows:
        raise _too_big(path, f"{what}行数", f"到第 {row} 行", f"{lim.xlsx_max_rows} 行", "sheet has too many rows")
    if col > lim.xlsx_max_cols:
        raise _too_big(path, f"{what}列数", f"到第 {col} 列", f"{lim.xlsx_max_cols} 列", "sheet has too many columns")


# ---------------------------------------------------------------------------------------------
# .docx


def docx_lines(path: str) -> list[str]:
    """Body paragraphs and tables of a .docx in document order."""
    check_zip(path, ".docx", "word/document.xml")
    check_docx_bounds(path)
    try:
        import docx

        document = docx.Document(path)
        return _DocxReader(document).lines()
    except (IngestError, MemoryError):  # a parse out of memory is reported as such (duban.ingest.bounded)
        raise
    except Exception as e:  # python-docx/lxml raise many types on damaged parts
        raise _damaged(path, ".docx", e) from e


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALSE = {"0", "false", "off", "none"}
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _w(el, *path: str):
    """Follow child tags (without prefix) from ``el``; None when a step is missing."""
    for tag in path:
        if el is None:
            return None
        el = el.find(_W + tag)
    return el


def _val(el) -> str | None:
    return None if el is None else el.get(_W + "val")


def _on(el) -> bool | None:
    """A w:b-like toggle: None when absent."""
    if el is None:
        return None
    v = el.get(_W + "val")
    return v is None or v.lower() not in _FALSE


class _Styles:
    """Paragraph/character style facts that text needs (bold, heading level, centring),
    resolved through ``basedOn`` once per style."""

    def __init__(self, styles_el):
        self._by_id = {}
        if styles_el is not None:
            for st in styles_el.iter(_W + "style"):
                self._by_id[st.get(_W + "styleId")] = st
        self._memo: dict[tuple[str, str | None], object] = {}

    def _chain(self, style_id: str | None) -> Iterator:
        seen = set()
        while style_id and style_id in self._by_id and style_id not in seen:
            seen.add(style_id)
            st = self._by_id[style_id]
            yield st
            style_id = _val(_w(st, "basedOn"))

    def _lookup(self, key: str, style_id: str | None, fn):
        k = (key, style_id)
        if k not in self._memo:
            self._memo[k] = next((v for st in self._chain(style_id) if (v := fn(st)) is not None), None)
        return self._memo[k]

    def bold(self, style_id: str | None) -> bool | None:
        return self._lookup("b", style_id, lambda st: _on(_w(st, "rPr", "b")))

    def centred(self, style_id: str | None) -> bool | None:
        return self._lookup("jc", style_id, lambda st: (j := _val(_w(st, "pPr", "jc"))) and j == "center" or None)

    def heading(self, style_id: str | None) -> int:
        def level(st):
            name = _val(_w(st, "name")) or ""
            m = _HEADING_STYLE.match(name.strip())
            if m:
                return int(m.group(1))
            if name.strip().lower() in {"title", "标题"}:
                return 1
            lvl = _val(_w(st, "pPr", "outlineLvl"))
            return int(lvl) + 1 if lvl and lvl.isdigit() and int(lvl) < 9 else None

        return self._lookup("h", style_id, level) or 0

    def numbering(self, style_id: str | None) -> tuple[str, str] | None:
        def num(st):
            numpr = _w(st, "pPr", "numPr")
            if numpr is None:
                return None
            return (_val(_w(numpr, "numId")) or "", _val(_w(numpr, "ilvl")) or "0")

        return self._lookup("num", style_id, num)


_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一, 105 -> 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if not rest else ("零" + _CN_DIGITS[rest] if rest < 10 else chinese_number(rest) if rest >= 20
                                    else "一" + chinese_number(rest))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word numFmt."""
    if fmt in {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital"}:
        return chinese_number(n)
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt.startswith("decimalEnclosedCircle") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in {"upperRoman", "lowerRoman"}:
        r = _roman(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in {"upperLetter", "lowerLetter"}:
        s = _letters(n)
        return s if fmt == "upperLetter" else s.lower()
    if fmt == "decimalFullWidth":
        return str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    return str(n)


class _Numbering:
    """Word auto-numbering (一、 （一） 1. in list styles): renders the label Word would show, so
    the outline numbers and 序号 cells exist in the text."""

    def __init__(self, numbering_el):
        self._abstract: dict[str, dict[int, tuple[int, str, str, int | None]]] = {}
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if numbering_el is None:
            return
        for an in numbering_el.iter(_W + "abstractNum"):
            levels = {}
            for lvl in an.iter(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl") or 0)
                start = _val(_w(lvl, "start"))
                restart = _val(_w(lvl, "lvlRestart"))
                levels[ilvl] = (
                    int(start) if start and start.isdigit() else 1,
                    _val(_w(lvl, "numFmt")) or "decimal",
                    _val(_w(lvl, "lvlText")) or "",
                    int(restart) if restart and restart.isdigit() else None,
                )
            self._abstract[an.get(_W + "abstractNumId")] = levels
        for num in numbering_el.iter(_W + "num"):
            overrides = {}
            for ov in num.iter(_W + "lvlOverride"):
                s = _val(_w(ov, "startOverride"))
                if s and s.isdigit():
                    overrides[int(ov.get(_W + "ilvl") or 0)] = int(s)
            self._nums[num.get(_W + "numId")] = (_val(_w(num, "abstractNumId")) or "", overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the list's counter at ``ilvl`` and return the rendered label ('' for bullets)."""
        if num_id not in self._nums:
            return ""
        abstract_id, overrides = self._nums[num_id]
        levels = self._abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(abstract_id, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for lv, start in overrides.items():
                counters[lv] = start - 1
        start, fmt, text, _ = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [lv for lv in counters if lv > ilvl]:
            restart = levels.get(deeper, (1, "", "", None))[3]
            if restart is None or restart > ilvl:
                del counters[deeper]
        if fmt in {"bullet", "none"}:
            return ""

        def render(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            lv_start, lv_fmt = levels.get(lv, (1, "decimal", "", None))[:2]
            return format_number(counters.get(lv, lv_start), lv_fmt)

        return re.sub(r"%([1-9])", render, text)


class _DocxReader:
    """Walks the body XML so tables stay where they are among the paragraphs."""

    def __init__(self, document):
        from lxml import etree

        part = document.part
        self._styles = _Styles(document.styles.element)
        try:
            numbering_el = part.part_related_by(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
            ).element
        except KeyError:
            numbering_el = None
        self._numbering = _Numbering(numbering_el)
        self._body = document.element.body
        self._runs = etree.XPath(
            ".//w:r[not(ancestor::w:txbxContent) and not(ancestor::mc:Fallback) and not(ancestor::w:del)]",
            namespaces={"w": _W[1:-1], "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"},
        )

    def lines(self) -> list[str]:
        items: list[tuple[str, bool]] = []
        for el in self._blocks(self._body):
            if el.tag == _W + "p":
                items.extend(self._paragraph_items(el))
            else:
                items.extend((line, False) for line in self._table_lines(el))
        return merge_split_titles(items)

    def _blocks(self, parent) -> Iterator:
        for el in parent:
            if el.tag in (_W + "p", _W + "tbl"):
                yield el
            elif el.tag in (_W + "sdt", _W + "customXml", _W + "sdtContent"):
                inner = el.find(_W + "sdtContent") if el.tag == _W + "sdt" else el
                if inner is not None:
                    yield from self._blocks(inner)

    def _label(self, p, style_id: str | None) -> str:
        numpr = _w(p, "pPr", "numPr")
        if numpr is not None:
            num_id, ilvl = _val(_w(numpr, "numId")), _val(_w(numpr, "ilvl"))
        else:
            num_id, ilvl = self._styles.numbering(style_id) or (None, None)
        if not num_id or num_id == "0":
            return ""
        return self._numbering.label(num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0)

    def _paragraph_text(self, p, style_id: str | None, *, markup: bool) -> str:
        """Text of a paragraph with its numbering label; bold runs in ``**`` when ``markup``."""
        style_bold = self._styles.bold(style_id)
        parts: list[str] = []
        bold_open = False
        for r in self._runs(p):
            text = r.text
            if not text:
                continue
            bold = False
            if markup:
                b = _on(_w(r, "rPr", "b"))
                if b is None:
                    b = self._styles.bold(_val(_w(r, "rPr", "rStyle")))
                bold = b if b is not None else bool(style_bold)
            if bold != bold_open and text.strip():
                parts.append("**")
                bold_open = bold
            parts.append(text)
        if bold_open:
            parts.append("**")
        return self._label(p, style_id) + "".join(parts)

    def _paragraph_items(self, p) -> list[tuple[str, bool]]:
        style_id = _val(_w(p, "pPr", "pStyle"))
        text = self._paragraph_text(p, style_id, markup=True)
        level = self._styles.heading(style_id)
        jc = _val(_w(p, "pPr", "jc"))
        centred = jc == "center" if jc else bool(self._styles.centred(style_id))
        pieces = text.split("\n")
        if level or centred:  # a title broken by a soft return is still one title
            pieces = ["".join(pieces)]
        prefix = "#" * min(level, 6) + " " if level else ""
        return [(prefix + piece if piece.strip() else piece, centred) for piece in pieces]

    def _cell_text(self, tc) -> str:
        pieces = []
        for el in self._blocks(tc):
            if el.tag == _W + "p":
                style_id = _val(_w(el, "pPr", "pStyle"))
                pieces.extend(self._paragraph_text(el, style_id, markup=False).split("\n"))
            else:  # a nested table: its cells' text, in order
                pieces.extend(self._cell_text(inner) for inner in el.iter(_W + "tc"))
        return join_pieces(pieces)

    def _grid_rows(self, tbl) -> list[list]:
        """Each row as its grid of ``w:tc`` (None where a row starts late or ends early); a
        cell merged down (``vMerge`` continue) is the ``w:tc`` above it."""
        rows: list[list] = []
        for tr in tbl.iter(_W + "tr"):
            if tr.getparent() is not tbl:
                continue
            before = _val(_w(tr, "trPr", "gridBefore"))
            grid: list = [None] * (int(before) if before and before.isdigit() else 0)
            for tc in tr.findall(_W + "tc"):
                span = _val(_w(tc, "tcPr", "gridSpan"))
                span_n = int(span) if span and span.isdigit() else 1
                vmerge = _w(tc, "tcPr", "vMerge")
                col = len(grid)
                if vmerge is not None and _val(vmerge) in (None, "continue") and rows:
                    above = rows[-1][col] if col < len(rows[-1]) else None
                    tc = above if above is not None else tc
                grid.extend([tc] * max(1, span_n))
            rows.append(grid)
        return rows

    def _table_lines(self, tbl) -> list[str]:
        grid = self._grid_rows(tbl)
        if max((len({id(tc) for tc in row if tc is not None}) for row in grid), default=0) <= 1:
            # a one-column table is a layout box, not a data table: its paragraphs are text
            out = []
            for row in grid:
                for tc in row[:1]:
                    if tc is not None:
                        for el in self._blocks(tc):
                            if el.tag == _W + "p":
                                out.extend(t for t, _ in self._paragraph_items(el))
            return out
        texts: dict[int, str] = {}
        rows = []
        for row in grid:
            cells, prev = [], None
            for tc in row:
                if tc is None or tc is prev:
                    cells.append("")
                else:
                    if id(tc) not in texts:
                        texts[id(tc)] = self._cell_text(tc)
                    cells.append(texts[id(tc)])
                prev = tc
            rows.append(cells)
        return table_lines(rows)


# ---------------------------------------------------------------------------------------------
# .xlsx


def xlsx_lines(path: str) -> list[str]:
    """Each visible sheet's rows as tab-separated lines, the sheet name first when it reads as a
    title and no title row is there already; sheets separated by a blank line."""
    check_zip(path, ".xlsx", "xl/workbook.xml")
    try:
        check_xlsx_bounds(path)
    except (IngestError, MemoryError):  # a parse out of memory is reported as such (duban.ingest.bounded)
        raise
    except Exception as e:  # malformed sheet XML, a relationship to a missing part …
        raise _damaged(path, ".xlsx", e) from e
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as e:  # openpyxl raises KeyError, ValueError, XML errors … on damaged files
        raise _damaged(path, ".xlsx", e) from e
    try:
        out: list[str] = []
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            lines = table_lines(_sheet_rows(wb, ws))
            while lines and not lines[-1]:
                lines.pop()
            if not lines:
                continue
            if out:
                out.append("")
            if _sheet_title_wanted(ws.title, lines):
                out.append(ws.title.strip())
            out.extend(lines)
        return out
    except (IngestError, MemoryError):  # a parse out of memory is reported as such (duban.ingest.bounded)
        raise
    except Exception as e:
        raise _damaged(path, ".xlsx", e) from e
    finally:
        wb.close()


_DEFAULT_SHEET = re.compile(r"^\s*(sheet|工作表|表)\s*\d*\s*$", re.I)


def _sheet_title_wanted(title: str, lines: list[str]) -> bool:
    """A sheet name like '经济增长主动仗责任分解表' is a title unless a title row already exists."""
    if not title or _DEFAULT_SHEET.match(title) or not re.search(r"[\u4e00-\u9fff]", title):
        return False
    head = [ln for ln in lines[:5] if ln and "\t" not in ln]
    return not any(doc_kind(ln.strip()) or title.strip() in ln for ln in head)


def _cell_value(cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.datetime | dt.date):
        return f"{v.year}年{v.month}月{v.day}日"
    if isinstance(v, float | int):
        fmt = getattr(cell, "number_format", "") or ""
        if "%" in fmt:
            return f"{v * 100:.12g}%"
        return f"{v:.15g}" if isinstance(v, float) and not v.is_integer() else str(int(v))
    return join_pieces(str(v).replace("_x000D_", "").split("\n"))


def _sheet_rows(wb, ws) -> list[list[str]]:
    """Cell texts by row and column from A1, merged ranges applied (text once per row, filled
    down the first column of a vertical merge)."""
    ws.reset_dimensions()  # stored dimensions are often wrong; read what is there
    rows: list[list[str]] = []
    for row in ws.iter_rows():
        cells = [_cell_value(c) for c in row]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    for r1, c1, r2, c2 in _merged_ranges(wb, ws):
        if r1 > len(rows):
            continue
        top = rows[r1 - 1]
        value = top[c1 - 1] if c1 - 1 < len(top) else ""
        for r in range(r1, min(r2, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < c2:
                row.extend([""] * (c2 - len(row)))
            row[c1 - 1] = value
            for c in range(c1, c2):
                row[c] = ""
    return rows


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _merged_ranges(wb, ws) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a read-only sheet, from the sheet XML's ``mergeCells`` (read-only mode does
    not expose them); (first row, first col, last row, last col), 1-based. defusedxml refuses
    entity declarations (billion laughs, external entities) in this untrusted XML."""
    from defusedxml import ElementTree as ET

    sheet_path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not sheet_path or archive is None:
        return []
    out = []
    with archive.open(sheet_path) as src:
        for _, el in ET.iterparse(src, events=("end",)):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                m = _REF.match((el.get("ref") or "").upper())
                if m:
                    c1, r1, c2, r2 = _col(m.group(1)), int(m.group(2)), _col(m.group(3)), int(m.group(4))
                    if r2 - r1 <= 10_000 and c2 - c1 <= 200:
                        out.append((r1, c1, r2, c2))
            elif tag in ("row", "c", "v", "is", "t", "f"):
                el.clear()
    return out


# ---------------------------------------------------------------------------------------------
# .pdf

_PAGE_NO = re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d+\s*页(?:\s*[,，/、]?\s*共\s*\d+\s*页)?$")
_SENTENCE_END = tuple("。！？；：”")


def pdf_lines(path: str) -> list[str]:
    """Text-layer lines of a PDF, wrapped lines of a paragraph rejoined, page numbers dropped;
    ruled tables as tab-separated rows where pdfplumber detects them."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise IngestError(f"文件已损坏或不是有效的{FORMAT_NAMES['.pdf']}：缺少 PDF 文件头（not a PDF file）", path=path)
    try:
        import pdfplumber

        pdf = pdfplumber.open(path)
    except MemoryError:
        raise
    except Exception as e:  # pdfminer raises PDFSyntaxError, PSEOF, PDFPasswordIncorrect …
        raise _pdf_error(path, e) from e
    try:
        with pdf:
            pages = pdf.pages
            cap = limits.current().pdf_max_pages
            if len(pages) > cap:
                raise _too_big(path, "PDF 页数", f"{len(pages)} 页", f"{cap} 页", "too many pages")
            blocks: list[list] = []
            has_text = False
            for page in pages:
                has_text = has_text or bool(page.chars)
                blocks.extend(_pdf_page_blocks(page))
                page.close()
    except (IngestError, MemoryError):  # a parse out of memory is reported as such (duban.ingest.bounded)
        raise
    except Exception as e:
        raise _pdf_error(path, e) from e
    if not has_text:
        raise IngestError(
            "PDF 没有文字层（可能是扫描件或图片），请先做文字识别（OCR）或提供 Word/文本版本"
            "（PDF has no text layer: scanned?）",
            path=path,
        )
    return _pdf_join(blocks)


def _pdf_error(path: str, exc: BaseException) -> IngestError:
    """pdfplumber wraps pdfminer's error in its args; a password error gets its own message."""
    causes = [exc, *(a for a in exc.args if isinstance(a, BaseException)), exc.__context__]
    if any(c is not None and "password" in type(c).__name__.lower() for c in causes):
        return IngestError("PDF 已加密，需要密码才能读取（encrypted PDF）", path=path)
    inner = next((a for a in exc.args if isinstance(a, BaseException)), exc)
    return _damaged(path, ".pdf", inner)


def _pdf_page_blocks(page) -> list[list]:
    """One page as blocks in reading order: ["text", line-dict, left, right, centre] per text line
    and ["table", lines] per detected table."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = [ln for ln in text_page.extract_text_lines() if ln["text"].strip()]
    height = float(page.height)
    lines = [ln for ln in lines if not (_PAGE_NO.match(ln["text"].strip())
                                        and (ln["top"] < height * 0.12 or ln["bottom"] > height * 0.88))]
    left = min((ln["x0"] for ln in lines), default=0.0)
    right = max((ln["x1"] for ln in lines), default=0.0)
    centre = float(page.width) / 2
    items: list[tuple[float, list]] = [(ln["top"], ["text", ln, left, right, centre]) for ln in lines]
    for t in tables:
        items.append((t.bbox[1], ["table", table_lines(_pdf_table_rows(page, t))]))
    items.sort(key=lambda it: it[0])
    return [b for _, b in items]


def _inside(obj, bbox) -> bool:
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]


def _pdf_table_rows(page, table) -> list[list[str]]:
    """Cell texts of a detected table (what ``Table.extract`` gives, but with the line breaks
    inside a cell judged by geometry: see :func:`_pdf_cell_text`); merged areas are empty."""
    chars = page.chars
    rows = []
    for row in table.rows:
        row_chars = [c for c in chars if _inside(c, row.bbox)]
        rows.append(["" if cell is None else _pdf_cell_text([c for c in row_chars if _inside(c, cell)], cell)
                     for cell in row.cells])
    return rows


def _pdf_cell_text(chars: list[dict], bbox) -> str:
    """A cell's lines joined. A line after which the next line's first character would not have
    fitted was wrapped by the layout (joined directly: '邵阳经济技术开发' + '区管委会'); one that
    stopped with room left ended at a break or a space ('各县市区长' + '吴名蒙' keeps the space).
    The right margin is taken to mirror the left one."""
    from pdfplumber.utils import cluster_objects, extract_text

    if not chars:
        return ""
    lines = [sorted(line, key=lambda c: c["x0"]) for line in cluster_objects(chars, "top", 3)]
    pad = min(max(0.0, min(c["x0"] for c in chars) - bbox[0]), (bbox[2] - bbox[0]) / 2)
    limit = bbox[2] - pad
    out, room = "", None
    for line in lines:
        first = line[0]
        wrapped = room is not None and room < (first["x1"] - first["x0"]) * 0.9
        out = glue(out, " ".join(extract_text(line).split()), wrapped=wrapped)
        room = limit - line[-1]["x1"]
    return out


def _pdf_continues(prev: list, nxt: list) -> bool:
    """A wrapped line: the previous one runs to the right margin and the next starts at the left
    margin (new paragraphs are indented, titles centred), unless the next starts a numbered item."""
    a, b = prev[1], nxt[1]
    size = max(1.0, median([a["bottom"] - a["top"], b["bottom"] - b["top"]]))
    if a["x1"] < prev[3] - 1.2 * size or b["x0"] > nxt[2] + 0.6 * size:
        return False
    if a["x0"] > prev[2] + 4 * size:  # a short centred/indented line that happens to end right
        return False
    if a["text"].rstrip().endswith(_SENTENCE_END) and b["x0"] > nxt[2] + 0.3 * size:
        return False
    return not numbering_level(b["text"].strip())


def _pdf_join(blocks: list[list]) -> list[str]:
    items: list[tuple[str, bool]] = []
    prev = None
    for block in blocks:
        if block[0] == "table":
            items.extend((ln, False) for ln in block[1])
            prev = None
            continue
        ln = block[1]
        text = ln["text"].strip()
        if prev is not None and _pdf_continues(prev, block):
            items[-1] = (glue(items[-1][0], text, wrapped=True), False)
        else:
            size = max(1.0, ln["bottom"] - ln["top"])
            centred = abs((ln["x0"] + ln["x1"]) / 2 - block[4]) < 2 * size and ln["x0"] > block[2] + 2 * size
            items.append((text, centred))
        prev = block
    return merge_split_titles(items)


# ---------------------------------------------------------------------------------------------
# .html


def html_lines(text: str) -> list[str]:
    """Text of block elements one per line, table rows as tab-separated cells; scripts, styles
    and the head dropped; headings ``#``-prefixed and bold ``**``-wrapped like markdown."""
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    return parser.finish()


_SKIP = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object", "select"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "li", "ul", "ol", "dl",
    "dt", "dd", "blockquote", "pre", "address", "figure", "figcaption", "form", "hr", "center", "body",
    "h1", "h2", "h3", "h4", "h5", "h6",
}
_WS = re.compile(r"[ \t\r\n\f]+")
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# a source line break between two Chinese characters is formatting, not a space
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*(?=[{_CJK}])")
_EMPTY_BOLD = re.compile(r"\*\*(\s*)\*\*")


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    v = dict(attrs).get(name) or "1"
    v = v.strip()
    return max(1, min(int(v), 200)) if v.isdigit() else 1


class _HtmlTable:
    def __init__(self):
        self.rows: list[list[tuple[str, int, int]]] = []  # (text, colspan, rowspan)
        self.cell: list[str] | None = None
        self.spans = (1, 1)
        self.caption: list[str] = []  # a <caption> is the table's title line
        self.in_caption = False

    def start_row(self):
        self.end_cell()
        self.rows.append([])

    def start_cell(self, colspan: int, rowspan: int):
        self.end_cell()
        if not self.rows:
            self.rows.append([])
        self.cell = []
        self.spans = (colspan, rowspan)

    def end_cell(self):
        if self.cell is not None:
            text = join_pieces("".join(self.cell).split("\n"))
            self.rows[-1].append((text, *self.spans))
            self.cell = None

    def grid(self) -> list[list[str]]:
        """Rows laid on the column grid: colspan leaves empty columns, rowspan fills down."""
        self.end_cell()
        out: list[list[str]] = []
        pending: dict[int, tuple[int, str]] = {}  # column -> (rows left, text)
        for cells in self.rows:
            row: list[str] = []
            queue = list(cells)
            col = 0
            while queue or any(c >= col for c in pending):
                if col in pending:
                    left, text = pending[col]
                    row.append(text)
                    if left > 1:
                        pending[col] = (left - 1, text)
                    else:
                        del pending[col]
                    col += 1
                    continue
                if not queue:
                    row.append("")
                    col += 1
                    continue
                text, colspan, rowspan = queue.pop(0)
                row.append(text)
                row.extend([""] * (colspan - 1))
                if rowspan > 1:
                    pending[col] = (rowspan - 1, text)
                col += colspan
            out.append(row)
        return out


class _HtmlLines(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.buf: list[str] = []
        self.skip = 0
        self.pre = 0
        self.heading = 0
        self.tables: list[_HtmlTable] = []

    # -- line buffer
    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        pieces = text.split("\n") if self.pre else [_WS.sub(" ", _CJK_BREAK.sub("", text))]
        for piece in pieces:
            piece = _EMPTY_BOLD.sub(r"\1", piece).strip(" \t\r\f")
            if piece:
                self.out.append(("#" * self.heading + " " if self.heading else "") + piece)

    def write(self, s: str):
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append(s)
        elif table is not None and table.in_caption:
            table.caption.append(s)
        elif table is None:
            self.buf.append(s)
        # text between table tags outside any cell is layout noise

    # -- parser callbacks
    def handle_starttag(self, tag, attrs):
        if tag == "body":  # a head left open ends here
            self.skip = 0
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        in_table = bool(self.tables)
        if tag == "table":
            if not in_table:
                self.flush()
            self.tables.append(_HtmlTable())
        elif tag == "caption" and in_table:
            self.tables[-1].in_caption = True
        elif tag == "tr" and in_table:
            self.tables[-1].start_row()
        elif tag in ("td", "th") and in_table:
            self.tables[-1].start_cell(_span(attrs, "colspan"), _span(attrs, "rowspan"))
        elif tag == "br" and self.heading and not in_table:
            pass  # a title broken by <br> is still one title
        elif tag == "br" or (tag in _BLOCK and in_table):
            if in_table:
                self.write("\n")
            elif self.pre:
                self.buf.append("\n")
            else:
                self.flush()
        elif tag in _BLOCK:
            self.flush()
            if tag == "pre":
                self.pre += 1
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])
        elif tag in ("b", "strong") and not in_table:
            self.buf.append("**")

    def handle_startendtag(self, tag, attrs):
        if tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.tables:
            table = self.tables.pop()
            lines = table_lines(table.grid())
            caption = _WS.sub(" ", "".join(table.caption)).strip()
            if caption:
                lines.insert(0, caption)
            if self.tables:  # nested: flattened into the enclosing cell
                self.write("\n" + "\n".join(ln.replace("\t", " ") for ln in lines) + "\n")
            else:
                self.out.extend(ln for ln in lines if ln)
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].end_cell()
        elif tag == "caption" and self.tables:
            self.tables[-1].in_caption = False
        elif tag in _BLOCK and not self.tables:
            self.flush()
            if self.pre and tag == "pre":
                self.pre -= 1
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = 0
        elif tag in _BLOCK and self.tables:
            self.write("\n")
        elif tag in ("b", "strong") and not self.tables:
            self.buf.append("**")

    def handle_data(self, data):
        if not self.skip:
            self.write(data)

    def finish(self) -> list[str]:
        self.skip = 0  # an unclosed <script>/<style> must not stop the open tables from closing
        while self.tables:
            self.handle_endtag("table")
        self.flush()
        return self.out
