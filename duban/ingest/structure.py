"""Document structure: which plan document (通知, 总体方案, 附件N 工作方案, 责任分解表 …) each line
belongs to, and the numbered headings (section path) above a line.

Markdown heading depth does not encode hierarchy in published plans, so levels come from the
numbering itself: 一、 > （一） > 1. > （1） > ①.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from duban.ingest.model import Document
from duban.ingest.text import SPACES, Line, nospace

# numbering -> level (smaller is higher)
NUMBERING = [
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}(?:[、.．]|[,，](?=[\u4e00-\u9fff]))")),  # '一,主要目标' too
    (2, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]")),
    (3, re.compile(r"^\d{1,3}(?:[.．、](?!\d)|[,，](?=[\u4e00-\u9fff]))")),
    (4, re.compile(r"^[（(]\d{1,3}[)）]")),
    (5, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
]


_NUMBER_START = frozenset("一二三四五六七八九十（(0123456789①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")


def numbering_level(text: str) -> int:
    """Level of an outline number at the start of ``text`` (0 when none)."""
    if not text or text[0] not in _NUMBER_START:
        return 0
    for level, rx in NUMBERING:
        if rx.match(text):
            return level
    return 0


_ANY_NUMBER = re.compile("|".join(rx.pattern for _, rx in NUMBERING))


def strip_numbering(text: str) -> str:
    """Text without its leading outline number: '（一）加强组织领导。' -> '加强组织领导。'."""
    m = _ANY_NUMBER.match(text)
    return text[m.end() :].lstrip() if m else text


# title ending -> document kind; longer endings first so 总体方案 wins over 方案
_KINDS = [
    ("责任分解表", "责任分解表"),
    ("任务分解表", "责任分解表"),
    ("任务清单", "任务清单"),
    ("责任清单", "任务清单"),
    ("工作清单", "任务清单"),
    ("项目清单", "项目清单"),
    ("名单", "名单"),
    ("总体方案", "总体方案"),
    ("实施方案", "实施方案"),
    ("工作方案", "工作方案"),
    ("行动方案", "工作方案"),
]
TABLE_KINDS = frozenset({"责任分解表", "任务清单", "项目清单"})  # documents that are tables
_NOTICE = re.compile(r"关于印发.*的通知$")
_ANNEX = re.compile(r"^附件(\d{1,2})?[:：]?$")  # '附件 3', '附件', '附件：' (a label line)
_ANNEX_TABLE = re.compile(r"^附表\d{0,2}[:：]?$")  # '附表' label before a table title
_ANNEX_LIST = re.compile(r"^附件[:：]\s*1[.．、]")  # '附件：1.…名单' opens the list of annexes
_BULLET = re.compile(r"^[-*+•·]\s+")
_TITLE_STOP = re.compile(r"[。；;:：，,？?！!\t]")  # a title has no sentence punctuation inside
_TITLE_NOTE = re.compile(r"[（(][^（()）]{1,20}[)）]$")
# words that show a line is the first half of a plan title broken over two lines
_TITLE_HEAD = re.compile(r"打好|实施|行动|[仗战]|关于印发|发展")
_ISSUER_TAIL = re.compile(r"(?:人民政府|政府|办公室|办公厅|委员会)$")
# a line that starts with a verb is a task ('制定XX工作方案' in a table cell), not a title
_TASK_VERB = re.compile(r"(?:制定|出台|编制|完善|研究|落实|修订|建立|做好|抓好|推进|开展|组织|贯彻|执行|按照|根据|结合|启动)")
MAX_TITLE = 70


def _plain(text: str) -> str:
    """Title-comparison form of a line: no list bullet, no spaces."""
    return nospace(_BULLET.sub("", text))


def _title_core(text: str) -> str:
    """A title without spaces, closing 》 or a trailing note ('（2023—2025年）', '(试行)')."""
    return _TITLE_NOTE.sub("", nospace(text).rstrip("》"))


def doc_kind(title: str) -> str | None:
    """Kind of document a title names (通知, 总体方案, 工作方案, 责任分解表 …), or None."""
    t = _title_core(title)
    if "印发" in t:  # '关于印发《X总体方案》的通知'; its first half alone names no document
        return "通知" if _NOTICE.search(t) else None
    for word, kind in _KINDS:
        if t.endswith(word):
            return kind
    return None


_KIND_LAST = frozenset(word[-1] for word, _ in _KINDS) | {"知"}  # cheap first test


def _may_end_title(text: str) -> bool:
    t = text.rstrip(SPACES + "》")
    return bool(t) and (t[-1] in _KIND_LAST or t[-1] in "）)")


def is_title_line(line: Line) -> bool:
    """A stand-alone line that names a document: not a sentence, not a list item, not a reference."""
    if not _may_end_title(line.text) or len(line.text) > 3 * MAX_TITLE:
        return False
    t = _plain(line.text)
    if not t or len(t) > MAX_TITLE or _TITLE_STOP.search(t):
        return False
    if t.startswith(("附件", "附表", "《", "(", "（", "-", "—")) or numbering_level(t) or _TASK_VERB.match(t):
        return False
    kind = doc_kind(t)
    if kind is None:
        return False
    return len(_title_core(t)) > len(_kind_word(t)) + 1  # a bare '任务清单' is a section row, not a title


def _kind_word(t: str) -> str:
    t = _title_core(t)
    for word, _ in _KINDS:
        if t.endswith(word):
            return word
    return "通知" if t.endswith("通知") else ""


def _is_title_fragment(text: str) -> bool:
    """First half of a title broken over two lines ('…持久仗重点工作' + '任务清单')."""
    t = _plain(text)
    return (
        6 <= len(t) <= MAX_TITLE
        and not _TITLE_STOP.search(t)
        and not numbering_level(t)
        and not t.startswith(("附件", "附表"))
        and doc_kind(t) is None
        and bool(_TITLE_HEAD.search(t))
    )


def _prev_text(lines: list[Line], i: int, reach: int = 4) -> int | None:
    """Index of the nearest non-blank line before ``lines[i]`` within ``reach`` lines."""
    for j in range(i - 1, max(-1, i - 1 - reach), -1):
        if lines[j].text:
            return j
    return None


_SENTENCE_END = ("。", "；", ";", "！", "!", "？", "?", "）", ")", "]", "】")


def _breaks_off(text: str) -> bool:
    """A line that stops in mid-sentence, as a page break leaves it ('…人民银行邵阳中心')."""
    return bool(text) and not text.endswith(_SENTENCE_END)


def continued_lines(lines: list[Line], i: int, reach: int = 4) -> tuple[list[Line], int]:
    """``lines[i]`` and the lines that finish its sentence when a page break cut it (up to
    ``reach`` blank lines in between), and the index of the first line not consumed.

    A continuation is a plain paragraph line: never a numbered heading, a document title, an
    annex label or a table row, so headings and tables stay where they are."""
    parts = [lines[i]]
    j = i + 1
    if "\t" in lines[i].raw:
        return parts, j
    while _breaks_off(parts[-1].text):
        k = j
        while k < len(lines) and k - j < reach and not lines[k].text:
            k += 1
        if k >= len(lines) or not lines[k].text:
            break
        nxt = lines[k]
        t = _plain(nxt.text)
        if "\t" in nxt.raw or numbering_level(t) or t.startswith(("附件", "附表")) or is_title_line(nxt):
            break
        parts.append(nxt)
        j = k + 1
    return parts, j


def continued_text(lines: list[Line], i: int, reach: int = 4) -> tuple[str, int]:
    """Text of ``lines[i]`` with the rest of its sentence rejoined (see :func:`continued_lines`)."""
    parts, j = continued_lines(lines, i, reach)
    return "".join(p.text for p in parts), j


@dataclass(slots=True)
class Heading:
    """A numbered line (一、 / （一） / 1. / （1） / ①) and the heading above it."""

    line: int
    level: int
    text: str
    parent: int | None = None  # index of the enclosing heading in Outline.headings


@dataclass
class Outline:
    """Documents of the file in order, each with the line range it covers, plus numbered headings."""

    documents: list[Document] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    _heading_lines: list[int] = field(default_factory=list)

    def document_at(self, line_no: int) -> Document | None:
        i = bisect_right(self._starts, line_no) - 1
        return self.documents[i] if i >= 0 else None

    def in_table(self, line_no: int) -> bool:
        """Is the line inside a table document (责任分解表, 任务清单 …)? Their cells are separate lines
        that must not be rejoined as broken sentences."""
        d = self.document_at(line_no)
        return bool(d and d.kind in TABLE_KINDS)

    def plan_at(self, line_no: int) -> str:
        d = self.document_at(line_no)
        return d.title if d else ""

    def heading_path(self, line_no: int) -> list[Heading]:
        """Numbered headings enclosing ``line_no``, outermost first (the line itself included when
        it is numbered). Stops at the start of the line's document."""
        i = bisect_right(self._heading_lines, line_no) - 1
        doc = self.document_at(line_no)
        start = doc.line if doc else 0
        path: list[Heading] = []
        while i is not None and i >= 0 and self.headings[i].line >= start:
            path.append(self.headings[i])
            i = self.headings[i].parent
        return path[::-1]

    def spans_under(self, wanted) -> list[tuple[int, int]]:
        """(first, last) line of each section whose heading satisfies ``wanted(text)``: from the
        heading to the line before the next heading of the same or a higher level (or the end of
        its document). Lets a pass test 'is this line under 主要目标?' with one bisect."""
        spans = []
        for k, h in enumerate(self.headings):
            if not wanted(h.text):
                continue
            doc = self.document_at(h.line)
            end = doc.end_line if doc and doc.end_line else h.line
            for nxt in self.headings[k + 1 :]:
                if nxt.line > end or nxt.level <= h.level:
                    end = min(end, nxt.line - 1)
                    break
            spans.append((h.line, end))
        return spans

    def section_at(self, line_no: int) -> list[str]:
        """Texts of the headings enclosing ``line_no`` (the line itself excluded)."""
        return [h.text for h in self.heading_path(line_no) if h.line != line_no]


