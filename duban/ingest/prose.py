"""Pass: tasks written as prose — numbered items that carry, or are covered by, a responsibility statement.

Prose plans put responsibility in statements: '（市商务局牵头，市市监局等按职责分工负责）' or
'[X等负责]' at the end of an item, '（牵头单位：X，责任单位：Y）' in mid-paragraph, 'X牵头，Y等配合。' or
'牵头责任单位：X' on a paragraph of its own after the item (or after its sub-items: then it covers
the whole item), '（牵头单位：X）' in a section heading (it covers the items below that have none).
Page breaks leave blank lines inside sentences, words and statements, so lines are first joined
into paragraphs. The pass then builds the tree of numbered items, gives every statement to the
item it covers and emits one task per covered item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from duban.ingest.model import Task
from duban.ingest.structure import Outline, numbering_level
from duban.ingest.text import Line, nospace, strip_markup
from duban.ingest.units import (
    Responsibility,
    has_first_leads_note,
    is_first_leads_note,
    parse_responsibility,
    split_people,
)

# documents that hold tables or rosters, not prose
_NOT_PROSE = {"责任分解表", "任务清单", "项目清单", "名单"}

DASH_LEVEL = 6  # '——' sub-items sit below every numbered level
_DASH = "——"
# numbers with only a closing bracket: '四)' (a '（四）' that lost its '('), '1)' lists
_HALF_BRACKETED = [(2, re.compile(r"^[一二三四五六七八九十]{1,3}[)）]")), (4, re.compile(r"^\d{1,3}[)）]"))]
_NUMBER = re.compile(
    r"^(?:[（(]?(?P<a>[一二三四五六七八九十]{1,3}|\d{1,3})[)）]|(?P<b>[一二三四五六七八九十]{1,3}|\d{1,3})(?:[、.．]|[,，](?=[\u4e00-\u9fff]))"
    r"|(?P<c>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])|——)\s*"
)
# a paragraph that ends with one of these is complete; otherwise the next line continues it
_TERMINATORS = tuple("。！？；;!?.）)】]：:")
_SENTENCE_PUNCT = re.compile(r"[。；;，,：:]")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_BARE_HEADING_MAX = 40
# '责任单位：…', '完成时限：…' open a paragraph of their own even after a line without punctuation
_LABEL_START = re.compile(r"^[^\s，,。；;：:（(]{2,8}[:：]")

# a line opening with characters no Chinese sentence opens with (mojibake of a lost '（二）'): '?', the
# replacement character, Latin letters with marks, bopomofo, box drawing, small form variants
_LOST_NUMBER = re.compile(r"^[?？\ufffd]*[。.]?[\u00c0-\u024f\u3100-\u312f\u2500-\u257f\ufe50-\ufe6f]|^[?？\ufffd]+[。.]")
_LOST_PREFIX = re.compile(r"^[?？\ufffd]+[。.]?")
_BRACKET_CHAR = re.compile(r"[（(\[【）)\]】]")
_OPEN = "（([【"
_CLOSE = "）)]】"
_MARKER = re.compile(r"牵头|负责|配合|参与|协办|责任单位|分工")
# a statement ends with its marker word ('…等按职责分工负责', '…负责具体实施', '…按职责分工'),
# opens with a label ('牵头单位：') or with a lead clause ('由X牵头，…')
_MARKER_END = re.compile(r"(?:牵头|负责|配合|参与|协办|按职责分工)[^，,；;、]{0,6}$")
_LABEL = re.compile(r"(?<!总)(?:牵头责任单位|牵头单位|主责单位|责任单位|配合单位|协办单位|参与单位)\s*[:：]")
_LEAD_CLAUSE = re.compile(r"^由?[^，,；;。：:（(]{2,60}?牵头")
# labels inside a statement that name people or a date, not units ('责任领导：张三；牵头单位：X')
_PEOPLE_LABEL = re.compile(
    r"(?P<label>(?:省级|市级|县级|区级)?(?:责任|牵头(?:负责)?|分管[省市县区州]?|联系|主抓)领导|责任人|完成时限|完成时间|时限)\s*[:：]"
    r"\s*(?P<value>[^；;，,）)]*)[；;，,]?"
)
_MAX_STATEMENT = 400
# a statement that opens with the leaders by office: '分管副省长、协管副秘书长负责，…'
_LEADER_CLAUSE = re.compile(
    r"^(?P<who>(?:[^，,；;、（(]{0,6}(?:省长|市长|县长|区长|州长|秘书长|书记|主任)、?)+)(?:负责|牵头|主抓)[，,；;]"
)
# '市气象局：负责…' — an item that opens with the unit responsible for it
_LABEL_LAYOUT = re.compile(r"^(?P<units>[^：:，,。；;]{2,40})[：:]")
_UNIT_END = re.compile(
    r"(?:局|委|办|厅|署|院|部|部门|单位|小组|中心|公司|集团|队|区|政府|指挥部|所|站|社|行|会|处|联|街道|镇|乡|机场|[（(][^（()）]*[)）])$"
)
_DEADLINE = re.compile(
    r"到\s*\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?底|\d{4}\s*年\s*(?:\d{1,2}\s*月\s*|年\s*)?底前"
)
_DEADLINE_LABEL = re.compile(
    r"(?:完成时限|完成时间|时间节点|时限要求|时限)\s*[:：]\s*(?P<value>[^。；;，,]+)"
)
_BOLD_OPEN = re.compile(r"^(?:\*\*|__|<b>|<strong>)", re.I)
_BOLD_RUN = re.compile(r"^(?:\*\*|__|<b>|<strong>)(?P<inner>.+?)(?:\*\*|__|</b>|</strong>)", re.I)
_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s*")


@dataclass
class _Said:
    """What one statement says: the units (and which lead), and any people it names."""

    resp: Responsibility
    leaders: list[str] = field(default_factory=list)  # 责任领导：X
    persons: list[str] = field(default_factory=list)  # 责任人：Y


@dataclass
class _Statement:
    """A responsibility statement found in a paragraph, with its span there."""

    start: int
    end: int
    said: _Said


@dataclass
class _Para:
    """Lines of one paragraph, joined across page breaks (no separator: breaks split words)."""

    first: int
    last: int
    text: str
    raw: str  # raw first line: bold lead-ins live there
    head: str  # text of the first line
    level: int = 0  # numbering level, 0 when not numbered
    closed: bool = False  # a heading: the next line never continues it
    heading: bool = False  # written as a markdown heading
    statements: list[_Statement] = field(default_factory=list)

    @property
    def pure(self) -> bool:
        """The paragraph holds nothing but statements (and punctuation)."""
        return bool(self.statements) and not _rest(self.text, self.statements)

    @property
    def tail(self) -> _Statement | None:
        """The statement that ends the paragraph, if one does."""
        if self.statements and not nospace(self.text[self.statements[-1].end :]).strip("。；;，,."):
            return self.statements[-1]
        return None


@dataclass
class _Node:
    """A numbered item with the unnumbered paragraphs that follow it."""

    para: _Para
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)
    body: list[_Para] = field(default_factory=list)
    statements: list[_Said] = field(default_factory=list)  # make this item a task
    heading_statements: list[_Said] = field(default_factory=list)  # cover the items below
    inline: bool = False  # a statement in its own text (not on a paragraph of its own)
    covered: bool = False  # it or an item below it has statements (set once the tree is built)
    closing_seen: bool = False  # a statement already covered a run of its sub-items

    @property
    def level(self) -> int:
        return self.para.level


def extract(lines: list[Line], outline: Outline) -> list[Task]:
    """Tasks of every prose plan document in the file."""
    tasks: list[Task] = []
    for doc in outline.documents:
        if doc.kind in _NOT_PROSE:
            continue
        scope = lines[doc.line : doc.end_line or doc.line]  # lines after the title (line n is lines[n-1])
        roots = _build_tree(_paragraphs(scope))
        for root in roots:
            _mark_covered(root)
            _emit(root, [], tasks, outline)
        _first_leads_below(scope, tasks)
        last = _last_text_line(scope)
        _cut_last_item(roots, tasks, outline, last)
        if last and not lines[last - 1].text.endswith(_COMPLETE_END):
            _drop_cut_unit(tasks, last)
    return tasks


_COMPLETE_END = tuple("。！？!?）)】]")
_WHOLE_UNIT = re.compile(r"(?:局|委|办|办公室|厅|署|院|部|部门|单位|小组|中心|公司|集团|队|区|政府|指挥部|所|站|社|行|会|处|联|街道|镇|乡)$")


def _drop_cut_unit(tasks: list[Task], last: int) -> None:
    """The copy stops in mid-name ('…、县农业农', '各区人民政府〈含开发区、'): the half name that ends
    the last task's units is not a unit."""
    for t in tasks:
        if (t.end_line or t.line) >= last and t.units:
            u = t.units[-1]
            if not _WHOLE_UNIT.search(u) or u[0] in "〈<《（(【[":
                t.units.pop()
                if u in t.lead_units:
                    t.lead_units.remove(u)


