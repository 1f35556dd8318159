"""Checks for a plan file that came from outside, before any parser opens it.

A file is judged by its content, not its name: its kind is detected from magic bytes (PDF,
a zip package holding ``[Content_Types].xml`` and ``word/`` or ``xl/``, UTF-8/GB18030/UTF-16
text, HTML) and must agree with its extension; both are looked up in the formats' registry
(:mod:`duban.ingest.formats.registry`), whose ``check`` per format bounds the package (zip bombs,
sheets, XML size). Oversized files and unknown kinds (programs, images, archives) are refused with
one Chinese :class:`IngestError` naming the file. Used by every import path (``do_ingest_file``).
"""

from __future__ import annotations

import zipfile

from duban.ingest import formats, limits
from duban.ingest.errors import IngestError
from duban.ingest.formats.base import legacy_office, missing_part
from duban.ingest.formats.encoding import FOREIGN_MAGIC, read_text
from duban.ingest.limits import Limits
from duban.ingest.load import check_file

DEFAULT_MAX_BYTES = Limits.max_upload_bytes

KIND_NAMES = formats.NAMES | {"zip": "压缩包"}
_HTML_HEADS = ("<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<p>", "<div", "<h1")


def detect_kind(path: str, suffix: str = "") -> str:
    """The kind of content in ``path``: a format's kind (text, html, docx, xlsx, pdf) or zip;
    IngestError for anything else (naming what it is when known). ``suffix`` words the message: a
    file named .docx/.xlsx/.pdf that is none of the known kinds is called a damaged file of that format."""
    with open(path, "rb") as f:
        head = f.read(1024)
    fmt = formats.for_suffix(suffix)
    magic = formats.by_magic(head.lstrip(b"\x00\t\r\n \xef\xbb\xbf"))
    if magic is not None:
        return magic.kind
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, fmt)
    if head.startswith(b"\xd0\xcf\x11\xe0") and fmt is not None and fmt.package:
        raise legacy_office(path, fmt)
    for magic_bytes, name in FOREIGN_MAGIC:
        if head.startswith(magic_bytes):
            raise IngestError(f"不支持的文件类型：内容是{name}，不是方案文档（unsupported file content）", path=path)
    if fmt is not None and fmt.binary:
        with open(path, "rb") as f:
            data = f.read(8192)
        if b"\x00" in data or not _decodes(data):
            raise IngestError(
                f"文件已损坏或不是有效的 {fmt.name}：内容不是这种格式（damaged or invalid {suffix} file）", path=path
            )
    text = read_text(path)  # refuses binary data and unknown encodings, naming the problem
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


def _zip_kind(path: str, fmt: formats.Format | None) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        what = f" {fmt.name}" if fmt is not None and fmt.package else "可读的压缩包"
        raise IngestError(f"文件已损坏或不是有效的{what}（damaged zip package）", path=path) from e
    return formats.package_kind(names)


def content_error(path: str, suffix: str, kind: str) -> IngestError:
    """What is wrong when the content (``kind``) does not fit the extension: a zip that lacks the
    package's main part is named as such (a .docx IS a zip), anything else as a mismatch."""
    fmt = formats.for_suffix(suffix)
    if kind == "zip" and fmt is not None and fmt.package:
        return missing_part(path, fmt)
    return IngestError(
        f"扩展名是 {suffix}，但内容是{KIND_NAMES[kind]}，与扩展名不符，已拒绝（content does not match extension）",
        path=path,
    )


def check_upload(path: str, *, max_bytes: int | None = None, lim: Limits | None = None) -> str:
    """Refuse ``path`` unless it is a plan file of a supported kind that matches its extension,
    at most ``max_bytes`` long (default: the ``max_upload_bytes`` limit), not a zip bomb, and within
    the format's bounds (its ``check``, limits of :mod:`duban.ingest.limits`). Returns the kind. The
    one place the message for a bad file is worded: ``duban parse``, ``duban ingest`` and the import
    wizard all call it."""
    lim = lim or limits.current()
    suffix = check_file(path, lim.max_upload_bytes if max_bytes is None else max_bytes)
    fmt = formats.for_suffix(suffix)
    if fmt is None:  # no extension: check_file lets the parser guess, an upload must say
        raise IngestError(f"文件没有扩展名，支持 {formats.SUPPORTED}（unsupported file type）", path=path)
    kind = detect_kind(path, suffix)
    if kind not in fmt.accepted():
        raise content_error(path, suffix, kind)
    if fmt.check is not None:
        fmt.check(path, lim)
    return kind
