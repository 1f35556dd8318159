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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from duban.plans.periods import Period, PeriodError, parse_period

# the 公文 forms a brief takes (duban.briefs.render_docx.FORMS writes each)
BULLETIN = "简报"  # 工作简报: red 报头 with 期号, short items, 报尾 (报、送, 共印份数); not signed
NOTICE = "通报"  # 通报: 版头 with 发文字号, 主送, four parts, 附件, 落款, 版记
SUMMARY = "总结"  # 总结: a written account of the period, 附件, 落款, 版记


@dataclass(frozen=True)
class BriefKind:
    """One kind of brief, declared once: what the CLI, the web form, the background job, the collection
    and the documents read of it (docs/DESIGN.md, “Where to add a brief kind”)."""

    name: str  # 月通报
    period: str  # the period kind it covers (duban.plans.periods.KINDS)
    example: str  # a period of that kind, as typed: 2023-03
    title: tuple[str, ...]  # pieces of the title, kept whole on a line; {period} and {subject} filled in
    form: str  # BULLETIN | NOTICE | SUMMARY
    number: Callable[[Period], int]  # the system's 期号 / 发文字号 序号: the period's place in its year
    annexes: tuple[str, ...] = ()  # the 附件 in order (keys of duban.briefs.render_docx.ANNEXES)
    compares: bool = False  # states where the tasks stood at the end of the period before (较上期)
    body_pages: int | None = None  # most pages before 附件1 for a city (checked in LibreOffice by the tests)

    @property
    def masthead(self) -> bool:
        """A 简报 has the red 简报 报头 and its 期号; a 通报 or 总结 is an ordinary signed document."""
        return self.form == BULLETIN