def _first_leads_below(scope: list[Line], tasks: list[Task]) -> None:
    """'（首位单位为牵头单位，下同）': from the note on, the first unit of a task without a lead leads."""
    at = next((ln.no for ln in scope if "下同" in ln.text and has_first_leads_note(ln.text)), None)
    if at is None:
        return
    for t in tasks:
        if (t.end_line or t.line) >= at and t.units and not t.lead_units:
            t.lead_units = t.units[:1]


def _last_text_line(scope: list[Line]) -> int:
    return next((ln.no for ln in reversed(scope) if ln.text), 0)


def _cut_last_item(roots: list[_Node], tasks: list[Task], outline: Outline, last_line: int) -> None:
    """A copy cut off at its end loses the statement of its last item ('7.其他主要经济指标…' and
    nothing after it): that item is still a task when the items beside it are tasks."""
    if not roots:
        return
    node = roots[-1]
    while node.children:
        node = node.children[-1]
    end = max([node.para.last] + [p.last for p in node.body])
    if node.covered or end < last_line:
        return
    siblings = node.parent.children if node.parent else roots
    if any(s.statements for s in siblings if s is not node):
        task = next((t for t in tasks if t.line == node.para.first), None)
        if task is None:
            task = _task(node, [], outline)
            tasks.append(task)
        if task.units:
            return
        spans = _bracket_spans(node.para.text)
        if spans and spans[-1][1] == len(node.para.text) and node.para.text[-1] not in _CLOSE:
            # the statement bracket opened and was cut: keep the whole names it got to
            names = parse_responsibility(node.para.text[spans[-1][0] + 1 :]).units
            task.units = [u for u in names if _WHOLE_UNIT.search(u)]


