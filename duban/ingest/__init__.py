"""Plan-document ingest: a pure library (no Django, no database).

Pipeline of small passes, like a compiler front end::

    load (txt/md/html/docx/xlsx/pdf -> lines)
    -> prepare (markup removed, one Line per source line)
    -> structure (documents, annexes, headings)
    -> passes (tables, flattened tables, prose tasks, targets, teams, cadences)
    -> ParseResult (serialises to the gold JSON schema)

Public entry points: :func:`parse_file`, :func:`parse_text`, :class:`IngestError`.
"""

from duban.ingest.errors import IngestError
from duban.ingest.model import Cadence, CadenceItem, Document, ParseResult, Target, Task, Team
from duban.ingest.pipeline import parse_file, parse_lines, parse_text

__all__ = [
    "Cadence",
    "CadenceItem",
    "Document",
    "IngestError",
    "ParseResult",
    "Target",
    "Task",
    "Team",
    "parse_file",
    "parse_lines",
    "parse_text",
]
