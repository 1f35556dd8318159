"""What a brief says, as plain data: the layer between the tracking data and the documents.

A brief (旬简报 / 月通报 / 季总结 / 年总结) is built in two steps:

1. **collect** — :func:`collect` reads the stored plans, reports, notices and scores for one period
   and fills a :class:`BriefData` (every figure the brief prints, already counted), reading only
   what was stored up to the period's end, so a past brief comes out the same every time
   (:mod:`duban.briefs.collect`).
2. **render** — :mod:`duban.briefs.render_docx` turns a BriefData into a 公文 .docx, and the web's
   brief page (``ui/briefs/brief.html``) prints the same BriefData as HTML; neither reads the database.

Keeping the two apart means the documents are tested on hand-made data now, and every number in a
brief can be checked against one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from duban.tracking.periods import Period, PeriodError, parse_period

# brief kind → the period kind it covers
BRIEF_KINDS = {"旬简报": "旬", "月通报": "月", "季总结": "季", "年总结": "年"}
# task statuses in the order briefs list them (duban.tracking.status)
STATUSES = ("已完成", "正常推进", "滞后", "逾期未报", "未启动")
LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


class BriefError(ValueError):
    """A brief that cannot be made as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class BriefRequest:
    """Which brief to make: kind, period, the plans it covers and its issue number (期号)."""

    kind: str
    period: Period
    plan_ids: tuple[int, ...]
    number: int = 1
    subject: str | None = None  # a programme's (打好发展六仗); None: read from the plans' titles

    @classmethod
    def parse(cls, kind: str, period_text: str, plan_ids, number: int = 1, subject: str | None = None) -> BriefRequest:
        """Check that the period fits the kind (旬简报 needs a 旬 such as 2023-03上旬, …)."""
        if kind not in BRIEF_KINDS:
            raise BriefError(f"不支持的简报类型“{kind}”，可选：{'、'.join(BRIEF_KINDS)}")
        try:
            period = parse_period(period_text)
        except PeriodError as e:
            raise BriefError(f"无法识别的期间“{period_text}”：{e}") from None
        want = BRIEF_KINDS[kind]
        if period.kind != want:
            examples = {"旬": "2023-03上旬", "月": "2023-03", "季": "2023Q1", "年": "2023"}
            raise BriefError(f"{kind}的期间须为一个{want}（如 {examples[want]}），“{period_text}”是{period.kind}")
        if number < 1:
            raise BriefError(f"期号须为正整数：{number}")
        ids = tuple(plan_ids)
        if not ids:
            raise BriefError("没有指定方案")
        return cls(kind, period, ids, number, subject)


@dataclass(frozen=True)
class Headline:
    """总体情况: tasks by status and targets against 序时进度."""

    tasks_by_status: dict[str, int]
    targets_on: int = 0  # at or ahead of 序时进度 (green)
    targets_behind: int = 0  # yellow or red
    targets_without_data: int = 0  # no actual figure reported yet

    @property
    def tasks(self) -> int:
        return sum(self.tasks_by_status.values())

    @property
    def targets(self) -> int:
        return self.targets_on + self.targets_behind + self.targets_without_data


@dataclass(frozen=True)
class CampaignLine:
    """One 仗 / 行动: its tasks by status, average reported progress and its targets."""

    name: str
    tasks_by_status: dict[str, int]
    progress: float | None = None  # mean reported completion of its tasks, 0–1
    expected: float | None = None  # mean 序时进度 of its tasks, 0–1
    targets_on: int = 0
    targets_behind: int = 0

    @property
    def tasks(self) -> int:
        return sum(self.tasks_by_status.values())


@dataclass(frozen=True)
class TargetLine:
    """A target with its actual figure and light."""

    campaign: str
    indicator: str
    target: str  # as written: 增长7.5%左右, 突破1500亿元
    actual: str  # as reported: 增长6.8%, 412亿元; '' when nothing reported
    expected: float  # 序时进度, 0–1
    completion: float | None  # share of the target done, 0–1 (None: no figure yet)
    light: str  # green | yellow | red


@dataclass(frozen=True)
class TaskLine:
    """A lagging or overdue task with its responsible units."""

    campaign: str
    seq: str
    title: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]
    status: str  # 滞后 | 逾期未报
    percent: float | None  # reported completion, 0–100
    expected: float  # 序时进度, 0–100
    reason: str = ""