# ---------------------------------------------------------------- paragraphs and the item tree


def item_level(text: str) -> int:
    """Outline level of a numbered item ('——' sub-items deepest), 0 for plain text."""
    if text.startswith(_DASH):
        return DASH_LEVEL
    level = numbering_level(text)
    if not level:
        level = next((lv for lv, rx in _HALF_BRACKETED if rx.match(text)), 0)
    return level


def _number_len(text: str) -> int:
    m = _NUMBER.match(text) or (_LOST_PREFIX.match(text) if text[:1] in "?？\ufffd" else None)
    return m.end() if m else 0


def is_bare_heading(text: str) -> bool:
    """'1.循环经济', '（三）压实责任', '一、防范化解政府债务风险（牵头单位：市财政局）': a numbered
    heading with no sentence of its own."""
    rest = _BRACKETED.sub("", text[_number_len(text) :]).strip()
    return len(rest) <= _BARE_HEADING_MAX and not _SENTENCE_PUNCT.search(rest)


def _paragraphs(scope: list[Line]) -> list[_Para]:
    """Join lines into paragraphs: a line continues the paragraph before it unless that one is
    complete (ends a sentence or statement, or is a heading) or the line opens a numbered item."""
    out: list[_Para] = []
    cur: _Para | None = None
    last_level = 0
    for ln in scope:
        if ln.blank:
            continue
        if "\t" in ln.raw:  # a table row
            cur = None
            continue
        level = item_level(ln.text)
        if not level and last_level and _LOST_NUMBER.match(ln.text):
            level = last_level  # '?。ǘ┩七M…': an item whose number the encoding destroyed
        last_level = level or last_level
        if (
            cur is None
            or level
            or ln.heading
            or cur.closed
            or cur.text.endswith(_TERMINATORS)
            or (_LABEL_START.match(ln.text) and not _open_bracket(cur.text))
        ):
            cur = _Para(ln.no, ln.no, ln.text, ln.raw, ln.text, level)
            cur.closed = bool(ln.heading and not level) or bool(level and is_bare_heading(ln.text))
            cur.heading = bool(ln.heading)
            out.append(cur)
        else:
            cur.text += ln.text
            cur.last = ln.no
    for p in out:
        p.statements = find_statements(p.text, whole=not p.level)
    return out


