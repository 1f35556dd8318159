"""A whole notice run together on one line (pasted from a web page that lost its line breaks):
'…办公室 2022年4月18日 政府工作报告…责任分解 一、王丹县长牵头重点工作 1.全县… 责任单位:县发改局… 2.…'.

Such a line is cut at its spaces into the lines it once was, the document is parsed as cut, and
every line number in the result is put back to the file's own line.
"""

from __future__ import annotations

import re

from duban.ingest.model import ParseResult
from duban.ingest.structure import numbering_level

_LONG = 100  # a line shorter than this is never unfolded
_GAP = re.compile(r"[ \u3000\u00a0]+(?=\S)")
# a number right after a space: ' 1.', ' 一、', ' (二)' — cheap test before cutting a line
_NUMBER_AFTER_GAP = re.compile(r"[ \u3000\u00a0](?:\d{1,3}[.．、]|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[)）])")
_LABEL = re.compile(r"^(?:牵头|责任|配合|协办|主办|协同)[\u4e00-\u9fff]{0,4}(?:单位|部门|领导)\s*[:：]")


def _pieces(line: str) -> list[str] | None:
    """The pieces of a run-together line, or None when it is an ordinary one."""
    if len(line) < _LONG or len(_NUMBER_AFTER_GAP.findall(line)) < 2:
        return None
    parts = [p for p in _GAP.split(line.strip()) if p]
    numbered = sum(1 for p in parts if numbering_level(p))
    labelled = sum(1 for p in parts if _LABEL.match(p))
    return parts if numbered >= 2 and numbered + labelled >= 3 else None


def unfold(raw: list[str]) -> tuple[list[str], list[int]] | None:
    """(lines, origin) with run-together lines cut; origin[i] is the file line of line i + 1.
    None when no line needs it."""
    out: list[str] = []
    origin: list[int] = []
    changed = False
    for no, line in enumerate(raw, 1):
        parts = _pieces(line)
        if parts is None:
            out.append(line)
            origin.append(no)
            continue
        changed = True
        out += parts
        origin += [no] * len(parts)
    return (out, origin) if changed else None


def refold(result: ParseResult, origin: list[int], raw: list[str]) -> None:
    """Put every line number of ``result`` back to the file's own line (in place)."""

    def at(n: int | None) -> int | None:
        return origin[n - 1] if n and 0 < n <= len(origin) else n

    for d in result.documents:
        d.line, d.end_line = (at(d.line) if d.line else d.line), at(d.end_line)
    for t in result.tasks:
        t.line, t.end_line = at(t.line), at(t.end_line)
    for g in result.targets:
        g.line = at(g.line)
    for m in result.teams:
        m.line = at(m.line)
    for c in result.cadences:
        c.line, c.section_line = at(c.line), at(c.section_line)
    result.lines = [1, len(raw)]
    result.source_lines = [ln.rstrip("\r\n") for ln in raw]