@dataclass(frozen=True)
class RegionLagLine:
    """One region's lagging and overdue tasks, in a brief whose tasks span several regions.

    A province's 月通报 had 1.9 万 lagging tasks, one table row each (hundreds of pages, most of its
    rendering time); a leader reads where they are and the worst of them, and each 市州 lists its own
    in its own brief. So such a brief counts them per region one level below what the regions share
    (市州 for the province; 县市区, and the city's own plans as 本级, for a city with its counties).
    """

    region: str  # 长沙市, 浏阳市, 长沙市本级
    tasks: int  # the region's tasks in the brief
    overdue: int  # 逾期未报
    lagging: int  # 滞后
    worst: tuple[TaskLine, ...] = ()  # the few named, worst first (WORST_NAMED)

    @property
    def total(self) -> int:
        return self.overdue + self.lagging


@dataclass(frozen=True)
class ProblemLine:
    """A problem raised in a report that needs coordination (问题清单)."""

    unit: str
    task: str
    text: str
    status: str = "待协调"


@dataclass(frozen=True)
class ReportingLine:
    """A unit's reporting in the period (only units that were late or missing are listed: 通报)."""

    unit: str
    due: int
    on_time: int
    late: int
    missing: int


@dataclass(frozen=True)
class RankLine:
    rank: int
    unit: str
    score: float


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: grouped bars (``series`` name → values per label) or a status bar."""

    title: str
    labels: tuple[str, ...]
    series: dict[str, tuple[float, ...]]
    unit: str = ""
    kind: str = "bars"  # bars | status


@dataclass
class BriefData:
    """Everything one brief prints."""

    kind: str  # 旬简报 | 月通报 | 季总结 | 年总结
    period: Period
    number: int  # 期号
    subject: str  # 打好发展六仗 / 实施八大行动
    issuer: str  # 市打好发展六仗工作专班办公室
    issued_on: date
    as_of: datetime  # data up to this instant
    headline: Headline
    campaigns: list[CampaignLine] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)
    lagging: list[TaskLine] = field(default_factory=list)  # every one, also when summarised by region
    # per region when the tasks span several regions (the documents then list these, not ``lagging``)
    lagging_by_region: list[RegionLagLine] = field(default_factory=list)
    problems: list[ProblemLine] = field(default_factory=list)
    reporting: list[ReportingLine] = field(default_factory=list)
    ranking: list[RankLine] = field(default_factory=list)
    red_list: list[str] = field(default_factory=list)  # 红榜
    black_list: list[str] = field(default_factory=list)  # 黑榜
    charts: list[ChartSpec] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)  # 版记: 报：… 送：…

    def __post_init__(self):
        if self.kind not in BRIEF_KINDS:
            raise BriefError(f"不支持的简报类型“{self.kind}”，可选：{'、'.join(BRIEF_KINDS)}")
        if self.period.kind != BRIEF_KINDS[self.kind]:
            raise BriefError(f"{self.kind}的期间须为一个{BRIEF_KINDS[self.kind]}，“{self.period.label}”是{self.period.kind}")

    @property
    def title(self) -> str:
        p = self.period.label
        return {
            "旬简报": f"{p}{self.subject}工作进展情况",
            "月通报": f"关于{p}{self.subject}工作推进情况的通报",
            "季总结": f"{p}{self.subject}工作总结",
            "年总结": f"{p}{self.subject}工作总结",
        }[self.kind]

    @property
    def masthead(self) -> str | None:
        """Only a 简报 has the red 简报 版头; a 通报 or 总结 is an ordinary document."""
        return f"{self.subject}工作简报" if self.kind == "旬简报" else None


def collect(request: BriefRequest, now: datetime | None = None) -> BriefData:
    """The BriefData of ``request`` from the database (see :mod:`duban.briefs.collect`).

    Imported lazily so that this module, and the documents rendered from hand-made data, stay free
    of the database.
    """
    from duban.briefs.collect import collect as from_database

    return from_database(request, now)


def default_charts(data: BriefData) -> list[ChartSpec]:
    """The charts every brief carries: tasks by status, and progress against 序时进度 per campaign."""
    out = []
    if data.headline.tasks:
        counts = {s: data.headline.tasks_by_status.get(s, 0) for s in STATUSES}
        out.append(ChartSpec("任务推进状态", tuple(counts), {"任务数": tuple(counts.values())}, "项", "status"))
    with_progress = [c for c in data.campaigns if c.progress is not None and c.expected is not None]
    if with_progress:
        out.append(ChartSpec(
            "各仗（行动）平均进度与序时进度",
            tuple(c.name for c in with_progress),
            {"平均进度": tuple(round(c.progress * 100, 1) for c in with_progress),
             "序时进度": tuple(round(c.expected * 100, 1) for c in with_progress)},
            "%",
        ))
    return out