def _open_bracket(text: str) -> bool:
    """A bracket is still open at the end ('…（责任' + page break + '单位：…)')."""
    return sum(text.count(c) for c in _OPEN) > sum(text.count(c) for c in _CLOSE)


def _build_tree(paras: list[_Para]) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    nodes: list[_Node] = []
    for p in paras:
        if not p.level:
            if stack:
                stack[-1].body.append(p)
            continue
        while stack and stack[-1].level >= p.level:
            stack.pop()
        node = _Node(p, stack[-1] if stack else None)
        (node.parent.children if node.parent else roots).append(node)
        stack.append(node)
        nodes.append(node)
    _assign_own_statements(nodes, roots)
    _assign_loose_statements(nodes, roots)
    return roots


# ---------------------------------------------------------------- statements


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """Outermost bracketed spans; full- and half-width brackets mix ('（…)'); an unclosed bracket
    runs to the end of the paragraph."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for m in _BRACKET_CHAR.finditer(text):
        i = m.start()
        if text[i] in _OPEN:
            opened.append(i)
        elif opened:
            start = opened.pop()
            if not opened:
                spans.append((start, i + 1))
    if opened:
        spans.append((opened[0], len(text)))
    return spans


def _parse_statement(text: str) -> _Said | None:
    """What ``text`` says when it is a responsibility statement ('市科技局牵头，…等按职责分工负责',
    '牵头单位：X，责任单位：Y', '由X牵头，Y等配合', 'X、Y等负责'), else None."""
    t = nospace(text).strip("。；;，,")
    if not t or len(t) > _MAX_STATEMENT or "。" in t or t.startswith("总"):
        return None
    if "下同" in t and is_first_leads_note(t):
        return None
    leaders: list[str] = []
    persons: list[str] = []
    if _PEOPLE_LABEL.search(t):
        for m in _PEOPLE_LABEL.finditer(t):
            if "领导" in m.group("label"):
                leaders += split_people(m.group("value"))
            elif m.group("label") == "责任人":
                persons += split_people(m.group("value"))
        t = _PEOPLE_LABEL.sub("", t).strip("；;，,。")
        if not t and (leaders or persons):  # '牵头负责领导：金力。' on a line of its own
            return _Said(Responsibility(), leaders, persons)
    m = _LEADER_CLAUSE.match(t) if "长" in t[:20] or "书记" in t[:20] or "主任" in t[:20] else None
    if m:  # '分管副省长、协管副秘书长负责，省发展改革委牵头，…'
        leaders += [x for x in m.group("who").split("、") if x]
        t = t[m.end() :]
    if not (_LABEL.match(t) or _MARKER_END.search(t) or _LEAD_CLAUSE.match(t)):
        return None
    resp = parse_responsibility(t)
    if not any(_UNIT_END.search(u) or u.startswith(("各", "相关", "有关")) for u in resp.units):
        return None
    return _Said(resp, leaders, persons)


def is_statement(text: str) -> bool:
    """Does ``text`` (without its brackets) say who is responsible?"""
    return _parse_statement(text) is not None


def find_statements(text: str, whole: bool = False) -> list[_Statement]:
    """Responsibility statements in a paragraph: bracketed ones, label ones ('责任单位：X' up to the
    end of the sentence) and, with ``whole``, a bare paragraph that is one ('X牵头，Y等配合。')."""
    found: list[_Statement] = []
    spans = _bracket_spans(text) if _MARKER.search(text) else []
    for a, b in spans:
        inner = text[a + 1 : b - 1] if text[b - 1] in _CLOSE else text[a + 1 : b]
        said = _parse_statement(inner) if _MARKER.search(inner) else None
        if said:
            found.append(_Statement(a, b, said))
    for m in _LABEL.finditer(text):
        a = m.start()
        if any(s <= a < e for s, e in spans):
            continue
        stop = text.find("。", a)
        b = stop + 1 if stop >= 0 else len(text)
        said = _parse_statement(text[a:b])
        if said:
            found.append(_Statement(a, b, said))
    if whole and not found:
        said = _parse_statement(text)
        if said:
            found.append(_Statement(0, len(text), said))
    found.sort(key=lambda s: s.start)
    return found


def _rest(text: str, statements: list[_Statement]) -> str:
    """``text`` without its statements and punctuation."""
    for s in reversed(statements):
        text = text[: s.start] + text[s.end :]
    return nospace(text).strip("。；;，,.、")


def _label_layout(node: _Node) -> _Said | None:
    """'市气象局：负责…', '镇（街道、中心）、沅江高新区：负责…' — the item opens with its units."""
    m = _LABEL_LAYOUT.match(node.para.text[_number_len(node.para.text) :])
    if not m:
        return None
    resp = parse_responsibility(m.group("units"))
    return _Said(resp) if resp.units and all(_UNIT_END.search(u) for u in resp.units) else None


def _assign_own_statements(nodes: list[_Node], roots: list[_Node]) -> None:
    """Statements in an item's own text: in its numbered paragraph, or ending a paragraph after it.
    In a bare heading with sub-items they cover the sub-items instead."""
    for node in nodes:
        head = [s.said for s in node.para.statements]
        if head and node.para.closed and node.children:
            node.heading_statements = head
            node.inline = True
            continue
        head += [p.tail.said for p in node.body if p.tail and not p.pure]
        if head:
            node.statements = head
            node.inline = True
    # a run of sibling items in the 'unit：duties' layout (one such item alone is content)
    for group in [roots] + [n.children for n in nodes if n.children]:
        labelled = [(n, _label_layout(n)) for n in group if not n.inline]
        labelled = [(n, r) for n, r in labelled if r]
        if len(labelled) >= 2 and 2 * len(labelled) >= len(group):
            for n, r in labelled:
                n.statements = [r]
                n.inline = True


def _assign_loose_statements(nodes: list[_Node], roots: list[_Node]) -> None:
    """Statements on paragraphs of their own, in document order. Right under a bare heading
    ('（一）防范化解政府债务风险' then '牵头单位：市财政局') one belongs to the heading; after
    content, :func:`_resolve` finds the item it closes."""
    for i, node in enumerate(nodes):
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        for leading, group in _loose_groups(node):
            if leading and node.para.closed:
                (node.heading_statements if node.children else node.statements).extend(group)
                node.inline = True
            else:
                _resolve(node, group, nxt, roots)


def _loose_groups(node: _Node) -> list[tuple[bool, list[_Said]]]:
    """Consecutive statement paragraphs after an item ('牵头单位：X' then '责任单位：Y') form one
    group; ``leading`` when it comes before any other paragraph of the item."""
    groups: list[tuple[bool, list[_Said]]] = []
    prev_pure = False
    for i, p in enumerate(node.body):
        if p.pure:
            if not prev_pure:
                groups.append((i == 0, []))
            groups[-1][1].extend(s.said for s in p.statements)
        prev_pure = p.pure
    return groups


def _mark_covered(node: _Node) -> bool:
    covered = bool(node.statements or node.heading_statements)
    for child in node.children:
        covered = _mark_covered(child) or covered
    node.covered = covered
    return covered


def _has_task(node: _Node) -> bool:
    return bool(node.statements or node.heading_statements) or any(_has_task(c) for c in node.children)


def _resolve(last: _Node, group: list[_Said], nxt: _Node | None, roots: list[_Node]) -> None:
    """Give a statement paragraph that follows item ``last`` to the item it covers.

    It covers the parent item when it closes the parent's last sub-item (of several) and no sub-item
    has a statement of its own ('（1）…（8）' then 'X牵头，Y等配合。'); otherwise the run of items just
    before it that have no statement yet ('（1）…（5）' then 'X牵头…', '（6）…（8）' then 'Z牵头…'),
    which is often just ``last`` (a statement on its own line after its item)."""
    parent = last.parent
    closes_parent = parent is not None and (nxt is None or nxt.level <= parent.level)
    if (
        closes_parent
        and len(parent.children) > 1  # after an only sub-item it is that item's own statement
        and not parent.statements
        and not parent.heading_statements
        and not parent.closing_seen
        and not any(c.inline for c in parent.children)
    ):
        parent.statements = list(group)
        return
    siblings = parent.children if parent else roots
    run: list[_Node] = []
    for sib in reversed(siblings[: siblings.index(last) + 1]):
        if _has_task(sib):
            break
        run.append(sib)
    if parent is not None:
        parent.closing_seen = True
    for sib in run or [last]:
        sib.statements.extend(group)


# ---------------------------------------------------------------- tasks


def _emit(
    node: _Node, inherited: list[_Said], out: list[Task], outline: Outline,
    lead: list[str] | None = None, in_task: bool = False,
) -> None:
    """Walk the tree: an item with statements is a task; a heading's statements cover the items
    below it that have none (a bare heading passes them on to its own sub-items), and the lead it
    names goes to every task below that names no lead; a numbered item of a task section that no
    statement covers is an implicit task (its sub-points are not tasks of their own)."""
    if node.heading_statements:
        lead = _merge(node.heading_statements).resp.lead_units or lead
    task = None
    if node.statements:
        task = _task(node, node.statements, outline)
        inherited = []
    elif node.heading_statements:
        inherited = node.heading_statements
    elif inherited and not (node.para.closed and node.children):
        task = _task(node, inherited, outline)
        task.lead_from_heading = bool(task.lead_units)
        inherited = []
    elif not in_task and _implicit_item(node):
        task = _task(node, [], outline)
        task.units, task.lead_units = _subjects(task.text)
        task.implicit = not task.lead_units  # 'X牵头' in its text is a statement of its own
    if task is not None:
        if lead and not task.lead_units:
            task.lead_units = list(lead)
            task.units = [*[u for u in lead if u not in task.units], *task.units]
            task.lead_from_heading = True
        out.append(task)
        in_task = True
    for child in node.children:
        _emit(child, inherited, out, outline, lead, in_task)


# sections whose numbered items are tasks, and sections that are not task lists
_TASK_SECTION = re.compile(r"任务|重点工作|工作内容|主要内容|具体措施|主要措施|主要举措|工作举措")
_NOT_TASK_SECTION = re.compile(
    r"保障|要求|组织实施|组织领导|推进机制|工作机制|目标|指标|原则|思路|背景|意义|基本情况|步骤|时间安排|职责分工"
)
# '市安委办要…', '各行业部门要…', '由市应急局负责…': the body the item's own text makes responsible
_BODY = (
    r"[^，,。；;：:（）()“”]{0,38}?(?:部门|局|委|办|办公室|委员会|政府|单位|中心|指挥部|街道"
    r"|镇(?:[（(][^（()）]{1,12}[)）])?)"
)
_SUBJECT = re.compile(rf"^(?P<u>{_BODY})(?P<v>要|须|必须|应|应当|负责|牵头|按照|依法|严格|切实|认真|对)")
_BY_SUBJECT = re.compile(rf"由(?P<u>{_BODY})(?P<v>负责|牵头)")
_CLAUSE = re.compile(r"[。；;！!\n]")
# what opens work, not a body: the objects of 督促/指导, enterprises, persons
_NOT_SUBJECT = re.compile(
    r"^(?:督促|指导|推动|推进|组织|支持|鼓励|引导|加强|强化|落实|开展|完善|细化|建立|健全|提升|提高|深化|加快|做好"
    r"|抓好|压实|明确|实行|实施|全面|持续|不断|进一步|积极|严禁|坚持|按照|结合|企业|各企业|从业|对|在|将|把|以)"
)
def _in_task_section(node: _Node) -> bool:
    names = [_section_name(a) for a in _ancestors(node) if a.level <= 2]  # 一、 / （一） sections
    return any(_TASK_SECTION.search(n) for n in names) and not any(_NOT_TASK_SECTION.search(n) for n in names)


def _implicit_item(node: _Node) -> bool:
    """A numbered item (1. / （1） / ①) of a task section that states work and no statement covers;
    an item whose sub-items carry titles of their own (or that is a heading) is their section."""
    if node.level < 3 or node.level == DASH_LEVEL or node.covered or not _in_task_section(node):
        return False
    if node.children and (node.para.heading or any(_BOLD_OPEN.match(c.para.raw.lstrip("# ")) for c in node.children)):
        return False
    return bool(_rest(node.para.text[_number_len(node.para.text) :], []))


def _subjects(text: str) -> tuple[list[str], list[str]]:
    """Bodies the text makes responsible — the subject of a sentence ('市安委办要…'), '由X负责' — and
    those it marks as lead ('…方式，市安委办牵头开展…')."""
    found: list[str] = []
    leads: list[str] = []
    for clause in _CLAUSE.split(strip_markup(nospace(text))):
        clause = clause[_number_len(clause) :].lstrip("*")
        hits = [(m.group("u"), m.group("v") == "牵头") for m in [_SUBJECT.match(clause)] if m]
        hits += [(m.group("u"), m.group("v") == "牵头") for m in _BY_SUBJECT.finditer(clause)]
        hits += [(m.group("u"), True) for part in re.split(r"[，,]", clause)[1:] for m in [_SUBJECT.match(part)]
                 if m and m.group("v") == "牵头"]
        for u, lead in hits:
            u = u.removeprefix("由")
            if len(u) < 2 or _NOT_SUBJECT.match(u):
                continue
            if u not in found:
                found.append(u)
            if lead and u not in leads:
                leads.append(u)
    return found, leads


def _merge(statements: list[_Said]) -> _Said:
    """Several statements of one item: the union of their units, every lead, every person."""
    merged = _Said(Responsibility())
    for said in statements:
        merged.resp.add(said.resp.units)
        merged.resp.add(said.resp.lead_units, lead=True)
        merged.leaders += [x for x in said.leaders if x not in merged.leaders]
        merged.persons += [x for x in said.persons if x not in merged.persons]
    return merged


def _ancestors(node: _Node) -> list[_Node]:
    chain = []
    p = node.parent
    while p is not None:
        chain.append(p)
        p = p.parent
    return chain[::-1]


def _section_name(node: _Node) -> str:
    """A heading as written; a heading that runs on into its paragraph is cut at its first 。."""
    head = node.para.head
    cut = head.find("。")
    return head[:cut] if 0 <= cut < len(head) - 1 else head


def _seq(node: _Node) -> str | None:
    """The item number as written ('1', '一', '13'); a '——' sub-item takes its parent's."""
    while node is not None and node.level == DASH_LEVEL:
        node = node.parent
    m = _NUMBER.match(node.para.text) if node is not None else None
    return next((g for g in m.groups() if g), None) if m else None


