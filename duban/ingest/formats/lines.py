"""The line shapes every format produces, so no text pass knows formats:

- a paragraph is a line; a heading is ``#``-prefixed; bold runs are wrapped in ``**`` so bold
  lead-ins survive;
- a table row is ONE line of tab-separated cell texts, one cell per grid column. A merged cell's
  text appears once per row: columns a cell spans to the right are empty, while a cell merged
  downwards repeats its text in every row it covers (a 牵头单位 merged over three tasks leads each);
- cell text never holds a tab or a newline: lines inside a cell are joined (directly after or
  before punctuation, else with a space, so one-unit-per-line cells stay separable);
- rows above a table's first row with two filled cells (its title, a 附件 line) are plain lines;
- a document title that layout broke over centred lines is joined again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from duban.ingest.structure import doc_kind, numbering_level
from duban.ingest.text import strip_markup

_TIGHT_AFTER = tuple("。，、；：！？,;:（(《“‘【[-—/")
_TIGHT_BEFORE = tuple("。，、；：！？,;:）)》”’】]-—/")
_LATIN = re.compile(r"[A-Za-z0-9%.]")


def glue(left: str, right: str, *, wrapped: bool = False) -> str:
    """Join two lines of one cell or paragraph. A soft wrap (``wrapped``: the layout ran out of
    width) joins directly except between Latin words; a real break joins directly at
    punctuation, else with a space, so one-unit-per-line cells stay separable
    ('市发改委' + '市财政局' -> '市发改委 市财政局')."""
    if not left or not right:
        return left + right
    if wrapped:
        tight = not (_LATIN.match(left[-1]) and _LATIN.match(right[0]))
    else:
        tight = left.endswith(_TIGHT_AFTER) or right.startswith(_TIGHT_BEFORE)
    return left + right if tight else f"{left} {right}"


def join_pieces(pieces: Iterable[str]) -> str:
    """The lines of one cell as one line: no tab, no newline, spaces collapsed."""
    out = ""
    for piece in pieces:
        out = glue(out, " ".join(piece.split()))
    return out


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows of cell texts -> lines: tab-separated from the first row with two filled cells on,
    all of the same width (trailing empty columns dropped); single-cell rows above it plain."""
    width = 0
    for row in rows:
        filled = [i for i, c in enumerate(row) if c]
        if filled:
            width = max(width, filled[-1] + 1)
    out: list[str] = []
    started = False
    for row in rows:
        cells = [c for c in row[:width]]
        filled = [c for c in cells if c]
        if not started and len(filled) >= 2:
            started = True
        if not filled:
            out.append("")
        elif started:
            out.append("\t".join(cells + [""] * (width - len(cells))))
        else:
            out.append(" ".join(filled))
    return out


def _title_part(t: str) -> bool:
    """Could open a title that layout broke: not a title, not numbered, no sentence end."""
    return bool(t) and not doc_kind(t) and not numbering_level(t) and not t.startswith(("附件", "附表")) \
        and not t.endswith(("。", "；", "：", ":"))


def _full_title(t: str) -> bool:
    """A title on its own ('某县……工作方案', '关于印发……的通知'), not just its closing words."""
    return bool(doc_kind(t)) and ("印发" in t or re.search(r"[省市县区州旗]", t[:8]) is not None)


def _title_run(texts: list[str], centred: list[bool], i: int) -> int:
    """How many lines from ``i`` make one broken title (0: none)."""
    if not centred[i] or not _title_part(texts[i]):
        return 0
    joined = texts[i]
    for j in range(i + 1, min(len(texts), i + 4)):
        t = texts[j]
        if not centred[j] or not t or numbering_level(t) or _full_title(t):
            return 0
        joined += t
        if doc_kind(joined) and len(joined) <= 70:
            return j - i + 1
        if not _title_part(t):
            return 0
    return 0


def merge_split_titles(items: list[tuple[str, bool]]) -> list[str]:
    """Join a document title that layout broke over consecutive centred lines
    ('邵阳市打好“发展六仗”' + '总体方案') when only the joined text reads as a title."""
    texts = [strip_markup(text).strip() for text, _ in items]
    centred = [c for _, c in items]
    out: list[str] = []
    i = 0
    while i < len(items):
        n = _title_run(texts, centred, i)
        if n:
            out.append("".join(text.strip() for text, _ in items[i : i + n]))
            i += n
        else:
            out.append(items[i][0])
            i += 1
    return out

