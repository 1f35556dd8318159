"""Word (.docx): body paragraphs and tables in document order, in the shapes of
:mod:`duban.ingest.formats.lines`; the package is bounded before python-docx opens it."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from duban.ingest import limits
from duban.ingest.errors import IngestError
from duban.ingest.formats.base import Format, check_zip, damaged, too_big
from duban.ingest.formats.lines import join_pieces, merge_split_titles, table_lines
from duban.ingest.formats.wordxml import Numbering, W, on, val, w
from duban.ingest.limits import MB, Limits

_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".svg", ".wdp", ".jfif")


def check_docx_bounds(path: str, lim: Limits | None = None) -> None:
    """Refuse a .docx that is no Word package, a zip bomb, or whose XML parts inflate beyond
    ``docx_max_xml_bytes``: python-docx holds every part parsed in memory (about 11 times the XML),
    so 300 MB of XML at 31:1 — under the zip-bomb ratio — would cost gigabytes. Judged from the
    central directory; media files do not count."""
    check_zip(path, FORMAT)
    lim = lim or limits.current()
    with zipfile.ZipFile(path) as zf:
        xml = sum(i.file_size for i in zf.infolist() if not i.filename.lower().endswith(_MEDIA))
    if xml > lim.docx_max_xml_bytes:
        raise too_big(path, "Word 文档解压后的 XML 内容", f"{xml / MB:.1f} MB",
                      f"{lim.docx_max_xml_bytes / MB:.0f} MB", "docx XML too large")


def docx_lines(path: str) -> list[str]:
    """Body paragraphs and tables of a .docx in document order."""
    check_docx_bounds(path)
    try:
        import docx

        document = docx.Document(path)
        return _DocxReader(document).lines()
    except (IngestError, MemoryError):  # a parse out of memory is reported as such (duban.ingest.bounded)
        raise
    except Exception as e:  # python-docx/lxml raise many types on damaged parts
        raise damaged(path, FORMAT, e) from e


_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)

class _Styles:
    """Paragraph/character style facts that text needs (bold, heading level, centring),
    resolved through ``basedOn`` once per style."""

    def __init__(self, styles_el):
        self._by_id = {}
        if styles_el is not None:
            for st in styles_el.iter(W + "style"):
                self._by_id[st.get(W + "styleId")] = st
        self._memo: dict[tuple[str, str | None], object] = {}

    def _chain(self, style_id: str | None) -> Iterator:
        seen = set()
        while style_id and style_id in self._by_id and style_id not in seen:
            seen.add(style_id)
            st = self._by_id[style_id]
            yield st
            style_id = val(w(st, "basedOn"))

    def _lookup(self, key: str, style_id: str | None, fn):
        k = (key, style_id)
        if k not in self._memo:
            self._memo[k] = next((v for st in self._chain(style_id) if (v := fn(st)) is not None), None)
        return self._memo[k]

    def bold(self, style_id: str | None) -> bool | None:
        return self._lookup("b", style_id, lambda st: on(w(st, "rPr", "b")))

    def centred(self, style_id: str | None) -> bool | None:
        return self._lookup("jc", style_id, lambda st: (j := val(w(st, "pPr", "jc"))) and j == "center" or None)

    def heading(self, style_id: str | None) -> int:
        def level(st):
            name = val(w(st, "name")) or ""
            m = _HEADING_STYLE.match(name.strip())
            if m:
                return int(m.group(1))
            if name.strip().lower() in {"title", "标题"}:
                return 1
            lvl = val(w(st, "pPr", "outlineLvl"))
            return int(lvl) + 1 if lvl and lvl.isdigit() and int(lvl) < 9 else None

        return self._lookup("h", style_id, level) or 0

    def numbering(self, style_id: str | None) -> tuple[str, str] | None:
        def num(st):
            numpr = w(st, "pPr", "numPr")
            if numpr is None:
                return None
            return (val(w(numpr, "numId")) or "", val(w(numpr, "ilvl")) or "0")

        return self._lookup("num", style_id, num)



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
        self._numbering = Numbering(numbering_el)
        self._body = document.element.body
        self._runs = etree.XPath(
            ".//w:r[not(ancestor::w:txbxContent) and not(ancestor::mc:Fallback) and not(ancestor::w:del)]",
            namespaces={"w": W[1:-1], "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"},
        )

    def lines(self) -> list[str]:
        items: list[tuple[str, bool]] = []
        for el in self._blocks(self._body):
            if el.tag == W + "p":
                items.extend(self._paragraph_items(el))
            else:
                items.extend((line, False) for line in self._table_lines(el))
        return merge_split_titles(items)

    def _blocks(self, parent) -> Iterator:
        for el in parent:
            if el.tag in (W + "p", W + "tbl"):
                yield el
            elif el.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
                inner = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
                if inner is not None:
                    yield from self._blocks(inner)

    def _label(self, p, style_id: str | None) -> str:
        numpr = w(p, "pPr", "numPr")
        if numpr is not None:
            num_id, ilvl = val(w(numpr, "numId")), val(w(numpr, "ilvl"))
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
                b = on(w(r, "rPr", "b"))
                if b is None:
                    b = self._styles.bold(val(w(r, "rPr", "rStyle")))
                bold = b if b is not None else bool(style_bold)
            if bold != bold_open and text.strip():
                parts.append("**")
                bold_open = bold
            parts.append(text)
        if bold_open:
            parts.append("**")
        return self._label(p, style_id) + "".join(parts)

    def _paragraph_items(self, p) -> list[tuple[str, bool]]:
        style_id = val(w(p, "pPr", "pStyle"))
        text = self._paragraph_text(p, style_id, markup=True)
        level = self._styles.heading(style_id)
        jc = val(w(p, "pPr", "jc"))
        centred = jc == "center" if jc else bool(self._styles.centred(style_id))
        pieces = text.split("\n")
        if level or centred:  # a title broken by a soft return is still one title
            pieces = ["".join(pieces)]
        prefix = "#" * min(level, 6) + " " if level else ""
        return [(prefix + piece if piece.strip() else piece, centred) for piece in pieces]

    def _cell_text(self, tc) -> str:
        pieces = []
        for el in self._blocks(tc):
            if el.tag == W + "p":
                style_id = val(w(el, "pPr", "pStyle"))
                pieces.extend(self._paragraph_text(el, style_id, markup=False).split("\n"))
            else:  # a nested table: its cells' text, in order
                pieces.extend(self._cell_text(inner) for inner in el.iter(W + "tc"))
        return join_pieces(pieces)

    def _grid_rows(self, tbl) -> list[list]:
        """Each row as its grid of ``w:tc`` (None where a row starts late or ends early); a
        cell merged down (``vMerge`` continue) is the ``w:tc`` above it."""
        rows: list[list] = []
        for tr in tbl.iter(W + "tr"):
            if tr.getparent() is not tbl:
                continue
            before = val(w(tr, "trPr", "gridBefore"))
            grid: list = [None] * (int(before) if before and before.isdigit() else 0)
            for tc in tr.findall(W + "tc"):
                span = val(w(tc, "tcPr", "gridSpan"))
                span_n = int(span) if span and span.isdigit() else 1
                vmerge = w(tc, "tcPr", "vMerge")
                col = len(grid)
                if vmerge is not None and val(vmerge) in (None, "continue") and rows:
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
                            if el.tag == W + "p":
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



FORMAT = Format(
    kind="docx", suffixes=(".docx",), name="Word 文档（.docx）", load=docx_lines,
    package="word/document.xml", check=check_docx_bounds, converts_from=(".doc", ".wps", ".rtf", ".odt"),
)
