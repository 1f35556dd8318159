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

from duban.ingest.hanzi import simplify
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
    ("units", re.compile(r"单位|部门|责任主体")),
    ("deadline", re.compile(r"时限|时间|期限|节点")),
    ("progress", re.compile(r"进度|进展|完成情况")),
    ("task", re.compile(r"任务|内容|措施|举措|事项|项目|工作|目标|名称|指标")),
]
_RESP_ROLES = {"lead", "units", "persons", "leaders"}
_SEQ = re.compile(r"^\d{1,3}$")
_ITEM_NUM = re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*")
_ITEM_NUM_RAW = re.compile(r"^(\s*(?:<[pb]>|\*\*)*)\s*\d{1,3}\s*[.．、]\s*")
_NOTE = re.compile(r"^(?:备\s*注|注\s*[:：]|说\s*明\s*[:：])")
_DEADLINE = re.compile(r"(?:到\s*)?\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:年\s*)?底\s*前?")
_ASCII_STOP = re.compile(r"(?<![\dA-Za-z])\.(?![\dA-Za-z])")
# lines a page break leaves inside a table: page numbers ('- 12 -', '—3—') and '续表'
_PAGE_NOISE = re.compile(r"^(?:[-—–－\s]*\d{1,3}[-—–－\s]*|续表\s*\d*[:：]?)$")
_BOLD_LEAD = re.compile(r"^(?:<p>)?\s*(?:<b>|\*\*)(.+?)(?:</b>|\*\*)")


def cells_of(raw: str) -> list[str]:
    """Cells of a tab-separated row, markup removed and stripped (read as simplified characters)."""
    return [simplify(strip_markup(c) if "<" in c or "*" in c else c).strip(SPACES) for c in raw.split("\t")]


_PIPE_RULE = re.compile(r"^[\s|:\-—]*$")


def pipe_row(ln: Line) -> Line | None:
    """A row written with '|' between cells ('1 | 地区生产总值 | 增长5.5% | 区发改经信局 | …'), as
    a tab-separated line; None when the line is not one (fewer than three cells, a '|---|' rule)."""
    if ln.text.count("|") < 2 or "\t" in ln.raw or _PIPE_RULE.match(ln.text):
        return None
    cells = ln.text.strip().strip("|").split("|")
    if len(cells) < 3:
        return None
    return Line(ln.no, "\t".join(c.strip(SPACES) for c in cells), ln.text, ln.heading, ln.bold)


def cell_role(cell: str) -> str | None:
    """Column role named by one header cell ('主要责任单位' → units, '召集人' → leaders)."""
    key = nospace(cell)
    return next((role for role, rx in _ROLES if key and rx.search(key)), None)


