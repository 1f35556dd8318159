"""Line preparation and string helpers shared by every pass.

A :class:`Line` keeps the raw source line (EN SPACE padding and tabs matter to table passes)
and ``text``: the line with markup removed (``**``, ``<p>``, ``<b>``, leading ``#``) and outer
white space stripped. Nothing here joins or reorders lines, so line numbers stay those of the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from duban.ingest.hanzi import has_traditional, simplify

_TAG = re.compile(r"</?(?:p|b|strong|em|i|u|span|div|br|td|tr|th|font)(?:\s[^<>]*)?/?>", re.I)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_BOLD = re.compile(r"\*\*|__")
# every kind of space that layout puts inside Chinese text
SPACES = " \t\u00a0\u2002\u2003\u2009\u3000\u200b\ufeff"
_SPACE_RE = re.compile(f"[{SPACES}]+")


@dataclass(slots=True)
class Line:
    no: int  # 1-based line number in the source
    raw: str  # the line as in the file, without its newline
    text: str  # markup removed, stripped, traditional characters simplified (hanzi.py)
    heading: int = 0  # markdown heading depth (0 = none)
    bold: bool = False  # the line carried bold markup

    @property
    def blank(self) -> bool:
        return not self.text


def strip_markup(s: str) -> str:
    """Remove markdown/HTML emphasis and heading marks, keep the words."""
    s = _TAG.sub("", s)
    s = _HEADING.sub("", s)
    s = _BOLD.sub("", s)
    return s


# an ASCII '.' ending a Chinese sentence ('扩大有效投资.全年…', '(县财政局).'), not a decimal point
# or a numbering ('2.3亿元', '1.扩大…')
_ASCII_STOP = re.compile(r'(?<=[\u4e00-\u9fff”）)"%])\.(?=[\u4e00-\u9fff“（("]|\s|$)')
_CN_NUMBER = re.compile(r"[一二三四五六七八九十百]{1,3}")


def ascii_full_stops(text: str) -> str:
    """'.' -> '。' where it ends a sentence of Chinese text written with ASCII punctuation, so every
    pass that cuts at '。' reads such documents the same; '一.总体要求' keeps its numbering dot."""
    if "." not in text:
        return text
    return _ASCII_STOP.sub(lambda m: m.group(0) if _CN_NUMBER.fullmatch(text[: m.start()].strip(SPACES)) else "。", text)


def prepare(raw_lines: list[str]) -> list[Line]:
    """One :class:`Line` per source line."""
    out = []
    trad = has_traditional("".join(raw_lines))  # most files have none: skip the per-line mapping
    for i, raw in enumerate(raw_lines, 1):
        raw = raw.rstrip("\r\n")
        m = _HEADING.match(raw)
        depth = 0
        if m and raw.lstrip().startswith("#"):
            depth = len(m.group(0).strip())
        text = strip_markup(raw).strip(SPACES)
        text = ascii_full_stops(simplify(text) if trad else text)
        out.append(Line(i, raw, text, depth, "**" in raw or "<b>" in raw.lower()))
    return out


def nospace(s: str) -> str:
    """Remove every space (names like '杨 平' -> '杨平')."""
    return _SPACE_RE.sub("", s)


def norm_key(s: str) -> str:
    """Comparison key: NFKC, no spaces. For matching names, never for output."""
    return nospace(unicodedata.normalize("NFKC", s))
