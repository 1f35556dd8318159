"""Load a file into source lines.

The extension picks the format from :mod:`duban.ingest.formats` (no extension: text), and the
format's loader gives lines of the one shape every pass reads: text formats as published, a .docx
paragraph a line and a table row a line of tab-separated cells, an .xlsx sheet row a tab-separated
line, a .pdf page's text layer its lines. Line numbers of records from binary formats refer to these
generated lines.

Every way a file can be unreadable ends in one :class:`IngestError` naming the file.
"""

from __future__ import annotations

import os

from duban.ingest import formats
from duban.ingest.errors import IngestError

MAX_BYTES = 50 * 1024 * 1024


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
    if suffix in formats.CONVERT:
        raise IngestError(
            f"不支持 {suffix} 格式，请另存为 {formats.CONVERT[suffix]} 后再导入（unsupported file type {suffix}）",
            path=path,
        )
    if suffix and formats.for_suffix(suffix) is None:
        raise IngestError(f"不支持的文件格式 {suffix}，支持 {formats.SUPPORTED}（unsupported file type）", path=path)
    return suffix


def load_lines(path: str) -> list[str]:
    """Read ``path`` into a list of lines (no newlines)."""
    suffix = check_file(path)
    fmt = formats.for_suffix(suffix or ".txt")
    try:
        return fmt.load(path)
    except PermissionError as e:
        raise IngestError("没有读取权限（permission denied）", path=path) from e
    except OSError as e:
        raise IngestError(f"读取文件失败（read error: {e.strerror or type(e).__name__}）", path=path) from e
