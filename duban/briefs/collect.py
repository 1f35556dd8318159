"""Fill a :class:`~duban.briefs.content.BriefData` from the stored data of one period (简报采集).

Reproducible: everything is read as it stood at the period's end (or now, for a period still
running), so the same brief for a past period comes out with the same figures however many reports,
notices or problem steps were recorded since:

* task statuses: :func:`duban.tracking.status.task_states` at that instant (reports submitted by then);
* targets: the latest actual entered by then for a period that had started by then
  (:func:`duban.tracking.actions.latest_actuals`), against 序时进度 at that instant;
* problems: those raised by then, in the state their steps (ProblemEvent) had reached by then;
* reporting (应报/按时/迟报/未报), 督办单 deductions and the ranking: the assessment's own counting
  (:mod:`duban.assessment.unit_scores`) for the period up to that instant, so the brief and the 考核
  page never disagree.

Lagging and overdue tasks are listed one by one when the brief's tasks are those of one region; when
they span several (the province, a city with its counties) they are also counted per region with the
worst few named (:class:`~duban.briefs.content.RegionLagLine`), which is what the documents print.

A fixed number of queries whatever the number of tasks, units and reports; tasks are read as tuples
(:func:`duban.assessment.unit_scores.task_rows`), and one :func:`task_states` serves every section.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch

from duban.assessment.actions import scheme_for
from duban.assessment.unit_scores import TaskRow, ranking, task_rows
from duban.briefs.content import (
    BRIEF_KINDS,
    STATUSES,
    BriefData,
    BriefError,
    BriefRequest,
    CampaignLine,
    Headline,
    Honours,
    PreviousPeriod,
    ProblemLine,
    RankLine,
    RegionLagLine,
    ReportingLine,
    TargetLine,
    TaskLine,
    default_charts,
)
from duban.cascade.plantree import region_groups
from duban.ingest.text import norm_key
from duban.plans import clock
from duban.plans.models import Plan, Target, TaskUnit
from duban.plans.periods import local_date, to_local
from duban.supervision import lifecycle
from duban.supervision.models import Problem, ProblemEvent
from duban.tracking.actions import latest_actuals
from duban.tracking.models import LAGGING, OVERDUE
from duban.tracking.progress import GREEN, target_progress
from duban.tracking.schedule import PlanTree
from duban.tracking.status import task_states

OTHER = "总体方案及其他"  # tasks of a plan that belongs to no single 仗/行动
WORST_NAMED = 3  # lagging tasks named per region in a summary by region
NEEDS_COORDINATION = (lifecycle.PENDING, lifecycle.COORDINATING)

_BOOK = re.compile(r"《([^》]+)》")
_QUOTES = re.compile(r"[“”\"'‘’「」]")
_YEAR = re.compile(r"^(?:20\d\d|二〇[一二三四五六七八九〇]{2})年(?:度)?")
_WHOLE = re.compile(r"^全[省市州县区]")
_KIND_TAIL = re.compile(
    r"(?:(?:重点)?(?:工作)?任务(?:责任)?分解表|(?:重点)?(?:工作)?任务清单|(?:重点)?项目清单|"
    r"领导小组(?:成员|人员)?名单|总体方案|(?:工作)?实施方案|工作方案|方案)$"
)
_SUBJECT = re.compile(r"^(?P<verb>打好|打赢|实施|开展|推进)?(?P<name>[\u4e00-\u9fff]{2,16}?)(?P<tail>仗|战|行动)$")


def subject_of(title: str, region_names: tuple[str, ...] = ()) -> str | None:
    """The campaign system a plan title names, with its verb: '打好发展六仗', '实施八大行动', or None.

    >>> subject_of("邵阳市人民政府办公室 关于印发《邵阳市打好“发展六仗” 总体方案》的通知", ("邵阳市",))
    '打好发展六仗'
    >>> subject_of("邵阳市安全生产“翻身仗”工作实施方案", ("邵阳市",))
    '打好安全生产翻身仗'
    """
    text = norm_key(title)
    book = _BOOK.search(text)
    if book:
        text = book.group(1)
    text = _KIND_TAIL.sub("", _QUOTES.sub("", text))
    for _ in range(3):  # 2023年全市打好…, 邵阳市2023年实施…
        before = text
        text = _WHOLE.sub("", _YEAR.sub("", text))
        for name in sorted(region_names, key=len, reverse=True):
            if name and text.startswith(name):
                text = text[len(name) :]
        if text == before:
            break
    m = _SUBJECT.match(text)
    if not m:
        return None
    action = m["tail"] == "行动"
    verb = m["verb"] or ("实施" if action else "打好")
    return verb + m["name"] + ("行动" if action else "仗")


def brief_subject(plans: list[Plan], tree: PlanTree) -> str:
    """The subject of the brief: read from the highest plan above the first one that names it."""
    chain = list(reversed(tree.up(plans[0].pk)))  # root first
    titles = dict(Plan.objects.filter(pk__in=chain).values_list("id", "title"))
    region = plans[0].region
    names = tuple(n for n in (region.name, region.short_name) if n) if region else ()
    for pk in chain:
        found = subject_of(titles.get(pk, ""), names)
        if found:
            return found
    return "重点工作"


_NUMERAL = re.compile(r"[一二三四五六七八九十两]")


def doc_code(region, subject: str) -> str:
    """机关代字 of the 发文字号: the region's first character, the campaign's short name, 办 (邵六仗办)."""
    name = re.sub(r"^(?:打好|打赢|实施|开展|推进)", "", re.sub(r"[“”\"'‘’《》「」]", "", subject))
    m = _NUMERAL.search(name)
    short = name[m.start():] if m else name[:2]
    head = (region.short_name or region.name)[:1] if region else ""
    return f"{head}{short}办"


def _units(task: TaskRow) -> tuple[tuple[str, ...], tuple[str, ...]]:
    leads = tuple(u.name for u in task.units if u.role == TaskUnit.LEAD)
    cos = tuple(u.name for u in task.units if u.role != TaskUnit.LEAD)
    return leads, cos


def _shortfall(line: TaskLine) -> tuple:
    """Worst first: 逾期未报 before 滞后, then the furthest behind 序时进度."""
    return (line.status != OVERDUE, -(line.expected - (line.percent or 0)))


def lagging_by_region(tasks: list[TaskRow], lines: dict[int, TaskLine], region_of: dict[int, int | None]):
    """Per region (see :func:`region_groups`), in region order: its tasks, how many are 逾期未报 and
    滞后, and the worst :data:`WORST_NAMED` of them; [] when the tasks are those of one region."""
    region_ids = {region_of[t.plan_id] for t in tasks}
    groups = region_groups(region_ids) if len(region_ids) > 1 else {}
    if len({key for key, _ in groups.values()}) < 2:
        return []
    counts: dict[tuple[int, int], list] = {}
    for t in tasks:
        key, name = groups[region_of[t.plan_id]]
        entry = counts.setdefault(key, [name, 0, []])
        entry[1] += 1
        if t.pk in lines:
            entry[2].append(lines[t.pk])
    out = []
    for _, (name, n, bad) in sorted(counts.items()):
        overdue = sum(1 for line in bad if line.status == OVERDUE)
        worst = tuple(sorted(bad, key=_shortfall)[:WORST_NAMED])
        out.append(RegionLagLine(name, n, overdue, len(bad) - overdue, worst))
    return out


def _actual_text(target: Target, kind: str, value: float) -> str:
    prefix = target.measure if kind == "rate" and target.measure in ("增长", "下降") else ""
    return f"{prefix}{value:g}{target.measure_unit}"


def _problem_state(problem: Problem) -> str:
    """The state a problem had at the brief's instant: that of its last step by then."""
    steps = list(problem.steps_by_then)
    return steps[-1].state if steps else lifecycle.PENDING


