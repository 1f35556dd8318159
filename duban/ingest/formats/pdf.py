"""PDF: the text layer's lines, wrapped lines of a paragraph rejoined, page numbers dropped, ruled
tables as tab-separated rows where pdfplumber detects them (:mod:`duban.ingest.formats.lines`)."""

from __future__ import annotations

import re
from statistics import median

from duban.ingest import limits
from duban.ingest.errors import IngestError
from duban.ingest.formats.base import Format, damaged, too_big
from duban.ingest.formats.lines import glue, merge_split_titles, table_lines
from duban.ingest.structure import numbering_level

_PAGE_NO = re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d+\s*页(?:\s*[,，/、]?\s*共\s*\d+\s*页)?$")
_SENTENCE_END = tuple("。！？；：”")


def pdf_lines(path: str) -> list[str]:
    """Text-layer lines of a PDF, wrapped lines of a paragraph rejoined, page numbers dropped;
    ruled tables as tab-separated rows where pdfplumber detects them."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if FORMAT.magic not in head:
        raise IngestError(f"文件已损坏或不是有效的 {FORMAT.name}：缺少 PDF 文件头（not a PDF file）", path=path)
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
                raise too_big(path, "PDF 页数", f"{len(pages)} 页", f"{cap} 页", "too many pages")
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
    return damaged(path, FORMAT, inner)


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



FORMAT = Format(
    kind="pdf", suffixes=(".pdf",), name="PDF 文档（.pdf）", load=pdf_lines, magic=b"%PDF-",
    converts_from=(".ofd", ".ppt", ".pptx"),
)
