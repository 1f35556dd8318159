"""Pass: flattened responsibility tables (责任分解表/任务清单 printed one cell per line).

Word and PDF exports often lose the table grid and print every cell on a line of its own. Two
layouts occur, and a table is recognised by its header cells (序号/内容/工作任务/牵头单位/责任单位/
分管领导/工作进度 …), never by a document's names:

* tabbed: every cell starts with a TAB, a blank line ends the row, a lone TAB is an empty
  (merged) cell, and a line without a TAB continues the cell above (narrow columns wrap). Rows
  are positional: fixed columns are read from both ends, surplus cells are outline levels of
  the task column (heading cells re-filled after a page break are the same section).
* spaced: one blank line between cells, a bare integer (序号) starts a row, a line of EN SPACEs
  is an empty cell, trailing empty cells are left out and one cell may span several lines, so
  cells are read by what they look like (task text, unit list, name) rather than by count.
  Single cells between rows ('任务清单', '(一)…', '1.…') are section headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from duban.ingest.model import Task
from duban.ingest.structure import Outline, is_title_line, numbering_level
from duban.ingest.text import Line, nospace
from duban.ingest.units import (
    first_unit_leads,
    parse_responsibility,
    split_people,
    split_top,
    split_units,
    strip_trailing,
)

# --- header ---------------------------------------------------------------------------------

SEQ, CONTENT, LEAD, UNITS, PERSON, LEADER, DEADLINE, PROGRESS, NOTE, OTHER = (
    "seq", "content", "lead", "units", "person", "leader", "deadline", "progress", "note", "other")

# (role, full-match pattern of a header cell without spaces); the first match wins
_ROLES = [
    (SEQ, re.compile(r"序号|编号")),
    (LEADER, re.compile(r"[\u4e00-\u9fff]{0,6}(领导|召集人)")),
    (PERSON, re.compile(r"[\u4e00-\u9fff]{0,4}(责任人|负责人|联系人)")),
    (LEAD, re.compile(r"(总)?(牵头|主办)(责任)?(单位|部门)")),
    (UNITS, re.compile(r"[\u4e00-\u9fff]{0,4}(单位|部门|主体)")),
    (DEADLINE, re.compile(r"[\u4e00-\u9fff]{0,2}(时限|时间|期限|时间节点|时间要求)")),
    (PROGRESS, re.compile(r"[\u4e00-\u9fff]{0,2}(进度|进展|完成情况)(情况)?")),
    (NOTE, re.compile(r"备注")),
    (CONTENT, re.compile(r"[\u4e00-\u9fff]{0,4}(内容|任务|举措|措施|项目|事项|目标)(名称|内容)?")),
]
# a header cell broken before its role word: '县政府' + '分管领导'
_HEADER_PREFIX = re.compile(r"[省市县区乡镇]?(人民)?政府|[省市县区乡镇]级")
_UNIT_ROLES = (LEAD, UNITS)


def column_role(text: str) -> str | None:
    """Role of a header cell ('主要责任单位' -> units), None when it is not a header word."""
    t = nospace(text).rstrip(":：")
    if not t or len(t) > 10:
        return None
    for role, rx in _ROLES:
        if rx.fullmatch(t):
            return role
    return None


@dataclass
class Header:
    """A table's header: the role of each column, in order, and where the body starts."""

    roles: list[str]
    end: int  # index of the line after the header
    tabbed: bool  # the tabbed layout (else spaced)


def _is_gap(ln: Line) -> bool:
    """A separator line: nothing but ASCII spaces (a TAB or EN SPACE line is an empty cell)."""
    return not ln.raw.strip(" \r")


def _cell_text(ln: Line) -> str:
    return ln.text.strip()


def _single_cell(ln: Line) -> bool:
    """One cell on the line: not a tab-separated row (those belong to the tables pass)."""
    return "\t" not in ln.raw.strip("\t \r")


def _stacked_lines(lines: list[Line], i: int, limit: int = 24) -> list[tuple[int, bool]]:
    """Indexes of the one-cell lines from ``i`` on (with: a gap before it?), up to a double gap."""
    out: list[tuple[int, bool]] = []
    gap = False
    j, n = i, len(lines)
    while j < n and len(out) < limit:
        ln = lines[j]
        if _is_gap(ln):
            if gap:
                break
            gap = True
        elif not _single_cell(ln):
            break
        else:
            out.append((j, gap and bool(out)))
            gap = False
        j += 1
    return out