@dataclass(frozen=True)
class Basis:
    """What every section is built from: the request, its instant, the plans and their tasks, and the
    tasks' states at that instant (read once, by :func:`task_states`)."""

    request: BriefRequest
    now: datetime
    as_of: datetime
    plans: list[Plan]
    tasks: list[TaskRow]
    tree: PlanTree
    campaign_of: dict[int, str]  # plan id → its 仗 (OTHER for none)
    region_of: dict[int, int | None]  # plan id → its region
    states: dict

    @property
    def period(self):
        return self.request.period


def basis(request: BriefRequest, now: datetime | None = None) -> Basis:
    """Check that the brief can be made, and read what every section needs (see :class:`Basis`)."""
    period = request.period
    now = to_local(now or clock.now())
    if now < period.start_at:
        raise BriefError(f"{period.label}尚未开始，不能生成{request.kind}")
    as_of = min(now, period.end_at - timedelta(microseconds=1))
    by_id = Plan.objects.filter(pk__in=request.plan_ids, active=True).select_related("region").in_bulk()
    missing = [str(pk) for pk in request.plan_ids if pk not in by_id]
    if missing:
        raise BriefError(f"找不到方案：{'、'.join(missing)}（请用 duban plans 查看方案编号）")
    plans = [by_id[pk] for pk in request.plan_ids]
    tasks = task_rows(plans)
    if not tasks:
        raise BriefError(f"方案“{plans[0].title}”（含下级方案）没有纳入调度的任务，无法生成简报")
    campaign_of, region_of = {}, {}
    task_plans = Plan.objects.filter(pk__in={t.plan_id for t in tasks})
    for pk, name, region_id in task_plans.values_list("id", "campaign__name", "region_id"):
        campaign_of[pk], region_of[pk] = name or OTHER, region_id
    states = task_states([t.pk for t in tasks], as_of)
    return Basis(request, now, as_of, plans, tasks, PlanTree.load(), campaign_of, region_of, states)


