"""The one list of document formats a plan may arrive in, looked up by extension or by content.

Loading (:func:`duban.ingest.load.load_lines`), the upload check (:func:`duban.ingest.uploads.check_upload`)
and report attachments (:mod:`duban.tracking.attachments`) all read :data:`FORMATS`, so adding a
format is one module ending in its ``FORMAT`` (see :class:`~duban.ingest.formats.base.Format`) plus
one entry here.
"""

from __future__ import annotations

from duban.ingest.formats import docx, html, pdf, text, xlsx
from duban.ingest.formats.base import Format

FORMATS: tuple[Format, ...] = (text.FORMAT, html.FORMAT, docx.FORMAT, xlsx.FORMAT, pdf.FORMAT)

_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
# what a file of another format must be saved as first (".doc" -> ".docx")
CONVERT = {old: fmt.suffixes[0] for fmt in FORMATS for old in fmt.converts_from}
SUPPORTED = " ".join(_BY_SUFFIX)  # the extensions, as messages list them
NAMES = {fmt.kind: fmt.name for fmt in FORMATS}


def for_suffix(suffix: str) -> Format | None:
    """The format an extension (lower case, with its dot) promises; None when no format has it."""
    return _BY_SUFFIX.get(suffix)


def by_magic(head: bytes) -> Format | None:
    """The format whose first bytes ``head`` starts with, for formats told by a magic number."""
    return next((fmt for fmt in FORMATS if fmt.magic and head.startswith(fmt.magic)), None)


def package_kind(names: list[str]) -> str:
    """The kind of a zip from its member names: a format's package when ``[Content_Types].xml`` and
    the folder of its main part are there ('word/' -> docx), else 'zip'."""
    if "[Content_Types].xml" in names:
        for fmt in FORMATS:
            folder = fmt.package.split("/", 1)[0] + "/"
            if fmt.package and any(n.startswith(folder) for n in names):
                return fmt.kind
    return "zip"
