"""Checks for a plan file that came from outside, before any parser opens it.

A file is judged by its content, not its name: its kind is detected from magic bytes (PDF,
a zip package holding ``[Content_Types].xml`` and ``word/`` or ``xl/``, UTF-8/GB18030/UTF-16
text, HTML) and must agree with its extension. Oversized files, unknown kinds (programs, images,
archives) and zip bombs (:func:`duban.ingest.formats.check_zip`) are refused with one Chinese
:class:`IngestError` naming the file. Used by every import path (``do_ingest_file``).
"""

from __future__ import annotations

import os
import zipfile

from duban.ingest.errors import IngestError
from duban.ingest.load import decode

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# extension -> the content kinds accepted for it
ACCEPTED = {
    ".txt": {"text", "html"}, ".text": {"text", "html"}, ".md": {"text", "html"}, ".markdown": {"text", "html"},
    ".html": {"html", "text"}, ".htm": {"html", "text"},
    ".docx": {"docx"}, ".xlsx": {"xlsx"}, ".pdf": {"pdf"},
}
KIND_NAMES = {
    "text": "文本", "html": "HTML 网页", "docx": "Word（.docx）文档", "xlsx": "Excel（.xlsx）表格",
    "pdf": "PDF 文档", "zip": "压缩包",
}
# other content seen in the wild, named so the message says what the file really is
_FOREIGN_MAGIC = [
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office（.doc/.xls/.wps）文件"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
]
_HTML_HEADS = ("<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<p>", "<div", "<h1")


def detect_kind(path: str, suffix: str = "") -> str:
    """The kind of content in ``path``: text, html, docx, xlsx, pdf or zip; IngestError for
    anything else (naming what it is when known). ``suffix`` only words the damaged-zip message."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, suffix)
    for magic, name in _FOREIGN_MAGIC:
        if head.startswith(magic):
            raise IngestError(f"不支持的文件类型：内容是{name}，不是方案文档（unsupported file content）", path=path)
    with open(path, "rb") as f:
        data = f.read()
    text = decode(data, path)  # refuses binary data and unknown encodings, naming the problem
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return "html" if start.startswith(_HTML_HEADS) else "text"


def _zip_kind(path: str, suffix: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        what = f"有效的 {suffix} 文件" if suffix in {".docx", ".xlsx"} else "可读的压缩包"
        raise IngestError(f"文件已损坏或不是{what}（damaged zip package）", path=path) from e
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return "zip"


def check_upload(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Refuse ``path`` unless it is a plan file of a supported kind that matches its extension,
    at most ``max_bytes`` long, and (for .docx/.xlsx) not a zip bomb. Returns the kind."""
    if not os.path.isfile(path):
        raise IngestError("文件不存在或不是普通文件（not a regular file）", path=path)
    size = os.path.getsize(path)
    if size > max_bytes:
        raise IngestError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），上限 {max_bytes // 1024 // 1024} MB（file too large）", path=path
        )
    if size == 0:
        raise IngestError("文件是空的（empty file）", path=path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in ACCEPTED:
        shown = suffix or "（无扩展名）"
        raise IngestError(
            f"不支持的文件格式 {shown}，支持 .txt .md .html .docx .xlsx .pdf（unsupported file type）", path=path
        )
    kind = detect_kind(path, suffix)
    if kind not in ACCEPTED[suffix]:
        raise IngestError(
            f"扩展名是 {suffix}，但内容是{KIND_NAMES[kind]}，与扩展名不符，已拒绝（content does not match extension）",
            path=path,
        )
    if kind in {"docx", "xlsx"}:
        from duban.ingest.formats import check_zip

        check_zip(path, f".{kind}", "word/document.xml" if kind == "docx" else "xl/workbook.xml")
    return kind