def _title(node: _Node) -> str:
    """The bold lead-in when there is one, else the first sentence up to the first 。."""
    raw = _HEADING_MARK.sub("", node.para.raw).strip()
    if not _BOLD_OPEN.match(raw):
        raw = _NUMBER.sub("", raw, count=1)
    m = _BOLD_RUN.match(raw)
    if m:
        title = strip_markup(m.group("inner")).strip()
        title = title[_number_len(title) :].strip()
        if title:
            return title
    text = node.para.text
    start = _number_len(text)
    cut = text.find("。", start)
    end = cut + 1 if cut >= 0 else len(text)
    for s in node.para.statements:  # '1.xxx（X牵头）' with no 。 before the statement
        if start < s.start < end:
            end = s.start
            break
    return text[start:end].strip()


def _span(node: _Node) -> list[_Para]:
    paras = [node.para, *node.body]
    for child in node.children:
        paras += _span(child)
    return paras


def _deadline(node: _Node) -> str | None:
    """A labelled deadline ('完成时限：2023年6月底'), else a single dated one in the item's own
    text ('2023年年底前', '到2023年底')."""
    own = " ".join(p.text for p in [node.para, *node.body])
    m = _DEADLINE_LABEL.search(own)
    if m:
        return m.group("value").strip()
    hits = _DEADLINE.findall(own)
    return hits[0].strip() if len(hits) == 1 else None


def _task(node: _Node, statements: list[_Said], outline: Outline) -> Task:
    said = _merge(statements)
    span = _span(node)
    return Task(
        line=node.para.first,
        plan=outline.plan_at(node.para.first),
        source="prose",
        section=[_section_name(a) for a in _ancestors(node)],
        seq=_seq(node),
        title=_title(node),
        units=said.resp.units,
        lead_units=said.resp.lead_units,
        persons=said.persons,
        leaders=said.leaders,
        deadline=_deadline(node),
        text="\n".join(p.text for p in span),
        end_line=max(p.last for p in span),
    )