def _find_headings(lines: list[Line], doc_starts: list[int]) -> list[Heading]:
    """Every numbered line with its parent: the nearest earlier heading of a higher level in the
    same document (one stack pass, so the cost is linear)."""
    heads: list[Heading] = []
    stack: list[int] = []
    d = 0
    for ln in lines:
        while d < len(doc_starts) and ln.no >= doc_starts[d]:
            stack.clear()  # a new document starts a new outline
            d += 1
        level = numbering_level(ln.text) if ln.text else 0
        if not level:
            continue
        while stack and heads[stack[-1]].level >= level:
            stack.pop()
        heads.append(Heading(ln.no, level, ln.text, stack[-1] if stack else None))
        stack.append(len(heads) - 1)
    return heads


@dataclass
class _AnnexState:
    """Annex numbering as the scan goes: the last 附件N label, and whether one is pending."""

    current: int | None = None
    label_pending: bool = False  # a '附件N'/'附件' label seen since the last document
    numbered_label: int | None = None
    started: bool = False  # annexes have begun (annex list or 总体方案 seen)

    def label(self, number: int | None) -> None:
        self.label_pending = True
        self.numbered_label = number

    def for_document(self, kind: str) -> int | None:
        """Annex number of a document of ``kind`` found now."""
        if self.numbered_label is not None:
            self.current = self.numbered_label
        elif kind not in ("通知", "总体方案"):
            if self.current is None and (self.started or self.label_pending):
                self.current = 1  # the first annex
            elif self.current is not None and kind not in TABLE_KINDS:
                self.current += 1  # an annex plan without its '附件N' label: next in order
        if kind == "总体方案":
            self.started = True
        self.label_pending = False
        self.numbered_label = None
        return self.current if kind not in ("通知", "总体方案") else None


