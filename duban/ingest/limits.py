"""Limits an uploaded plan file must keep before and while it is parsed.

A crafted file small on disk can still cost a worker minutes and gigabytes (an .xlsx with a cell at
row 1,048,576 of 20 sheets; a .docx holding 300 MB of XML at 31:1). These limits are checked from
the file's package structure before any library loads it (:mod:`duban.ingest.formats`), and the
parse as a whole runs bounded in time and memory (:mod:`duban.ingest.bounded`).

Each limit is a Django setting of the same name in upper case with the ``DUBAN_`` prefix
(``DUBAN_XLSX_MAX_SHEETS`` …, see ``duban/web/settings.py``); outside Django (``duban parse``) the
defaults below apply. A real plan file stays far below every default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int = 20 * MB  # the file itself
    xlsx_max_sheets: int = 50  # worksheets in one workbook
    xlsx_max_rows: int = 20_000  # highest row number of a sheet, declared (<dimension>) or present
    xlsx_max_cols: int = 200  # highest column number of a sheet, declared or present
    xlsx_max_cells: int = 200_000  # cells present in the whole workbook
    docx_max_xml_bytes: int = 16 * MB  # uncompressed XML parts of a .docx together
    pdf_max_pages: int = 300  # pages of a PDF
    parse_seconds: int = 60  # wall time of one parse
    parse_memory_mb: int = 1024  # address space one parse may add to its process


# settings name for each field; DUBAN_MAX_UPLOAD_BYTES existed before this module
SETTING = {f.name: "DUBAN_" + f.name.upper() for f in fields(Limits)}


_forced: Limits | None = None


def force(lim: Limits | None) -> None:
    """Use ``lim`` in this process whatever the settings say (the bounded parse's child process)."""
    global _forced
    _forced = lim


def current() -> Limits:
    """The limits in force: forced ones, else Django settings where configured, else the defaults."""
    if _forced is not None:
        return _forced
    try:
        from django.conf import settings

        if not settings.configured:
            return Limits()
        values = {name: getattr(settings, key) for name, key in SETTING.items() if hasattr(settings, key)}
    except ImportError:  # the parser library without Django
        return Limits()
    return Limits(**{k: int(v) for k, v in values.items()})
