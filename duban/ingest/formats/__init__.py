"""Document formats: each turns a file into source lines of the shapes in
:mod:`duban.ingest.formats.lines`, so no text pass knows formats.

One module per format — :mod:`~.text` (.txt/.md), :mod:`~.html`, :mod:`~.docx`, :mod:`~.xlsx`,
:mod:`~.pdf` — each ending in its ``FORMAT`` entry (:class:`~.base.Format`: suffixes, name, loader,
how its content is recognised, the bounds checked before a library opens it). :mod:`~.registry`
lists them; loading and the upload check both look formats up there.

Adding a format = one module ending in its ``FORMAT`` + one entry in ``registry.FORMATS``.

Every library error on a damaged file becomes one :class:`~duban.ingest.errors.IngestError`.
"""

from duban.ingest.formats.base import Format, check_zip, damaged, zip_bomb_problem
from duban.ingest.formats.docx import check_docx_bounds, docx_lines
from duban.ingest.formats.encoding import decode
from duban.ingest.formats.html import html_lines
from duban.ingest.formats.lines import glue, join_pieces, merge_split_titles, table_lines
from duban.ingest.formats.pdf import pdf_lines
from duban.ingest.formats.registry import (
    CONVERT,
    FORMATS,
    NAMES,
    SUPPORTED,
    by_magic,
    for_suffix,
    package_kind,
)
from duban.ingest.formats.text import split_lines
from duban.ingest.formats.wordxml import chinese_number, format_number
from duban.ingest.formats.xlsx import check_xlsx_bounds, xlsx_lines

__all__ = [
    "CONVERT",
    "FORMATS",
    "NAMES",
    "SUPPORTED",
    "Format",
    "by_magic",
    "check_docx_bounds",
    "check_xlsx_bounds",
    "check_zip",
    "chinese_number",
    "damaged",
    "decode",
    "docx_lines",
    "for_suffix",
    "format_number",
    "glue",
    "html_lines",
    "join_pieces",
    "merge_split_titles",
    "package_kind",
    "pdf_lines",
    "split_lines",
    "table_lines",
    "xlsx_lines",
    "zip_bomb_problem",
]