def _title_at(lines: list[Line], i: int) -> tuple[int, str] | None:
    """(line index, title) of a document title ending at ``lines[i]``, joining a title broken
    over two lines; None when the line is not a title."""
    ln = lines[i]
    t = _plain(ln.text)
    j = _prev_text(lines, i)
    if is_title_line(ln):
        title = _BULLET.sub("", ln.text).strip()
        if doc_kind(t) == "通知" and t.startswith("关于") and j is not None:
            head = _plain(lines[j].text)
            if len(head) <= 20 and _ISSUER_TAIL.search(head) and not _TITLE_STOP.search(head):
                return j, _BULLET.sub("", lines[j].text).strip() + title  # issuer line + '关于印发…的通知'
        return i, title
    if j is None or not 2 <= len(t) <= 5 or _TITLE_STOP.search(t) or not _is_title_fragment(lines[j].text):
        return None
    title = _BULLET.sub("", lines[j].text).strip() + t  # '…持久仗重点工作' + '任务清单'
    return (j, title) if doc_kind(title) else None


# words of a line that names a plan though it does not end like a title ('…责任分解', '…分工意见')
_PLAN_WORDS = re.compile(r"方案|分解|分工|意见|计划|清单|要点|任务|通知")


def untitled_document(lines: list[Line], fallback: str) -> Document:
    """The whole file as one plan document when no title was found (a news excerpt, a notice
    whose title is split or missing, a table pasted alone). Its title is the first short
    title-like line that names a plan, else ``fallback``; line 0 so the document covers line 1."""
    title = fallback
    for ln in lines[:40]:
        t = _plain(ln.text)
        if 6 <= len(t) <= MAX_TITLE and not _TITLE_STOP.search(t) and not numbering_level(t) and _PLAN_WORDS.search(t):
            title = ln.text.strip()
            break
    return Document(line=0, title=title, kind="工作方案", end_line=lines[-1].no if lines else 0)