def _header_role(lines: list[Line], cells: list[tuple[int, bool]], k: int) -> tuple[str | None, int]:
    """Role of header cell ``k`` and how many lines it takes: '县政府' + '分管领导' is one cell; an
    unknown short word followed by a header word is a column we do not read ('other')."""
    t = nospace(lines[cells[k][0]].text)
    role = column_role(t)
    if role is not None or k + 1 >= len(cells):
        return role, 1
    nxt = column_role(lines[cells[k + 1][0]].text)
    if nxt is None:
        return None, 1
    if _HEADER_PREFIX.fullmatch(t):
        return nxt, 2
    if 0 < len(t) <= 8 and not re.search(r"[\d。，,；;]", t):
        return OTHER, 1
    return None, 1


def read_header(lines: list[Line], i: int) -> Header | None:
    """The header block starting at ``lines[i]``, if it is one: ≥3 cells with a task column and
    a unit column, each cell on its own line."""
    cells = _stacked_lines(lines, i)
    roles: list[str] = []
    gaps = tabs = 0
    k = 0
    while k < len(cells):
        role, used = _header_role(lines, cells, k)
        if role is None:
            break
        roles.append(role)
        gaps += any(gap for _, gap in cells[k: k + used])
        tabs += all(lines[j].raw.startswith("\t") for j, _ in cells[k: k + used])
        k += used
    if len(roles) < 3 or CONTENT not in roles or not any(r in _UNIT_ROLES for r in roles):
        return None
    end = cells[k - 1][0] + 1
    return Header(roles, end, tabbed=tabs == len(roles) and gaps == 0)


# --- cells ----------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    line: int
    end_line: int

    @property
    def empty(self) -> bool:
        return not self.text


def _is_boundary(ln: Line) -> bool:
    """A line that cannot be inside a table: an annex label, a document title, a 抄送 footer."""
    t = ln.text
    return bool(_ANNEX_LABEL.match(t)) or t.startswith(("抄送", "印发")) or is_title_line(ln)


_ANNEX_LABEL = re.compile(r"^附\s*[件表]\s*\d{0,2}\s*[:：]?")


# --- spaced layout --------------------------------------------------------------------------

# a 序号 cell: '12', '12.', '(12)'
_SEQ_CELL = re.compile(r"[（(]?(\d{1,3})[)）.．、]?")
_NOTE_LINE = re.compile(r"^(备注|注)\s*[:：]")


def _spaced_cells(lines: list[Line], j: int) -> tuple[list[Cell], int]:
    """Every non-gap line is a cell; the table ends at a document boundary, or where two gaps are
    followed by something that is neither a row number nor a heading."""
    cells: list[Cell] = []
    n = len(lines)
    gaps = 0
    while j < n:
        ln = lines[j]
        if _is_gap(ln):
            gaps += 1
            j += 1
            continue
        t = _cell_text(ln)
        if _is_boundary(ln) or not _single_cell(ln) or _NOTE_LINE.match(t):
            break
        if gaps >= 2 and cells and not (_SEQ_CELL.fullmatch(t) or _heading_like(t)):
            break
        gaps = 0
        repeated = find_header(lines, j)  # the header printed again after a page break
        if repeated is not None:
            j = repeated.end
            continue
        cells.append(Cell(t, ln.no, ln.no))
        j += 1
    return cells, j


def _heading_like(text: str) -> bool:
    """A section heading cell: '任务清单', '一、任务清单', '(一)着力降成本', '1.深化改革'."""
    t = nospace(text)
    if not t or len(t) > 40 or "。" in t.rstrip("。"):
        return False
    return bool(numbering_level(t)) or t.endswith("清单")


# --- what a cell holds ----------------------------------------------------------------------