def header_roles(cells: list[str]) -> list[str | None] | None:
    """Role of every header cell, or None when the row is not a responsibility-table header."""
    if not any(("序" in c or "编号" in c) and nospace(c) in ("序号", "编号", "序") for c in cells):
        return None
    roles = [cell_role(c) for c in cells]
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
    last: int  # last non-empty header cell: filled cells beyond it mean the row is shifted right

    @classmethod
    def from_header(cls, headers: list[str], roles: list[str | None]) -> Columns:
        idx = {r: i for i, r in reversed(list(enumerate(roles))) if r}
        first_resp = min(
            (i for i, r in enumerate(roles) if r in _RESP_ROLES | {"deadline", "progress"}),
            default=len(roles),
        )
        start = idx["task"] if "task" in idx else idx.get("seq", -1) + 1
        return cls(
            seq=idx.get("seq"),
            task=(start, max(start, first_resp - 1)),
            units=[(i, r == "lead") for i, r in enumerate(roles) if r in ("lead", "units")],
            persons=idx.get("persons"),
            leaders=idx.get("leaders"),
            deadline=idx.get("deadline"),
            progress=idx.get("progress"),
            last=max(i for i, r in enumerate(roles) if r or headers[i]),
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
    """First sentence up to the first 。 (an ASCII full stop where the text has no 。), or the
    bold lead-in when the cell opens with one."""
    m = _BOLD_LEAD.match(raw.strip(SPACES))
    if m and strip_markup(m.group(1)).strip(SPACES):
        return strip_markup(m.group(1)).strip(SPACES)
    cut = text.find("。")
    if cut < 0:
        m = _ASCII_STOP.search(text)
        cut = m.start() if m else -1
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
        self.numbered = False  # the table has used its 序号 column
        self._last_key: tuple[str, str] | None = None  # (序号, task text) of the last task started
        self._header: tuple[list[str], list[str | None]] | None = None  # the row just read, if a header
        self._last_cells: tuple[list[tuple[str, bool]], str, str] | None = None

    # -- row kinds
    def feed(self, ln: Line, cells: list[str]) -> None:
        roles = header_roles(cells)
        if roles:
            self.cols = Columns.from_header(cells, roles)
            self._header = (cells, roles)
            return
        if self.cols is None or not any(cells):
            return
        header, self._header = self._header, None
        if header and self._refine_header(header, cells):
            return
        filled = [i for i, c in enumerate(cells) if c]
        first = cells[filled[0]]
        if _NOTE.match(first):
            self.first_leads = self.first_leads or first_unit_leads(first)
            return
        if len(filled) == 1 and self._is_section(filled[0], first):
            self._section(first)
        elif len(filled) == 1 and filled[0] < self.cols.task[0] and self.categorised and self.pending:
            self.pending[-1].task.text += "\n" + first  # a stray sub-item cell ('开展困难老年人…')
        else:
            self._data_row(ln, cells)

    def _refine_header(self, header: tuple[list[str], list[str | None]], cells: list[str]) -> bool:
        """A second header row under a merged cell ('责任主体' over '牵头单位 | 配合单位')."""
        sub = [cell_role(c) if c else None for c in cells]
        if not _RESP_ROLES & set(sub) or any(
            c and (r in (None, "seq") or len(c) > 10 or numbering_level(c))
            for c, r in zip(cells, sub, strict=False)
        ):
            return False
        head_cells, roles = header
        roles = [sub[i] if i < len(sub) and sub[i] and r != "seq" else r for i, r in enumerate(roles)]
        head_cells = [cells[i] if i < len(cells) and cells[i] else c for i, c in enumerate(head_cells)]
        self.cols = Columns.from_header(head_cells, roles)
        return True

    def _is_section(self, i: int, text: str) -> bool:
        """A lone heading in the 序号 column, or a numbered 一、/（一） heading in the task column;
        in a table of categorised items an unnumbered lone cell is a stray sub-item instead."""
        cols = self.cols
        if _SEQ.match(text):
            return False
        if i == cols.seq or i < cols.task[0]:
            return not (self.categorised and numbering_level(text) == 0)
        return i <= cols.task[1] and numbering_level(text) in (1, 2)

    def _section(self, text: str) -> None:
        level = numbering_level(text)
        while self.sections and (level == 0 or self.sections[-1][0] >= level):
            self.sections.pop()
        self.sections.append((level, text))
        self.category = None

    # -- data rows
    def _data_row(self, ln: Line, cells: list[str]) -> None:
        cols = self.cols
        # a row with more filled cells than the header has columns is shifted right (an extra
        # sub-item cell inside the task span): its responsibility cells sit ``shift`` further on
        shift = max(0, max(i for i, c in enumerate(cells) if c) - cols.last)

        def at(i: int | None) -> str:
            return _get(cells, None if i is None else i + shift)

        row = self._row_responsibility(
            [(at(i), lead) for i, lead in cols.units], at(cols.persons), at(cols.leaders)
        )
        seq = _get(cells, cols.seq).rstrip(".．、")
        raws = ln.raw.split("\t")
        span = [
            (cells[i], raws[i])
            for i in range(cols.task[0], min(cols.task[1] + shift + 1, len(cells)))
            if cells[i]
        ]
        texts = [t for t, _ in span]
        item = next((k for k, t in enumerate(texts) if _ITEM_NUM.match(t)), None)
        if item is not None and (item > 0 or not seq):
            # an item numbered inside the task text ('1.启动…'); cells before it are a category label
            if item > 0:
                self.category, self.categorised = " ".join(texts[:item]), True
            m = _ITEM_NUM.match(texts[item])
            if self._repeats((m.group(1), texts[item])):
                self._continue(ln, texts[item + 1 :], row)
                return
            body = texts[item][m.end() :]
            title = title_of(body, _ITEM_NUM_RAW.sub(r"\1", span[item][1], count=1))
            self._new_task(
                ln,
                m.group(1),
                title,
                " ".join([body, *texts[item + 1 :]]),
                row,
                at(cols.deadline),
                at(cols.progress),
            )
        elif self.categorised and texts and (not seq or texts[0] == self.category):
            # a sub-item of the current item (the category label repeats after a page break)
            self._continue(ln, texts[1:] if texts[0] == self.category else texts, row)
        elif not seq and self.numbered and self.pending:
            self._continue(ln, texts, row)  # a cell broken over rows / vertically merged rows
        elif texts and self._repeats((seq, texts[0])):
            self._continue(ln, texts[1:], row)
        elif texts:
            self.numbered = self.numbered or bool(seq)
            self._new_task(
                ln,
                seq or None,
                title_of(texts[0], span[0][1]),
                " ".join(texts),
                row,
                at(cols.deadline),
                at(cols.progress),
            )

    def _repeats(self, key: tuple[str, str]) -> bool:
        """Same 序号 and task text as the task before: a cell merged down over several rows
        (.docx/.xlsx repeat it in every row), so this row adds to that task."""
        again = bool(self.pending) and key == self._last_key
        self._last_key = key
        return again

    def _row_responsibility(self, unit_cells: list[tuple[str, bool]], persons: str, leaders: str) -> _Row:
        """The row's responsibility; all cells empty means merged with the row above: inherit it."""
        cells = (unit_cells, persons, leaders)
        if not any(c for c, _ in unit_cells) and not persons and not leaders and self._last_cells:
            cells = self._last_cells
        self._last_cells = cells
        unit_cells, persons, leaders = cells
        return _Row(self._responsibility(unit_cells), split_people(persons), split_people(leaders))

    @staticmethod
    def _responsibility(unit_cells: list[tuple[str, bool]]) -> Responsibility:
        resp = Responsibility()
        for text, lead_col in unit_cells:
            got = parse_responsibility(text)
            resp.add(got.units, lead=lead_col)
            resp.add(got.lead_units, lead=True)
        return resp

    def _new_task(
        self, ln: Line, seq: str | None, title: str, text: str, row: _Row, deadline: str, progress: str
    ) -> None:
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
        if "|" in ln.text and "\t" not in ln.raw:
            ln = pipe_row(ln) or ln
        if "\t" in ln.raw:
            cells = cells_of(ln.raw)
            if reader is None:
                if header_roles(cells) is None:
                    continue
                reader = _TableReader(outline)
            reader.feed(ln, cells)
        elif ln.text and reader is not None and not _PAGE_NOISE.match(ln.text):
            if _NOTE.match(ln.text):  # a 备注 written under the table, not in it
                reader.first_leads = reader.first_leads or first_unit_leads(ln.text)
            out.extend(reader.tasks())
            reader = None
    if reader is not None:
        out.extend(reader.tasks())
    return out
