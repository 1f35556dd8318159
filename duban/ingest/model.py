"""Records produced by the parser; they serialise to the gold JSON schema (data/gold/SCHEMA.md).

Every record carries ``line``: the 1-based line of the source text it was read from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Document:
    """A plan document inside the file: the notice (通知), the 总体方案, every annex (附件N)."""

    line: int
    title: str
    kind: str  # 通知|总体方案|工作方案|实施方案|名单|责任分解表|任务清单|项目清单
    annex: int | str | None = None
    end_line: int | None = None  # last line that belongs to this document (not serialised)

    def to_json(self) -> dict:
        return {"line": self.line, "annex": self.annex, "title": self.title, "kind": self.kind}


@dataclass
class Target:
    """A quantitative target (主要目标/主要指标): indicator, measure, value, unit, qualifier."""

    line: int
    plan: str
    indicator: str
    measure: str
    value: float
    unit: str
    qualifier: str | None
    text: str

    def to_json(self) -> dict:
        d = asdict(self)
        if isinstance(self.value, float) and self.value.is_integer():
            d["value"] = int(self.value)
        return d


@dataclass
class Team:
    """A 工作专班 / 领导小组: convener (召集人/组长), deputies, office (办公室设在), members."""

    line: int
    plan: str
    name: str
    convener: str | None = None
    deputy_conveners: list[str] = field(default_factory=list)
    office_at: str | None = None
    members: list[str] = field(default_factory=list)
    # roles beyond convener and deputies, as written: 常务副组长, 第一副召集人, 办公室主任 …
    roles: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class CadenceItem:
    every: str  # 日|周|旬|月|两月|季|半年|年 …
    action: str  # 简报|通报|总结|调度|报送 …


@dataclass
class Cadence:
    """A reporting / dispatch / review rhythm (调度机制)."""

    line: int
    plan: str
    text: str
    items: list[CadenceItem] = field(default_factory=list)
    report_to: str | None = None
    due: str | None = None
    # what it binds: 'plan' (a mechanism of the whole plan), 'section' (the tasks under the heading
    # at section_line) or 'task' (a sentence inside one task: that task's own rhythm)
    scope: str = "plan"
    section: list[str] = field(default_factory=list)
    section_line: int | None = None
    task: str | None = None  # id of the task when scope == 'task'
    units: list[str] = field(default_factory=list)  # the units the sentence names as its subjects
    reporting: bool = True  # False: the task's own work (data uploaded to a business system)
    holiday_shift: bool = False  # '遇节假日往后顺延'

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Task:
    """A task with its responsibility: units (责任单位), lead units (牵头), persons, leaders."""

    line: int
    plan: str
    source: str  # table|prose
    section: list[str]
    seq: str | None
    title: str
    units: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    deadline: str | None = None
    progress: str | None = None
    text: str = ""  # the full task text (not in the gold schema; stored for the UI)
    end_line: int | None = None  # last source line of the task (not serialised)
    id: str = ""
    same_as: str | None = None  # id of the table row this prose task restates (one obligation)
    same_as_more: list[str] = field(default_factory=list)  # further rows the same prose task spreads over
    implicit: bool = False  # a numbered item of a task section with no responsibility statement
    lead_from_heading: bool = False  # lead_units were passed down from the section heading
    groups: list[str] = field(default_factory=list)  # names in units that stand for several units
    unresolved: list[str] = field(default_factory=list)  # shorthand names the document does not resolve
    due_date: str | None = None  # the deadline as a date (YYYY-MM-DD), year from the plan when unstated

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "line": self.line,
            "plan": self.plan,
            "source": self.source,
            "section": list(self.section),
            "seq": self.seq,
            "title": self.title,
            "units": list(self.units),
            "lead_units": list(self.lead_units),
            "persons": list(self.persons),
            "leaders": list(self.leaders),
            "deadline": self.deadline,
            "progress": self.progress,
            **({"same_as": self.same_as} if self.same_as else {}),
            **({"same_as_more": list(self.same_as_more)} if self.same_as_more else {}),
            **({"implicit": True} if self.implicit else {}),
            **({"lead_from_heading": True} if self.lead_from_heading else {}),
            **({"group_units": list(self.groups)} if self.groups else {}),
            **({"unresolved_units": list(self.unresolved)} if self.unresolved else {}),
            **({"due_date": self.due_date} if self.due_date else {}),
        }


@dataclass
class ParseResult:
    """Everything read from one file."""

    seed: str
    lines: list[int]
    issuer: dict
    documents: list[Document] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    cadences: list[Cadence] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unit_aliases: dict[str, str] = field(default_factory=dict)  # shorthand / variant -> the unit it is
    source_lines: list[str] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {
            "seed": self.seed,
            "lines": self.lines,
            "issuer": self.issuer,
            "documents": [d.to_json() for d in self.documents],
            "targets": [t.to_json() for t in self.targets],
            "teams": [t.to_json() for t in self.teams],
            "cadences": [c.to_json() for c in self.cadences],
            "tasks": [t.to_json() for t in self.tasks],
            "warnings": list(self.warnings),
            "unit_aliases": dict(self.unit_aliases),
        }

    def to_store(self) -> dict:
        """Every field (line spans and source lines included), for :meth:`from_store`: the import
        wizard keeps a parse next to the upload instead of parsing the file again."""
        return asdict(self)

    @classmethod
    def from_store(cls, d: dict) -> ParseResult:
        cadences = [Cadence(**{**c, "items": [CadenceItem(**i) for i in c["items"]]}) for c in d["cadences"]]
        return cls(
            **{k: v for k, v in d.items() if k not in {"documents", "targets", "teams", "cadences", "tasks"}},
            documents=[Document(**x) for x in d["documents"]],
            targets=[Target(**x) for x in d["targets"]],
            teams=[Team(**x) for x in d["teams"]],
            cadences=cadences,
            tasks=[Task(**x) for x in d["tasks"]],
        )