# endings that make a unit name on their own ('税务局'); weak ones need a place prefix or length
# (a 3-character personal name may end in 华/会/园 … but not in 局/委/办)
_STRONG_SUFFIX = re.compile(
    r"(局|委|办|政府|中心|公司|集团|单位|部门|企业|街道|机构|协会|学校|医院|党校|分局|支行|银行|院|厅|署|队|处|所|"
    r"站|部|指挥部|小组)$")
_WEAK_SUFFIX = re.compile(r"(会|区|社|联|行|团|馆|台|组|室|镇|乡|园|场|厂|关|校)$")
_PLACE_PREFIX = re.compile(r"^(县|市|区|省|镇|乡|团)")
# generic groups: '各镇', '各乡镇', '相关县市区', '各成员单位'
_GROUP = re.compile(r"(各|相关|有关)[\u4e00-\u9fff]{0,12}(镇|乡|街道|区|县|市|单位|部门|企业)")
# a post, alone or before a name: '县长', '县委常委', '常务副县长王智刚', '各县市区长'
_POST = re.compile(
    r"(常委|[省市州县区镇乡]长|书记|主任|主席|委员|秘书长|局长|部长|领导|负责人|负责同志|召集人)([\u4e00-\u9fff·]{2,3})?$")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_SEPS = "、，,；;"
# a personal name ('王智刚', '欧阳晨光', '颖' left of a garbled one, '阿依·买买提')
_NAME = re.compile(r"[\u4e00-\u9fff]{1,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,8}")
_HAN_WORDS = re.compile(r"[\u4e00-\u9fff·]{1,16}")
_NAME_BREAKERS = re.compile(r"[。，,;；:：!?！？]")


def _unit_piece(piece: str) -> bool:
    """One name of a unit list ('县发改局', '各镇（街道、中心）', '县林业' cut short)."""
    p = _BRACKETED.sub("", strip_trailing(piece))
    p = p.removesuffix("牵头")
    if _GROUP.fullmatch(p):
        return True
    if len(p) < 3 or len(p) > 30:
        return False
    if _STRONG_SUFFIX.search(p):
        return True
    return bool(_PLACE_PREFIX.match(p)) or (len(p) >= 4 and bool(_WEAK_SUFFIX.search(p)))


@lru_cache(maxsize=4096)
def looks_like_units(text: str) -> bool:
    """A responsibility cell: every piece (the last may be cut off by a line wrap) names a unit."""
    t = nospace(text)
    if not t or "。" in t:
        return False
    pieces = split_top(t, _SEPS)
    if not pieces or any(_POST.search(p) for p in pieces):
        return False
    ok = [_unit_piece(p) for p in pieces]
    return ok[0] and (all(ok) or (len(ok) > 1 and all(ok[:-1])))


@lru_cache(maxsize=4096)
def looks_like_person(text: str) -> bool:
    """A names cell ('王智刚', '罗 静', '相关副县长', '王智刚、王颖异'): short words, no unit list."""
    t = _BRACKETED.sub("", nospace(text))
    if not t or len(t) > 24 or numbering_level(t) or looks_like_units(t):
        return False
    pieces = split_top(t, _SEPS)
    if any(_POST.search(p) for p in pieces):
        return all(_HAN_WORDS.fullmatch(p) for p in pieces)
    return all(_NAME.fullmatch(p) for p in pieces)


def _continues(cell: str, nxt: str) -> bool:
    """Does unit cell ``nxt`` finish ``cell``, cut by a line wrap? Yes when ``cell`` ends in a
    separator, or in a word that is no unit and ``nxt`` does not open with a new unit
    ('县安委办牵头,各负有监管' + '职责行业部门、…')."""
    t, n = nospace(cell), nospace(nxt)
    if not t or not n or looks_like_person(n):
        return False
    if t[-1] in _SEPS:
        return True
    last = split_top(t, _SEPS)[-1:]
    first = split_top(n, _SEPS)[:1]
    return bool(last) and not _unit_piece(last[0]) and not (first and _opens_unit(first[0]))


def _opens_unit(piece: str) -> bool:
    return bool(_PLACE_PREFIX.match(piece) or _GROUP.match(piece))


# --- sections -------------------------------------------------------------------------------