BRIEF_KINDS = {
    k.name: k
    for k in (
        BriefKind("旬简报", "旬", "2023-03上旬", ("{period}", "{subject}", "工作进展情况"), BULLETIN,
                  number=lambda p: (p.start.month - 1) * 3 + min(p.start.day // 10, 2) + 1, body_pages=2),
        BriefKind("月通报", "月", "2023-03", ("关于", "{period}", "{subject}", "工作推进情况的通报"), NOTICE,
                  number=lambda p: p.start.month, annexes=("lagging", "targets", "reporting", "problems", "ranking"),
                  body_pages=3),
        BriefKind("季总结", "季", "2023Q1", ("{period}", "{subject}", "工作总结"), SUMMARY,
                  number=lambda p: (p.start.month - 1) // 3 + 1, annexes=("campaigns", "targets", "lagging", "ranking"),
                  compares=True),
        BriefKind("年总结", "年", "2023", ("{period}", "{subject}", "工作总结"), SUMMARY,
                  number=lambda p: 1, annexes=("campaigns", "targets", "lagging", "ranking"), compares=True),
    )
}  # fmt: skip
# task statuses in the order briefs list them (duban.tracking.status)
STATUSES = ("已完成", "正常推进", "滞后", "逾期未报", "未启动")
LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "": "尚无数据"}  # '': no figure reported


class BriefError(ValueError):
    """A brief that cannot be made as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class BriefRequest:
    """Which brief to make: kind, period, the plans it covers and its issue number (期号)."""

    kind: str
    period: Period
    plan_ids: tuple[int, ...]
    number: int | None = None  # None: the system's number for the period (:attr:`BriefKind.number`)
    subject: str | None = None  # a programme's (打好发展六仗); None: read from the plans' titles

    @classmethod
    def parse(
        cls, kind: str, period_text: str, plan_ids, number: int | None = None, subject: str | None = None
    ) -> BriefRequest:
        """Check that the period fits the kind (旬简报 needs a 旬 such as 2023-03上旬, …)."""
        if kind not in BRIEF_KINDS:
            raise BriefError(f"不支持的简报类型“{kind}”，可选：{'、'.join(BRIEF_KINDS)}")
        try:
            period = parse_period(period_text)
        except PeriodError as e:
            raise BriefError(f"无法识别的期间“{period_text}”：{e}") from None
        want = BRIEF_KINDS[kind]
        if period.kind != want.period:
            raise BriefError(f"{kind}的期间须为一个{want.period}（如 {want.example}），“{period_text}”是{period.kind}")
        if number is not None and number < 1:
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
    progress: float | None = None  # mean reported completion of all tasks (未报 as 0), 0–1
    expected: float | None = None  # mean 序时进度 of all tasks, 0–1

    @property
    def tasks(self) -> int:
        return sum(self.tasks_by_status.values())

    @property
    def targets(self) -> int:
        return self.targets_on + self.targets_behind + self.targets_without_data

    @property
    def targets_with_data(self) -> int:
        return self.targets_on + self.targets_behind


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
    light: str  # green | yellow | red; '' when no figure has been reported (尚无数据, never 红灯)


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
    late_tasks: int = 0  # tasks with a late report (each task once)
    missing_tasks: int = 0  # tasks whose report is still missing


@dataclass(frozen=True)
class RankLine:
    rank: int
    unit: str
    score: float
    group: str = ""  # 县市区 / 市直单位 / 企业: units are ranked within their group


@dataclass(frozen=True)
class Honours:
    """One group's 红榜 and 黑榜 (:func:`duban.assessment.unit_scores.honours`)."""

    group: str
    ranked: int  # units ranked in the group
    red: tuple[RankLine, ...] = ()
    black: tuple[RankLine, ...] = ()


@dataclass(frozen=True)
class PreviousPeriod:
    """The period before, for a 总结's “较上期”: its label and where the same tasks stood at its end."""

    label: str
    tasks_by_status: dict[str, int]
    progress: float | None
    expected: float | None


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
    distribution: list[str] = field(default_factory=list)  # 旬简报 报尾: 报：… 送：…
    honours: list[Honours] = field(default_factory=list)  # 红黑榜 per group
    rules: list[str] = field(default_factory=list)  # the scheme's rules, printed in the 附件
    previous: PreviousPeriod | None = None
    region: str = ""  # 邵阳市
    region_level: str = "市"  # 省 / 市 / 县: who the 通报 is addressed to
    doc_code: str = ""  # 机关代字 of the 发文字号: 邵六仗办
    copies: int = 0  # 共印份数 of a 旬简报

    def __post_init__(self):
        if self.kind not in BRIEF_KINDS:
            raise BriefError(f"不支持的简报类型“{self.kind}”，可选：{'、'.join(BRIEF_KINDS)}")
        if self.period.kind != self.spec.period:
            raise BriefError(f"{self.kind}的期间须为一个{self.spec.period}，“{self.period.label}”是{self.period.kind}")

    @property
    def spec(self) -> BriefKind:
        return BRIEF_KINDS[self.kind]

    @property
    def title(self) -> str:
        return "".join(self.title_parts)

    @property
    def title_parts(self) -> tuple[str, ...]:
        """The title in pieces that must not be split across lines (see :func:`break_title`)."""
        return tuple(part.format(period=self.period.label, subject=self.subject) for part in self.spec.title)

    @property
    def title_lines(self) -> list[str]:
        return break_title(self.title_parts)

    @property
    def doc_number(self) -> str:
        """发文字号 of a 通报 or 总结: 邵六仗办〔2023〕3号 (its 期号 for a 简报)."""
        return f"{self.doc_code}〔{self.period.start.year}〕{self.number}号"

    @property
    def issue(self) -> str:
        """The number the brief is known by: 第7期 for a 简报, its 发文字号 for the others."""
        return f"第{self.number}期" if self.spec.masthead else self.doc_number

    @property
    def addressees(self) -> str:
        """主送: the governments of the regions below and the departments of the region."""
        below = {"省": "各市州人民政府", "市": "各县市区人民政府", "县": "各乡镇人民政府、街道办事处"}
        own = {"省": "省", "市": "市", "县": "市" if self.region.endswith("市") else self.region[-1:] or "县"}
        level = self.region_level if self.region_level in below else "市"
        return f"{below[level]}，{own[level]}直有关单位："

    @property
    def carbon_copy(self) -> str:
        """版记 抄送 of a 通报 or 总结: the offices of the region's leading bodies."""
        if not self.region:
            return "抄送：有关领导。"
        r = {"省": "省", "市": "市"}.get(self.region_level, self.region[-1:])
        return f"抄送：{r}委办公室，{r}人大常委会办公室，{r}人民政府办公室，{r}政协办公室。"

    @property
    def masthead(self) -> str | None:
        """Only a 简报 has the red 简报 版头; a 通报 or 总结 is an ordinary document."""
        return f"{self.subject}工作简报" if self.spec.masthead else None


def text_width(text: str) -> float:
    """Width in 字 (a CJK character 1, an ASCII character ½)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def break_title(parts, per_line: float = 19) -> list[str]:
    """The title on as few centred lines as fit (20 字 of 二号 a line, one kept free), broken only
    between ``parts`` (never inside 持久仗工作) and, among the breaks, the most even one."""
    parts = [p for p in parts if p]
    if text_width("".join(parts)) <= per_line or len(parts) == 1:
        return ["".join(parts)]
    best = None
    for i in range(1, len(parts)):
        lines = ["".join(parts[:i]), "".join(parts[i:])]
        widths = [text_width(x) for x in lines]
        cost = (max(widths) > per_line, max(widths) - min(widths))
        if best is None or cost < best[0]:
            best = (cost, lines)
    lines = best[1]
    if text_width(lines[-1]) > per_line:  # a long tail: break it again
        lines = lines[:-1] + break_title(_split_words(lines[-1]), per_line)
    return lines


def _split_words(text: str) -> list[str]:
    """Pieces of a title tail at the words a line may start with."""
    import re

    return [p for p in re.split(r"(?=工作|推进|情况|的通报)", text) if p]




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
