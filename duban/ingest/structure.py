"""Document structure: which plan document (通知, 总体方案, 附件N 工作方案, 责任分解表 …) each line
belongs to, and the heading path (section) above a line.

Markdown heading depth does not encode hierarchy in published plans, so levels come from the
numbering itself: 一、 > （一） > 1. > （1） > ①.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from duban.ingest.model import Document
from duban.ingest.text import Line

# numbering -> level (smaller is higher)
NUMBERING = [
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]")),
    (3, re.compile(r"^\d{1,3}[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,3}[)）]")),
    (5, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
]


def numbering_level(text: str) -> int:
    """Level of an outline number at the start of ``text`` (0 when none)."""
    for level, rx in NUMBERING:
        if rx.match(text):
            return level
    return 0


_KINDS = [
    ("责任分解表", "责任分解表"),
    ("任务清单", "任务清单"),
    ("项目清单", "项目清单"),
    ("名单", "名单"),
    ("总体方案", "总体方案"),
    ("实施方案", "实施方案"),
    ("工作方案", "工作方案"),
]
_NOTICE = re.compile(r"关于印发.*(的)?(通\s*知)?$")
_ANNEX = re.compile(r"^附\s*件\s*(\d{1,2})?\s*[:：]?\s*$")


def doc_kind(title: str) -> str | None:
    if _NOTICE.search(title) and "印发" in title:
        return "通知"
    for word, kind in _KINDS:
        if title.endswith(word) or title.endswith(word + "》"):
            return kind
    return None


def is_title_line(line: Line) -> bool:
    t = line.text
    if not t or len(t) > 70 or t.endswith(("。", "；", ";", "，", ",")):
        return False
    if t.startswith(("附件", "附表", ":", "：", "《")) or numbering_level(t):
        return False
    return doc_kind(t) is not None


@dataclass
class Outline:
    """Documents of the file in order, each with the line range it covers."""

    documents: list[Document] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def document_at(self, line_no: int) -> Document | None:
        i = bisect_right(self._starts, line_no) - 1
        return self.documents[i] if i >= 0 else None

    def plan_at(self, line_no: int) -> str:
        d = self.document_at(line_no)
        return d.title if d else ""


def find_documents(lines: list[Line]) -> Outline:
    """Find document titles and the annex each belongs to."""
    docs: list[Document] = []
    annex: int | str | None = None
    for ln in lines:
        m = _ANNEX.match(ln.text)
        if m:
            annex = int(m.group(1)) if m.group(1) else annex
            continue
        if is_title_line(ln):
            kind = doc_kind(ln.text)
            docs.append(Document(line=ln.no, title=ln.text, kind=kind, annex=annex))
    for a, b in zip(docs, docs[1:], strict=False):
        a.end_line = b.line - 1
    if docs:
        docs[-1].end_line = lines[-1].no if lines else docs[-1].line
    return Outline(docs, [d.line for d in docs])