@dataclass
class _Sections:
    """The heading path inside a table; a heading replaces every heading of its rank or below."""

    path: list[tuple[int, str]] = field(default_factory=list)

    def set(self, rank: int, text: str) -> None:
        self.path = [(r, t) for r, t in self.path if r < rank]
        self.path.append((rank, text))

    def names(self) -> list[str]:
        return [t for _, t in self.path]


# --- task fields ----------------------------------------------------------------------------

_LEAD_NUMBER = re.compile(r"^[（(]?(\d{1,3})[)）.．、]\s*(?!\d)")
# a dated deliverable for the whole task: '2024年秋季开学前', '2023年6月底前', '到2023年底'
_DEADLINE = re.compile(
    r"20\d{2}年[^。，,;；、：:]{0,12}?前(?![列沿景期提端置茅])|到20\d{2}年(?:\d{1,2}月)?底")
# 。, or an ASCII full stop after a word (a decimal point or '1.' follows a digit)
_SENTENCE_END = re.compile(r"。|(?<=[\u4e00-\u9fff”）)%])\.")


def first_sentence(text: str) -> str:
    """The task title: text up to and including the first full stop (。, or an ASCII '.' between
    words in documents typed with ASCII punctuation)."""
    m = _SENTENCE_END.search(text)
    return text[: m.end()] if m else text


def split_number(text: str) -> tuple[str | None, str]:
    """'（12）严格落实…' -> ('12', '严格落实…')."""
    m = _LEAD_NUMBER.match(text)
    if not m:
        return None, text
    return m.group(1), text[m.end():]


def whole_task_deadline(text: str) -> str | None:
    """The one dated deadline stated in the task text ('2024年秋季开学前'); undated sub-steps
    ('3月底前') do not count, and several dates name no single deadline."""
    found = _DEADLINE.findall(nospace(text))
    return found[0] if len(found) == 1 else None


@dataclass
class _Row:
    """What one table row says, before it becomes a :class:`Task`."""

    line: int
    end_line: int
    seq: str | None = None
    name: str = ""
    content: str = ""
    unit_cells: list[str] = field(default_factory=list)
    lead_cells: list[str] = field(default_factory=list)
    person_cells: list[str] = field(default_factory=list)
    leader_cells: list[str] = field(default_factory=list)
    deadline: str | None = None
    progress: str | None = None


def _people(cells: list[str]) -> list[str]:
    out: list[str] = []
    for c in cells:
        out.extend(split_people(c))
    return out


def _to_task(row: _Row, section: list[str], outline: Outline) -> Task:
    seq, content = row.seq, row.content
    num, rest = split_number(content)
    if num is not None:
        content = rest
        seq = seq or num
    title = row.name or first_sentence(content)
    units: list[str] = []
    leads: list[str] = []
    for c in row.lead_cells:
        named = split_units(c)
        units.extend(named)
        leads.extend(named)
    for c in row.unit_cells:
        resp = parse_responsibility(c)
        units.extend(resp.units)
        leads.extend(resp.lead_units)
    text = "".join(x for x in (row.name, content) if x)
    return Task(
        line=row.line,
        plan=outline.plan_at(row.line),
        source="table",
        section=list(section),
        seq=seq,
        title=title,
        units=units,
        lead_units=leads,
        persons=_people(row.person_cells),
        leaders=_people(row.leader_cells),
        deadline=row.deadline or whole_task_deadline(text),
        progress=row.progress or None,
        text=text,
        end_line=row.end_line,
    )


# --- spaced rows ----------------------------------------------------------------------------

_TIME_CELL = re.compile(r"20\d{2}\s*年|\d{1,2}\s*月|年底|年内|季度|全年|长期|持续|前$")
_PROGRESS_CELL = re.compile(r"已|正在|完成|推进|进行|开工|竣工|启动|%")


def _heading_at(cells: list[Cell], k: int, has_seq: bool, row: list[Cell] | None) -> bool:
    """Is ``cells[k]`` a heading row? With a 序号 column it must lead to the next row number;
    without one it must come where a row has ended (after its units)."""
    text = cells[k].text
    if looks_like_units(text):
        return False
    if not _heading_like(text):  # an unnumbered heading: a title between a finished row and a 序号
        return (has_seq and row is not None and _row_has_units(row) and _plain_heading(text)
                and k + 1 < len(cells) and bool(_SEQ_CELL.fullmatch(cells[k + 1].text)))
    if not has_seq:  # a numbered task followed by its units is a row, not a heading
        after = cells[k + 1].text if k + 1 < len(cells) else ""
        return (row is None or _row_has_units(row)) and not looks_like_units(after)
    return _leads_to_row(cells, k)


