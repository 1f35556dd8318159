"""Load a file into source lines.

Text formats (.txt/.md/.html) are read as published. Binary formats are turned into text lines
first (:mod:`duban.ingest.formats`, imported only when needed), so the same passes read them: a
.docx paragraph is a line and a table row is a line of tab-separated cells; an .xlsx sheet row is
a tab-separated line; a .pdf page's text layer gives its lines. Line numbers of records from
binary formats refer to these generated lines.

Every way a file can be unreadable ends in one :class:`IngestError` naming the file.
"""

from __future__ import annotations

import os

from duban.ingest.errors import IngestError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".text"}
BINARY_SUFFIXES = {".docx", ".xlsx", ".pdf"}
MAX_BYTES = 50 * 1024 * 1024
# formats people send that must be converted first, with the hint to give
_CONVERT = {
    ".doc": ".docx", ".wps": ".docx", ".rtf": ".docx", ".odt": ".docx",
    ".xls": ".xlsx", ".et": ".xlsx", ".ods": ".xlsx", ".csv": ".xlsx",
    ".ofd": ".pdf", ".ppt": ".pdf", ".pptx": ".pdf",
}
# magic numbers of binary files that arrive with a text suffix
_MAGIC = [
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "压缩包 / .docx / .xlsx"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office（.doc/.xls）"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"Rar!", "RAR 压缩包"),
]


def _looks_binary(data: bytes, text: str | None = None) -> bool:
    """NUL bytes in the head, or (after decoding) many control characters: not a text file."""
    if text is None:
        return b"\x00" in data[:8192]
    head = text[:8192]
    controls = sum(1 for ch in head if ch < " " and ch not in "\t\n\r\f\v")
    return controls > max(8, len(head) // 100)


def _binary_error(data: bytes, path: str) -> IngestError:
    kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    what = f"内容是 {kind}" if kind else "看起来是二进制数据"
    return IngestError(f"不是文本文件，{what}，与扩展名不符（binary file, not text）", path=path)


def decode(data: bytes, path: str) -> str:
    """Decode text bytes: UTF-16 with a BOM, UTF-8 (with or without BOM), then GB18030;
    refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise _binary_error(data, path)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(data, text):
            raise _binary_error(data, path)
        return text
    raise IngestError("无法识别的文字编码，应为 UTF-8 或 GB18030（unknown text encoding）", path=path)


def split_lines(text: str) -> list[str]:
    """Split on LF (line numbers are those ``sed -n`` prints); old Mac files use bare CR."""
    if "\n" not in text and "\r" in text:
        return text.split("\r")
    return text.split("\n")


def check_file(path: str, max_bytes: int = MAX_BYTES) -> str:
    """Existence, kind, size and suffix checks (the first words of every bad-input message, shared
    by the parser and :func:`duban.ingest.uploads.check_upload`); returns the lower-case suffix."""
    if not os.path.exists(path):
        raise IngestError("文件不存在（file not found）", path=path)
    if os.path.isdir(path):
        raise IngestError("这是一个目录，不是文件（is a directory）", path=path)
    if not os.path.isfile(path):
        raise IngestError("不是普通文件（not a regular file）", path=path)
    size = os.path.getsize(path)
    if size == 0:
        raise IngestError("文件是空的（empty file）", path=path)
    if size > max_bytes:
        raise IngestError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），上限 {max_bytes // 1024 // 1024} MB（file too large）", path=path
        )
    suffix = os.path.splitext(path)[1].lower()
    if suffix in _CONVERT:
        raise IngestError(
            f"不支持 {suffix} 格式，请另存为 {_CONVERT[suffix]} 后再导入（unsupported file type {suffix}）", path=path
        )
    if suffix and suffix not in TEXT_SUFFIXES | BINARY_SUFFIXES:
        raise IngestError(
            f"不支持的文件格式 {suffix}，支持 .txt .md .html .docx .xlsx .pdf（unsupported file type）", path=path
        )
    return suffix


def load_lines(path: str) -> list[str]:
    """Read ``path`` into a list of lines (no newlines)."""
    suffix = check_file(path)
    try:
        if suffix in BINARY_SUFFIXES:
            from duban.ingest import formats

            loader = {".docx": formats.docx_lines, ".xlsx": formats.xlsx_lines, ".pdf": formats.pdf_lines}
            return loader[suffix](path)
        with open(path, "rb") as f:
            data = f.read()
    except PermissionError as e:
        raise IngestError("没有读取权限（permission denied）", path=path) from e
    except OSError as e:
        raise IngestError(f"读取文件失败（read error: {e.strerror or type(e).__name__}）", path=path) from e
    text = decode(data, path)
    head = text.lstrip("\ufeff \t\r\n")[:15].lower()
    if suffix in {".html", ".htm"} or head.startswith(("<!doctype", "<html")):
        from duban.ingest.formats import html_lines

        return html_lines(text)
    return split_lines(text)
