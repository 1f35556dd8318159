"""Excel (.xlsx): each visible sheet's rows as tab-separated lines (:mod:`duban.ingest.formats.lines`);
the workbook's sheets are bounded by streaming their XML before openpyxl opens it."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

from duban.ingest import limits
from duban.ingest.errors import IngestError
from duban.ingest.formats.base import Format, check_zip, damaged, too_big
from duban.ingest.formats.lines import join_pieces, table_lines
from duban.ingest.limits import Limits
from duban.ingest.structure import doc_kind

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
    """Refuse an .xlsx that is no Excel package or a zip bomb, then check its sheets (below); a
    malformed sheet is a damaged file."""
    check_zip(path, FORMAT)
    try:
        _check_sheets(path, lim or limits.current())
    except (IngestError, MemoryError):  # a parse out of memory is reported as such (duban.ingest.bounded)
        raise
    except Exception as e:  # malformed sheet XML, a relationship to a missing part …
        raise damaged(path, FORMAT, e) from e


def _check_sheets(path: str, lim: Limits) -> None:
    """Refuse a workbook with too many sheets, a sheet declared (``<dimension ref>``) or filled beyond
    ``xlsx_max_rows`` × ``xlsx_max_cols``, or more than ``xlsx_max_cells`` cells — by streaming each
    sheet's XML through expat (no tree; a DTD is refused, so no entity expansion) and stopping at the
    first limit, before openpyxl reads it row by row (it walks every row up to the last one, so one
    cell at row 1,048,576 in 20 sheets cost 120 s)."""
    from xml.parsers import expat

    with zipfile.ZipFile(path) as zf:
        sheets = _worksheet_parts(zf)
        if len(sheets) > lim.xlsx_max_sheets:
            raise too_big(path, "工作表个数", f"{len(sheets)} 个", f"{lim.xlsx_max_sheets} 个", "too many sheets")
        names = set(zf.namelist())
        state = {"cells": 0, "row": 0}

        def start(tag, attrs):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "c":
                state["cells"] += 1
                if state["cells"] > lim.xlsx_max_cells:
                    raise too_big(path, "单元格总数", f"超过 {lim.xlsx_max_cells} 个", f"{lim.xlsx_max_cells} 个",
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
        raise too_big(path, f"{what}行数", f"到第 {row} 行", f"{lim.xlsx_max_rows} 行", "sheet has too many rows")
    if col > lim.xlsx_max_cols:
        raise too_big(path, f"{what}列数", f"到第 {col} 列", f"{lim.xlsx_max_cols} 列", "sheet has too many columns")



def xlsx_lines(path: str) -> list[str]:
    """Each visible sheet's rows as tab-separated lines, the sheet name first when it reads as a
    title and no title row is there already; sheets separated by a blank line."""
    check_xlsx_bounds(path)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as e:  # openpyxl raises KeyError, ValueError, XML errors … on damaged files
        raise damaged(path, FORMAT, e) from e
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
        raise damaged(path, FORMAT, e) from e
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


FORMAT = Format(
    kind="xlsx", suffixes=(".xlsx",), name="Excel 表格（.xlsx）", load=xlsx_lines,
    package="xl/workbook.xml", check=check_xlsx_bounds, converts_from=(".xls", ".et", ".ods", ".csv"),
)