def _leads_to_row(cells: list[Cell], k: int) -> bool:
    """Only headings stand between ``cells[k]`` and the next 序号 (or the end of the table)."""
    for c in cells[k + 1:]:
        if _SEQ_CELL.fullmatch(c.text):
            return True
        if not _heading_like(c.text):
            return False
    return True


def _closes_table(cells: list[Cell], k: int, row: list[Cell] | None) -> bool:
    """A heading where a row could end that leads to no further row ('三、保障措施' after the
    table and a single blank line): the table is over."""
    text = cells[k].text
    return (row is not None and _row_has_units(row) and _heading_like(text)
            and not looks_like_units(text) and not _leads_to_row(cells, k))


def _plain_heading(text: str) -> bool:
    """'产业发展类': a few words, not a name, a date or a progress note."""
    t = nospace(text)
    return (len(t) >= 5 and _name_like(t) and not looks_like_person(t)
            and not _TIME_CELL.search(t) and not _PROGRESS_CELL.search(t))


def _row_has_units(row: list[Cell]) -> bool:
    return any(looks_like_units(c.text) for c in row[1:])


def _starts_row(cell: Cell, row: list[Cell] | None) -> bool:
    """Without a 序号 column, a task text after a row's units starts the next row."""
    if row is None:
        return True
    t = cell.text
    return bool(t) and _row_has_units(row) and not looks_like_units(t) and not looks_like_person(t)


def segment_spaced(cells: list[Cell], has_seq: bool) -> list[tuple[str, list[Cell]]]:
    """Split the cell stream into ('heading', [cell]) and ('row', cells) items."""
    items: list[tuple[str, list[Cell]]] = []
    row: list[Cell] | None = None
    for k, c in enumerate(cells):
        if has_seq and _SEQ_CELL.fullmatch(c.text):
            row = [c]
            items.append(("row", row))
        elif has_seq and _closes_table(cells, k, row):
            break
        elif _heading_at(cells, k, has_seq, row):
            row = None
            items.append(("heading", [c]))
        elif not has_seq and _starts_row(c, row):
            row = [c]
            items.append(("row", row))
        elif row is not None:
            row.append(c)
    return items


def _name_and_content(cells: list[Cell]) -> tuple[str, str]:
    """A short label before the description ('总体目标' / '全县产业…。') is the task's name; a label
    wrapped over lines ('推进教育高' + '质量发展') is joined."""
    k = 0
    while k < len(cells) - 1 and _name_like(cells[k].text):
        k += 1
    if k and _sentence_like(cells[k].text):
        return "".join(c.text for c in cells[:k]), "".join(c.text for c in cells[k:])
    return "", "".join(c.text for c in cells)


def _name_like(text: str) -> bool:
    t = nospace(text)
    return 0 < len(t) <= 20 and not _NAME_BREAKERS.search(t)


def _sentence_like(text: str) -> bool:
    return len(text) > 20 or bool(re.search(r"[。，,;；]", text))