# ---------------------------------------------------------------- one builder per section
# Each takes the Basis and the fields made by the builders before it, and returns the BriefData fields
# of its section.


def targets_section(b: Basis, made: dict) -> dict:
    """主要目标: each target's latest figure by then against 序时进度; no figure is 尚无数据, never 红灯."""
    plan_ids = set().union(*(b.tree.down(p.pk) for p in b.plans))
    targets = list(
        Target.objects.filter(plan_id__in=plan_ids, active=True, plan__active=True).order_by("plan_id", "order")
    )
    target_campaign = dict(
        Plan.objects.filter(pk__in={t.plan_id for t in targets}).values_list("id", "campaign__name")
    )
    actuals = latest_actuals([t.pk for t in targets], b.as_of)
    lines = []
    for t in targets:
        a = actuals.get(t.pk)
        p = target_progress(t.measure, t.value, t.measure_unit, t.qualifier, a.value if a else None, b.as_of)
        lines.append(
            TargetLine(
                campaign=target_campaign.get(t.plan_id) or OTHER,
                indicator=t.indicator,
                target=f"{t.measure}{t.value:g}{t.measure_unit}{t.qualifier}",
                actual=_actual_text(t, p.kind, a.value) if a else "",
                expected=p.expected,
                completion=p.completion if a is not None else None,
                light=p.light if a is not None else "",
            )
        )
    return {"targets": lines}


def _mean_progress(states) -> tuple[float, float]:
    """(mean reported completion, 未报 as 0, 0–1; mean 序时进度, 0–1) of ``states``."""
    return sum((s.percent or 0) for s in states) / len(states) / 100, sum(s.expected for s in states) / len(states)


def progress_section(b: Basis, made: dict) -> dict:
    """总体情况 and 各仗（行动）: tasks by status, mean progress against 序时进度, targets on and behind."""
    with_data = [line for line in made["targets"] if line.actual]
    on, behind = Counter(), Counter()
    for line in with_data:
        (on if line.light == GREEN else behind)[line.campaign] += 1
    status = Counter(s.status for s in b.states.values())
    progress, expected = _mean_progress(b.states.values())
    headline = Headline(
        {s: status[s] for s in STATUSES},
        targets_on=sum(on.values()),
        targets_behind=sum(behind.values()),
        targets_without_data=len(made["targets"]) - len(with_data),
        progress=progress,
        expected=expected,
    )
    groups: dict[str, list] = defaultdict(list)
    for t in b.tasks:
        groups[b.campaign_of[t.plan_id]].append(b.states[t.pk])
    campaigns = []
    for name, ss in groups.items():
        by = Counter(s.status for s in ss)
        progress, expected = _mean_progress(ss)
        campaigns.append(
            CampaignLine(name, {s: by[s] for s in STATUSES}, progress, expected, on[name], behind[name])
        )
    return {"headline": headline, "campaigns": campaigns}


def lagging_section(b: Basis, made: dict) -> dict:
    """滞后和逾期任务: 逾期未报 first, then 滞后, each in the plan's order; per region when several."""
    lines: dict[int, TaskLine] = {}
    for t in b.tasks:
        s = b.states[t.pk]
        if s.status in (OVERDUE, LAGGING):
            leads, cos = _units(t)
            lines[t.pk] = TaskLine(
                campaign=b.campaign_of[t.plan_id],
                seq=t.seq,
                title=t.title,
                lead_units=leads,
                co_units=cos,
                status=s.status,
                percent=s.percent,
                expected=round(s.expected * 100, 1),
                reason=s.reason,
            )
    return {
        "lagging": [line for wanted in (OVERDUE, LAGGING) for line in lines.values() if line.status == wanted],
        "lagging_by_region": lagging_by_region(b.tasks, lines, b.region_of),
    }


