"""Which files a report may carry: office documents, PDF and images, judged by content.

An attachment is stored as sent and may later be opened by an office on its own computer, so only
kinds an office works with are kept (:data:`ALLOWED`): Word/Excel/WPS documents, PDF, PNG and JPEG.
The kind is read from the first bytes (and, for .docx/.xlsx, the zip's parts), must agree with the
extension, and an Office zip is checked for a zip bomb from its central directory. Anything else
(.html, .exe, archives, a renamed file) is refused with one Chinese message naming the file.
Stored files are written 0600 (``FILE_UPLOAD_PERMISSIONS``); the web shows their names only.
"""

from __future__ import annotations

import io
import zipfile

from duban.ingest.formats import package_kind, zip_bomb_problem

ALLOWED = {
    ".docx": "docx", ".xlsx": "xlsx",
    ".doc": "ole", ".xls": "ole", ".wps": "ole", ".et": "ole",  # 97-2003 Office and WPS: OLE2 files
    ".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg",
}
KIND_NAMES = {
    "docx": "Word 文档（.docx）", "xlsx": "Excel 表格（.xlsx）", "ole": "旧版 Office/WPS 文档",
    "pdf": "PDF 文档", "png": "PNG 图片", "jpeg": "JPEG 图片", "zip": "压缩包",
}
ACCEPTED_TEXT = "Word/Excel/WPS 文档（.docx .xlsx .doc .xls .wps .et）、PDF 和图片（.png .jpg）"
_MAGIC = [(b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"\xd0\xcf\x11\xe0", "ole")]


def attachment_problem(name: str, content: bytes) -> str:
    """Why ``content`` named ``name`` may not be attached ('' when it may)."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    if suffix not in ALLOWED:
        shown = suffix or "（无扩展名）"
        return f"附件“{name}”的类型 {shown} 不在允许范围内，只接受{ACCEPTED_TEXT}"
    if not content:
        return f"附件“{name}”是空文件"
    kind = _kind(content)
    if kind is None:
        return f"附件“{name}”的内容不是{KIND_NAMES[ALLOWED[suffix]]}，文件已损坏或类型不符，只接受{ACCEPTED_TEXT}"
    if kind in {"docx", "xlsx", "zip"}:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            problem = zip_bomb_problem(zf.infolist())
        if problem:
            return f"附件“{name}”：{problem}"
    if kind != ALLOWED[suffix]:
        return f"附件“{name}”的扩展名是 {suffix}，但内容是{KIND_NAMES[kind]}，与扩展名不符，已拒绝"
    return ""


def _kind(content: bytes) -> str | None:
    head = content[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return package_kind(names)