def read_spaced_row(cells: list[Cell], roles: list[str]) -> _Row | None:
    """Read a row by what its cells look like: task text up to the first unit list, then unit
    lists (a wrapped list is re-joined), then names (people), then anything else."""
    has_seq = SEQ in roles
    m = _SEQ_CELL.fullmatch(cells[0].text) if has_seq else None
    seq = m.group(1) if m else None
    body = cells[1:] if has_seq else cells
    if not body or body[0].empty:
        return None
    k = _first_units(body)
    task_cells = [c for c in body[:k] if not c.empty]
    name, content = _name_and_content(task_cells)
    row = _Row(line=cells[0].line, end_line=cells[-1].end_line, seq=seq, name=name, content=content)
    unit_slots = sum(r in _UNIT_ROLES for r in roles)
    groups: list[str] = [""] * min(_empties_before(body, k), unit_slots - 1)  # an empty 牵头单位
    people: list[str] = []
    rest: list[str] = []
    for i, c in enumerate(body[k:]):
        t = c.text
        if groups and not people and _continues(groups[-1], t):
            groups[-1] += t
        elif i == 0 or looks_like_units(t) or (not t and not people and len(groups) < unit_slots - 1):
            groups.append(t)  # an empty cell in a unit column keeps the columns apart
        elif DEADLINE in roles and t and _TIME_CELL.search(t) and len(t) <= 20:
            row.deadline = t
        elif PROGRESS in roles and t and _PROGRESS_CELL.search(t):
            rest.append(t)
        elif not t or looks_like_person(t):
            people.append(t)
        else:
            rest.append(t)
    _assign_units(row, groups, roles)
    _assign_people(row, people, roles)
    if rest:
        if name:  # a merged row: further sub-items of the same numbered task
            row.content += "".join(rest)
        elif PROGRESS in roles:
            row.progress = "".join(rest)
        else:
            row.content += "".join(rest)
    return row


def _empties_before(body: list[Cell], k: int) -> int:
    n = 0
    while k - n - 1 > 0 and body[k - n - 1].empty:
        n += 1
    return n


def _first_units(body: list[Cell]) -> int:
    """Index of the first unit cell; the first cell is always task text. When no cell looks like
    a unit list (names outside our vocabulary), the last short text cell stands in for it."""
    for k in range(1, len(body)):
        if looks_like_units(body[k].text):
            return k
    for k in range(len(body) - 1, 0, -1):
        t = body[k].text
        if t and "。" not in t and len(t) <= 60 and not looks_like_person(t):
            return k
    return len(body)


def _assign_units(row: _Row, groups: list[str], roles: list[str]) -> None:
    if LEAD in roles and UNITS in roles and roles.index(LEAD) < roles.index(UNITS):
        row.lead_cells, row.unit_cells = groups[:1], groups[1:]
    elif LEAD in roles and UNITS not in roles:
        row.lead_cells = groups
    else:
        row.unit_cells = groups
    row.lead_cells = [g for g in row.lead_cells if g]
    row.unit_cells = [g for g in row.unit_cells if g]


def _assign_people(row: _Row, people: list[str], roles: list[str]) -> None:
    if PERSON in roles and LEADER in roles:
        first, later = people[:1], people[1:]
        if roles.index(PERSON) < roles.index(LEADER):
            row.person_cells, row.leader_cells = first, later
        else:
            row.leader_cells, row.person_cells = first, later
    elif LEADER in roles:
        row.leader_cells = people
    elif PERSON in roles:
        row.person_cells = people
    row.person_cells = [p for p in row.person_cells if p]
    row.leader_cells = [p for p in row.leader_cells if p]


def _extract_spaced(lines: list[Line], header: Header, outline: Outline) -> tuple[list[Task], int]:
    cells, end = _spaced_cells(lines, header.end)
    sections = _Sections()
    tasks: list[Task] = []
    for kind, group in segment_spaced(cells, SEQ in header.roles):
        if kind == "heading":
            text = group[0].text
            sections.set(numbering_level(nospace(text)), text)
            continue
        row = read_spaced_row(group, header.roles)
        if row is not None:
            tasks.append(_to_task(row, sections.names(), outline))
    return tasks, end


# --- tabbed rows ----------------------------------------------------------------------------


def tabbed_rows(lines: list[Line], j: int) -> tuple[list[list[Cell]], int]:
    """Rows of TAB cells split at gaps; a line without TAB continues the cell above, even across
    a gap. Two gaps followed by a line without TAB end the table."""
    rows: list[list[Cell]] = []
    row: list[Cell] | None = None
    gaps = 0
    n = len(lines)
    while j < n:
        ln = lines[j]
        if _is_gap(ln):
            gaps += 1
            j += 1
            continue
        if ln.raw.startswith("\t") and _single_cell(ln):
            if gaps or row is None:
                row = []
                rows.append(row)
            row.append(Cell(_cell_text(ln), ln.no, ln.no))
        elif row and gaps < 2 and _single_cell(ln) and not _is_boundary(ln):
            row[-1].text += _cell_text(ln)
            row[-1].end_line = ln.no
        else:
            break
        gaps = 0
        j += 1
    return rows, j


