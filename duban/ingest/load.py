"""Load a file into source lines.

Text formats (.txt/.md/.html) are read as published. Binary formats are turned into text lines
first, so the same passes read them: a .docx paragraph is a line and a table row is a line of
tab-separated cells; an .xlsx sheet row is a tab-separated line; a .pdf page's text layer gives
its lines. Line numbers of records from binary formats refer to these generated lines.
"""

from __future__ import annotations

import os

from duban.ingest.errors import IngestError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".text"}
MAX_BYTES = 50 * 1024 * 1024


def decode(data: bytes, path: str) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), then GB18030; refuse binary data."""
    if b"\x00" in data[:8192]:
        raise IngestError("不是文本文件，看起来是二进制数据（binary file, not text）", path=path)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise IngestError("无法识别的文字编码，应为 UTF-8 或 GB18030（unknown text encoding）", path=path)


def load_lines(path: str) -> list[str]:
    """Read ``path`` into a list of lines (no newlines)."""
    if not os.path.exists(path):
        raise IngestError("文件不存在（file not found）", path=path)
    if os.path.isdir(path):
        raise IngestError("这是一个目录，不是文件（is a directory）", path=path)
    size = os.path.getsize(path)
    if size == 0:
        raise IngestError("文件是空的（empty file）", path=path)
    if size > MAX_BYTES:
        raise IngestError(f"文件过大（{size // 1024 // 1024} MB），上限 50 MB（file too large）", path=path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".docx":
        from duban.ingest.formats import docx_lines

        return docx_lines(path)
    if suffix == ".xlsx":
        from duban.ingest.formats import xlsx_lines

        return xlsx_lines(path)
    if suffix == ".pdf":
        from duban.ingest.formats import pdf_lines

        return pdf_lines(path)
    with open(path, "rb") as f:
        data = f.read()
    text = decode(data, path)
    if suffix in {".html", ".htm"} or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        from duban.ingest.formats import html_lines

        return html_lines(text)
    return text.split("\n")