def problems_section(b: Basis, made: dict) -> dict:
    """需协调解决的问题: raised by then and, by then, not yet resolved or closed."""
    problems = (
        Problem.objects.filter(task_id__in=[t.pk for t in b.tasks], raised_at__lte=b.as_of)
        .select_related("unit", "task")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ProblemEvent.objects.filter(at__lte=b.as_of).order_by("at", "id"),
                to_attr="steps_by_then",
            )
        )
        .order_by("raised_at", "id")
    )
    lines = []
    for pr in problems:
        state = _problem_state(pr)
        if state in NEEDS_COORDINATION:
            lines.append(ProblemLine(pr.unit.name, pr.task.title, pr.text, lifecycle.PROBLEM_STATE_LABELS[state]))
    return {"problems": lines}


def ranking_section(b: Basis, made: dict) -> dict:
    """报送情况通报 and 考核排名: the assessment's counting, for the same instant."""
    scheme = scheme_for(b.plans[0])
    result = ranking(b.plans, scheme, b.period, b.as_of, tasks=b.tasks, states=b.states)
    reporting = sorted(
        (
            ReportingLine(f.unit, f.due, f.on_time, f.late, f.missing, f.late_tasks, f.missing_tasks)
            for f in result.facts.values()
            if f.late or f.missing
        ),
        key=lambda r: (-r.missing_tasks, -r.late_tasks, -r.missing, -r.late, r.unit),
    )
    return {
        "reporting": reporting,
        "ranking": [RankLine(s.rank, s.unit, s.total, g.group) for g in result.groups for s in g.scores],
        "red_list": [s.unit for s in result.red],
        "black_list": [s.unit for s in result.black],
        "honours": [
            Honours(g.group, len(g.scores), tuple(RankLine(s.rank, s.unit, s.total, g.group) for s in g.red),
                    tuple(RankLine(s.rank, s.unit, s.total, g.group) for s in g.black))
            for g in result.groups
        ],  # fmt: skip
        "rules": scheme.rules_text(),
    }


def previous_section(b: Basis, made: dict) -> dict:
    """较上期 (kinds that compare, see BriefKind.compares): where the same tasks stood at the end of the
    period before."""
    if not BRIEF_KINDS[b.request.kind].compares:
        return {}
    before = b.period.previous()
    states = task_states([t.pk for t in b.tasks], before.end_at - timedelta(microseconds=1))
    by = Counter(s.status for s in states.values())
    return {"previous": PreviousPeriod(before.label, {s: by[s] for s in STATUSES}, *_mean_progress(states.values()))}


def letterhead_section(b: Basis, made: dict) -> dict:
    """Who issues the brief and to whom: subject, 发文机关, number, date, 报/送, 机关代字, 共印份数."""
    request, period = b.request, b.period
    subject = request.subject or brief_subject(b.plans, b.tree)
    region_obj = b.plans[0].region if b.plans[0].region_id else None
    region = region_obj.name if region_obj else ""
    units = {u.unit_id for t in b.tasks for u in t.units if not u.is_group}
    return {
        "kind": request.kind,
        "period": period,
        "number": request.number or BRIEF_KINDS[request.kind].number(period),
        "subject": subject,
        "issuer": f"{region}{subject}工作专班办公室",
        "issued_on": local_date(min(b.now, period.end_at)),
        "as_of": b.as_of,
        "distribution": [f"报：{region}委、{region}人民政府领导。" if region else "报：有关领导。", "送：各责任单位。"],
        "region": region,
        "region_level": region_obj.level if region_obj else "市",
        "doc_code": doc_code(region_obj, subject),
        "copies": len(units) + 10,
    }


# in this order: a builder may read what those before it made (the 总体情况 counts the targets)
SECTIONS = (
    targets_section,
    progress_section,
    lagging_section,
    problems_section,
    ranking_section,
    previous_section,
    letterhead_section,
)


def collect(request: BriefRequest, now: datetime | None = None) -> BriefData:
    """Everything the brief of ``request`` prints, as stored at the end of its period (see module doc)."""
    b = basis(request, now)
    fields: dict = {}
    for build in SECTIONS:
        fields.update(build(b, fields))
    data = BriefData(**fields)
    data.charts = default_charts(data)
    return data