def _is_header_row(cells: list[Cell]) -> bool:
    filled = [c for c in cells if not c.empty]
    return bool(filled) and all(column_role(c.text) for c in filled)


def _is_note_row(cells: list[Cell]) -> bool:
    filled = [c for c in cells if not c.empty]
    return bool(filled) and (filled[0].text == "备注" or bool(_NOTE_LINE.match(filled[0].text)))


def read_tabbed_row(cells: list[Cell], roles: list[str], sections: _Sections) -> _Row | None:
    """Fixed columns are read from both ends; the cells left in the middle belong to the task
    column: the last is the task, the ones before it are outline levels (empty = unchanged).
    A row short of cells has lost its trailing empty cells and is read from the left."""
    first = roles.index(CONTENT)
    last = len(roles) - 1 - roles[::-1].index(CONTENT)
    left, right = roles[:first], roles[last + 1:]
    filled = [c for c in cells if not c.empty]
    if len(filled) == 1 and _heading_like(filled[0].text) and not looks_like_units(filled[0].text):
        sections.set(-99, filled[0].text)  # a heading row
        return None
    short = len(cells) < len(left) + len(right) + 1
    if short and len(cells) <= len(left):
        return None
    stop = len(left) + 1 if short else len(cells) - len(right)
    middle = cells[len(left): stop]
    for p, c in enumerate(middle[:-1]):
        if not c.empty:
            sections.set(-(len(middle) - 1 - p), c.text)
    task = middle[-1]
    if task.empty:
        return None
    row = _Row(line=task.line, end_line=cells[-1].end_line, content=task.text)
    fixed = list(zip(left, cells[: len(left)], strict=True))
    fixed += list(zip(right, cells[stop:], strict=False))
    for role, c in fixed:
        _put(row, role, c)
    return row


def _put(row: _Row, role: str, cell: Cell) -> None:
    t = cell.text
    if not t:
        return
    if role == SEQ:
        row.seq, row.line = t, cell.line
    elif role == LEAD:
        row.lead_cells.append(t)
    elif role == UNITS:
        row.unit_cells.append(t)
    elif role == PERSON:
        row.person_cells.append(t)
    elif role == LEADER:
        row.leader_cells.append(t)
    elif role == DEADLINE:
        row.deadline = t
    elif role == PROGRESS:
        row.progress = t


def _extract_tabbed(lines: list[Line], header: Header, outline: Outline) -> tuple[list[Task], int]:
    rows, end = tabbed_rows(lines, header.end)
    sections = _Sections()
    tasks: list[Task] = []
    for cells in rows:
        if _is_header_row(cells) or _is_note_row(cells):
            continue
        row = read_tabbed_row(cells, header.roles, sections)
        if row is not None:
            tasks.append(_to_task(row, sections.names(), outline))
    return tasks, end


# --- the pass -------------------------------------------------------------------------------


def find_header(lines: list[Line], i: int) -> Header | None:
    ln = lines[i]
    if len(ln.text) > 12 or _is_gap(ln) or not column_role(ln.text) or not _single_cell(ln):
        return None
    return read_header(lines, i)


def extract(lines: list[Line], outline: Outline) -> list[Task]:
    """Tasks of every flattened responsibility table in the file, one per numbered row."""
    tasks: list[Task] = []
    i, n = 0, len(lines)
    while i < n:
        header = find_header(lines, i)
        if header is None:
            i += 1
            continue
        reader = _extract_tabbed if header.tabbed else _extract_spaced
        found, i = reader(lines, header, outline)
        if _first_unit_note(lines[header.end: i + 6]):
            for t in found:
                if t.units and not t.lead_units:
                    t.lead_units = t.units[:1]
        tasks.extend(found)
    return tasks


def _first_unit_note(lines: list[Line]) -> bool:
    """'备注：各单项工作排第一的为牵头单位' in or just under the table."""
    return any(_NOTE_LINE.match(ln.text) and first_unit_leads(ln.text) for ln in lines)
