"""Pass: tab-separated responsibility tables (责任分解表 / 任务清单 written one row per line).

A table starts at a header row — 序号 plus a responsibility column (责任单位, 牵头单位, 责任人,
责任领导, 召集人 …) — and runs over blank lines and repeated headers (page breaks) until the next
line of prose. Columns are mapped by their header words, so unseen layouts such as
``序号 | 工作任务 | 牵头单位 | 责任单位 | 召集人 | 完成时限 | 工作进度`` need no new code.

Row kinds: section rows (heading in the first cell, other cells empty), 备注 rows ("排第一的为牵头
单位" makes the first unit of every row the lead), task rows, and continuation rows (vertically
merged cells: a sub-item with empty 序号, or empty responsibility cells that inherit the row above).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from duban.ingest.model import Task
from duban.ingest.structure import Outline, numbering_level
from duban.ingest.text import SPACES, Line, nospace, strip_markup
from duban.ingest.units import Responsibility, first_unit_leads, parse_responsibility, split_people

# header words → column role; checked in this order on the header cell without spaces
_ROLES = [
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("note", re.compile(r"^备注")),
    ("leaders", re.compile(r"领导|召集人")),
    ("persons", re.compile(r"责任人$|负责人$|联系人$")),
    ("lead", re.compile(r"牵头.*(?:单位|部门)|主责单位|主办单位")),
    ("units", re.compile(r"单位|部门")),
    ("deadline", re.compile(r"时限|时间|期限|节点")),
    ("progress", re.compile(r"进度|进展|完成情况")),
    ("task", re.compile(r"任务|内容|措施|举措|事项|项目|工作|目标|名称|指标")),
]
_RESP_ROLES = {"lead", "units", "persons", "leaders"}
_SEQ = re.compile(r"^\d{1,3}$")
_ITEM_NUM = re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*")
_NOTE = re.compile(r"^(?:备\s*注|注\s*[:：]|说\s*明\s*[:：])")
_DEADLINE = re.compile(r"(?:到\s*)?\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:年\s*)?底\s*前?")
_BOLD_LEAD = re.compile(r"^(?:<p>)?\s*(?:<b>|\*\*)(.+?)(?:</b>|\*\*)")


def cells_of(raw: str) -> list[str]:
    """Cells of a tab-separated row, markup removed and stripped."""
    return [strip_markup(c).strip(SPACES) for c in raw.split("\t")]


def header_roles(cells: list[str]) -> list[str | None] | None:
    """Role of every header cell, or None when the row is not a responsibility-table header."""
    roles: list[str | None] = []
    for c in cells:
        key = nospace(c)
        roles.append(next((role for role, rx in _ROLES if key and rx.search(key)), None))
    if "seq" not in roles or not _RESP_ROLES & set(roles):
        return None
    return roles


@dataclass
class Columns:
    """Where each role sits in a row; empty header cells after the task column widen the task span."""

    seq: int | None
    task: tuple[int, int]  # first and last cell of the task text
    units: list[tuple[int, bool]]  # (index, is 牵头单位 column)
    persons: int | None
    leaders: int | None
    deadline: int | None
    progress: int | None
    last: int  # last named column: cells beyond it mean the row is shifted right

    @classmethod
    def from_roles(cls, roles: list[str | None]) -> Columns:
        idx = {r: i for i, r in reversed(list(enumerate(roles))) if r}
        named = [i for i, r in enumerate(roles) if r]
        first_resp = min((i for i, r in enumerate(roles) if r in _RESP_ROLES | {"deadline", "progress"}),
                         default=len(roles))
        start = idx.get("task", (idx["seq"] + 1))
        return cls(
            seq=idx.get("seq"),
            task=(start, max(start, first_resp - 1)),
            units=[(i, r == "lead") for i, r in enumerate(roles) if r in ("lead", "units")],
            persons=idx.get("persons"),
            leaders=idx.get("leaders"),
            deadline=idx.get("deadline"),
            progress=idx.get("progress"),
            last=max(named),
        )


@dataclass
class _Row:
    """One task row's responsibility, kept apart until the table's 备注 is known."""

    resp: Responsibility
    persons: list[str]
    leaders: list[str]


@dataclass
class _Pending:
    task: Task
    rows: list[_Row] = field(default_factory=list)


def _get(cells: list[str], i: int | None) -> str:
    return cells[i] if i is not None and 0 <= i < len(cells) else ""


def title_of(text: str, raw: str = "") -> str:
    """First sentence up to the first 。, or the bold lead-in when the cell has one."""
    m = _BOLD_LEAD.match(raw.strip(SPACES))
    if m and strip_markup(m.group(1)).strip(SPACES):
        return strip_markup(m.group(1)).strip(SPACES)
    cut = text.find("。")
    return text[: cut + 1] if cut >= 0 else text


def deadline_in(text: str) -> str | None:
    """A whole-task deadline written in the task text ('2023 年 6 月底前', '到 2023 年底')."""
    found = _DEADLINE.findall(text)
    return found[0].strip(SPACES) if len(found) == 1 else None


class _TableReader:
    """Reads one table: rows in order, section stack, category labels, merged cells."""

    def __init__(self, outline: Outline):
        self.outline = outline
        self.cols: Columns | None = None
        self.sections: list[tuple[int, str]] = []
        self.category: str | None = None  # label cell before numbered items ('省定民生实事')
        self.categorised = False
        self.pending: list[_Pending] = []
        self.first_leads = False
        self.prev_resp: tuple[list[str], str, str] | None = None
        self.numbered = False  # the table has used its 序号 column
        self._prev_units: list[tuple[str, bool]] = []

    # -- row kinds
    def feed(self, ln: Line, cells: list[str]) -> None:
        roles = header_roles(cells)
        if roles:
            self.cols = Columns.from_roles(roles)
            return
        if self.cols is None or not any(cells):
            return
        filled = [i for i, c in enumerate(cells) if c]
        first = cells[filled[0]]
        if _NOTE.match(first):
            self.first_leads = self.first_leads or first_unit_leads(first)
            return
        if len(filled) == 1 and self._is_section(filled[0], first):
            self._section(first)
            return
        self._data_row(ln, cells)

    def _is_section(self, i: int, text: str) -> bool:
        cols = self.cols
        if _SEQ.match(text):
            return False
        if i == cols.seq or i < cols.task[0]:
            return not (self.categorised and numbering_level(text) == 0)
        return i <= cols.task[1] and numbering_level(text) in (1, 2)

    def _section(self, text: str) -> None:
        if self.categorised and numbering_level(text) == 0 and self.pending:
            self.pending[-1].task.text += "\n" + text
            return
        level = numbering_level(text)
        while self.sections and (level == 0 or self.sections[-1][0] >= level):
            self.sections.pop()
        self.sections.append((level, text))
        self.category = None

    # -- data rows
    def _data_row(self, ln: Line, cells: list[str]) -> None:
        cols = self.cols
        last_filled = max(i for i, c in enumerate(cells) if c)
        shift = max(0, last_filled - cols.last)

        def at(i: int | None) -> str:
            return _get(cells, None if i is None else i + shift)

        seq = _get(cells, cols.seq)
        span_raw = [(cells[i], raw) for i, raw in enumerate(ln.raw.split("\t"))
                    if cols.task[0] <= i <= cols.task[1] + shift and i < len(cells) and cells[i]]
        unit_cells = [(at(i), lead) for i, lead in cols.units]
        resp_cells = ("\n".join(c for c, _ in unit_cells), at(cols.persons), at(cols.leaders))
        if not any(resp_cells) and self.prev_resp:
            unit_cells = self._prev_units
            resp_cells = self.prev_resp
        else:
            self._prev_units = unit_cells
            self.prev_resp = resp_cells
        row = _Row(self._responsibility(unit_cells), split_people(resp_cells[1]), split_people(resp_cells[2]))

        texts = [t for t, _ in span_raw]
        item = next((k for k, t in enumerate(texts) if _ITEM_NUM.match(t)), None)
        if item is not None and (item > 0 or not seq):
            if item > 0:
                self.category, self.categorised = " ".join(texts[:item]), True
            m = _ITEM_NUM.match(texts[item])
            body = texts[item][m.end():]
            self._new_task(ln, m.group(1), title_of(body, span_raw[item][1][m.end():]),
                           " ".join([body, *texts[item + 1:]]), row, at(cols.deadline), at(cols.progress))
            return
        if self.categorised and texts and (not seq or texts[0] == self.category):
            rest = texts[1:] if texts[0] == self.category else texts
            self._continue(ln, rest, row)
            return
        if not seq and self.numbered and self.pending:
            self._continue(ln, texts, row)
            return
        if not texts:
            return
        self.numbered = self.numbered or bool(seq)
        self._new_task(ln, seq or None, title_of(texts[0], span_raw[0][1]), " ".join(texts), row,
                       at(cols.deadline), at(cols.progress))

    def _responsibility(self, unit_cells: list[tuple[str, bool]]) -> Responsibility:
        resp = Responsibility()
        for text, lead_col in unit_cells:
            got = parse_responsibility(text)
            resp.add(got.units, lead=lead_col)
            resp.add(got.lead_units, lead=True)
        return resp

    def _new_task(self, ln: Line, seq: str | None, title: str, text: str, row: _Row,
                  deadline: str, progress: str) -> None:
        section = [s for _, s in self.sections] + ([self.category] if self.category else [])
        task = Task(
            line=ln.no,
            plan=self.outline.plan_at(ln.no),
            source="table",
            section=section,
            seq=seq,
            title=title,
            deadline=deadline or deadline_in(text),
            progress=progress or None,
            text=text,
            end_line=ln.no,
        )
        self.pending.append(_Pending(task, [row]))

    def _continue(self, ln: Line, texts: list[str], row: _Row) -> None:
        if not self.pending:
            return
        p = self.pending[-1]
        if texts:
            p.task.text += "\n" + " ".join(texts)
        p.task.end_line = ln.no
        p.rows.append(row)

    # -- result
    def tasks(self) -> list[Task]:
        """Tasks with units, leads, persons and leaders merged over their rows (duplicates dropped)."""
        out = []
        for p in self.pending:
            t = p.task
            for row in p.rows:
                leads = row.resp.lead_units or (row.resp.units[:1] if self.first_leads else [])
                _extend(t.units, row.resp.units)
                _extend(t.lead_units, leads)
                if len(p.rows) == 1:
                    t.persons, t.leaders = list(row.persons), list(row.leaders)
                else:
                    _extend(t.persons, row.persons)
                    _extend(t.leaders, row.leaders)
            out.append(t)
        return out


def _extend(acc: list[str], names: list[str]) -> None:
    for n in names:
        if n not in acc:
            acc.append(n)


def extract(lines: list[Line], outline: Outline) -> list[Task]:
    """Tasks of every tab-separated responsibility table in the file."""
    out: list[Task] = []
    reader: _TableReader | None = None
    for ln in lines:
        if "\t" in ln.raw:
            cells = cells_of(ln.raw)
            if reader is None:
                if header_roles(cells) is None:
                    continue
                reader = _TableReader(outline)
            reader.feed(ln, cells)
        elif ln.text and reader is not None:
            out.extend(reader.tasks())
            reader = None
    if reader is not None:
        out.extend(reader.tasks())
    return out