def find_documents(lines: list[Line]) -> Outline:
    """Find document titles and the annex each belongs to."""
    docs: list[Document] = []
    state = _AnnexState()
    notices: list[str] = []
    for i, ln in enumerate(lines):
        if not ln.text:
            continue
        if "附" in ln.text[:4]:
            t = _plain(ln.text)
            m = _ANNEX.match(t)
            if m:
                state.label(int(m.group(1)) if m.group(1) else None)
                continue
            if _ANNEX_LIST.match(t):
                state.started = True
                continue
            if _ANNEX_TABLE.match(t):
                continue
        if not _may_end_title(ln.text):
            continue
        found = _title_at(lines, i)
        if found is None:
            continue
        j, title = found
        kind = doc_kind(title)
        if kind == "通知":
            key = nospace(title)
            if any(key in k or k in key for k in notices):
                continue  # the same notice title repeated (web page title, then the document's)
            notices.append(key)
        if docs and docs[-1].line >= lines[j].no:
            continue
        docs.append(Document(line=lines[j].no, title=title, kind=kind, annex=state.for_document(kind)))
    for a, b in zip(docs, docs[1:], strict=False):
        a.end_line = b.line - 1
    if docs:
        docs[-1].end_line = lines[-1].no if lines else docs[-1].line
    starts = [d.line for d in docs]
    heads = _find_headings(lines, starts)
    return Outline(docs, starts, heads, [h.line for h in heads])


def with_documents(outline: Outline, docs: list[Document]) -> Outline:
    """``outline`` with ``docs`` in place of none: one document from line 0 keeps every heading."""
    return Outline(docs, [d.line for d in docs], outline.headings, outline._heading_lines)
