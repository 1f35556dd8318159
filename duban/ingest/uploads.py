"""Checks for a plan file that came from outside, before any parser opens it.

A file is judged by its content, not its name: its kind is detected from magic bytes (PDF,
a zip package holding ``[Content_Types].xml`` and ``word/`` or ``xl/``, UTF-8/GB18030/UTF-16
text, HTML) and must agree with its extension. Oversized files, unknown kinds (programs, images,
archives) and zip bombs (:func:`duban.ingest.formats.check_zip`) are refused with one Chinese
:class:`IngestError` naming the file. Used by every import path (``do_ingest_file``).
"""

from __future__ import annotations

import zipfile

from duban.ingest import limits
from duban.ingest.errors import FORMAT_NAMES, IngestError
from duban.ingest.limits import Limits
from duban.ingest.load import check_file, decode

DEFAULT_MAX_BYTES = Limits.max_upload_bytes

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
    anything else (naming what it is when known). ``suffix`` words the message: a file named
    .docx/.xlsx/.pdf that is none of the known kinds is called a damaged file of that format."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, suffix)
    if head.startswith(b"\xd0\xcf\x11\xe0") and suffix in {".docx", ".xlsx"}:
        raise IngestError(
            f"这是旧版 Office（97-2003）格式或已加密的文件，请另存为 {suffix} 后再导入"
            f"（legacy or encrypted Office file, not {suffix}）",
            path=path,
        )
    for magic, name in _FOREIGN_MAGIC:
        if head.startswith(magic):
            raise IngestError(f"不支持的文件类型：内容是{name}，不是方案文档（unsupported file content）", path=path)
    if suffix in FORMAT_NAMES:
        with open(path, "rb") as f:
            data = f.read(8192)
        if b"\x00" in data or not _decodes(data):
            raise IngestError(
                f"文件已损坏或不是有效的{FORMAT_NAMES[suffix]}：内容不是这种格式（damaged or invalid {suffix} file）",
                path=path,
            )
    with open(path, "rb") as f:
        data = f.read()
    text = decode(data, path)  # refuses binary data and unknown encodings, naming the problem
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return "html" if start.startswith(_HTML_HEADS) else "text"


def _decodes(head: bytes) -> bool:
    """Could ``head`` (the start of a file) be text? A cut multi-byte character at the end is allowed."""
    for enc in ("utf-8", "gb18030", "utf-16"):
        try:
            head[: len(head) - 4 if len(head) > 4 else None].decode(enc)
            return enc != "utf-16" or head.startswith((b"\xff\xfe", b"\xfe\xff"))
        except UnicodeDecodeError:
            continue
    return False


def _zip_kind(path: str, suffix: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        what = FORMAT_NAMES.get(suffix, "可读的压缩包") if suffix in {".docx", ".xlsx"} else "可读的压缩包"
        raise IngestError(f"文件已损坏或不是有效的{what}（damaged zip package）", path=path) from e
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return "zip"


def content_error(path: str, suffix: str, kind: str) -> IngestError:
    """What is wrong when the content (``kind``) does not fit the extension: a zip that lacks the
    package's main part is named as such (a .docx IS a zip), anything else as a mismatch."""
    if kind == "zip" and suffix in {".docx", ".xlsx"}:
        required = "word/document.xml" if suffix == ".docx" else "xl/workbook.xml"
        return IngestError(
            f"不是有效的{FORMAT_NAMES[suffix]}：压缩包里没有 {required}（not a {suffix} package）", path=path
        )
    return IngestError(
        f"扩展名是 {suffix}，但内容是{KIND_NAMES[kind]}，与扩展名不符，已拒绝（content does not match extension）",
        path=path,
    )


def check_upload(path: str, *, max_bytes: int | None = None, lim: Limits | None = None) -> str:
    """Refuse ``path`` unless it is a plan file of a supported kind that matches its extension,
    at most ``max_bytes`` long (default: the ``max_upload_bytes`` limit), not a zip bomb, and within
    the package limits of :mod:`duban.ingest.limits`. Returns the kind. The one place the message
    for a bad file is worded: ``duban parse``, ``duban ingest`` and the import wizard all call it."""
    lim = lim or limits.current()
    suffix = check_file(path, lim.max_upload_bytes if max_bytes is None else max_bytes)
    if suffix not in ACCEPTED:  # no extension: check_file lets the parser guess, an upload must say
        raise IngestError("文件没有扩展名，支持 .txt .md .html .docx .xlsx .pdf（unsupported file type）", path=path)
    kind = detect_kind(path, suffix)
    if kind not in ACCEPTED[suffix]:
        raise content_error(path, suffix, kind)
    if kind in {"docx", "xlsx"}:
        from duban.ingest import formats

        if kind == "docx":
            formats.check_zip(path, ".docx", "word/document.xml")
            formats.check_docx_bounds(path, lim)
        else:
            formats.check_zip(path, ".xlsx", "xl/workbook.xml")
            try:
                formats.check_xlsx_bounds(path, lim)
            except IngestError:
                raise
            except Exception as e:  # malformed sheet XML
                raise formats._damaged(path, ".xlsx", e) from e
    return kind
