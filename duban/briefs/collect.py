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
from datetime import datetime, timedelta

from django.db.models import Prefetch

from duban.assessment.actions import scheme_for
from duban.assessment.unit_scores import TaskRow, ranking, task_rows
from duban.briefs.content import (
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
    issue_number,
)
from duban.cascade.plantree import region_groups
from duban.ingest.text import norm_key
from duban.plans import clock
from duban.plans.models import Plan, Target, TaskUnit
from duban.supervision import lifecycle
from duban.supervision.models import Problem, ProblemEvent
from duban.tracking.actions import latest_actuals
from duban.tracking.models import LAGGING, OVERDUE
from duban.tracking.periods import local_date, to_local
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


def collect(request: BriefRequest, now: datetime | None = None) -> BriefData:
    """Everything the brief of ``request`` prints, as stored at the end of its period (see module doc)."""
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
    tree = PlanTree.load()
    plan_ids = set().union(*(tree.down(p.pk) for p in plans))
    campaign_of, region_of = {}, {}
    task_plans = Plan.objects.filter(pk__in={t.plan_id for t in tasks})
    for pk, name, region_id in task_plans.values_list("id", "campaign__name", "region_id"):
        campaign_of[pk], region_of[pk] = name or OTHER, region_id
    states = task_states([t.pk for t in tasks], as_of)  # the one call: every section below reads it

    # 总体情况 and 各仗（行动）
    status = Counter(s.status for s in states.values())
    groups: dict[str, list] = defaultdict(list)
    for t in tasks:
        groups[campaign_of[t.plan_id]].append(states[t.pk])

    # 主要目标
    targets = list(
        Target.objects.filter(plan_id__in=plan_ids, active=True, plan__active=True).order_by("plan_id", "order")
    )
    target_campaign = dict(
        Plan.objects.filter(pk__in={t.plan_id for t in targets}).values_list("id", "campaign__name")
    )
    actuals = latest_actuals([t.pk for t in targets], as_of)
    target_lines = []
    on_by_campaign: Counter = Counter()
    behind_by_campaign: Counter = Counter()
    for t in targets:
        a = actuals.get(t.pk)
        p = target_progress(t.measure, t.value, t.measure_unit, t.qualifier, a.value if a else None, as_of)
        campaign = target_campaign.get(t.plan_id) or OTHER
        light = p.light if a is not None else ""  # no figure: 尚无数据, never 红灯
        if a is not None:
            (on_by_campaign if p.light == GREEN else behind_by_campaign)[campaign] += 1
        target_lines.append(
            TargetLine(
                campaign=campaign,
                indicator=t.indicator,
                target=f"{t.measure}{t.value:g}{t.measure_unit}{t.qualifier}",
                actual=_actual_text(t, p.kind, a.value) if a else "",
                expected=p.expected,
                completion=p.completion if a is not None else None,
                light=light,
            )
        )
    with_data = [line for line in target_lines if line.actual]
    headline = Headline(
        {s: status[s] for s in STATUSES},
        targets_on=sum(1 for line in with_data if line.light == GREEN),
        targets_behind=sum(1 for line in with_data if line.light != GREEN),
        targets_without_data=len(target_lines) - len(with_data),
        progress=sum((s.percent or 0) for s in states.values()) / len(states) / 100,
        expected=sum(s.expected for s in states.values()) / len(states),
    )
    campaigns = []
    for name, ss in groups.items():
        by = Counter(s.status for s in ss)
        campaigns.append(
            CampaignLine(
                name=name,
                tasks_by_status={s: by[s] for s in STATUSES},
                progress=sum((s.percent or 0) for s in ss) / len(ss) / 100,
                expected=sum(s.expected for s in ss) / len(ss),
                targets_on=on_by_campaign[name],
                targets_behind=behind_by_campaign[name],
            )
        )

    # 滞后和逾期任务: 逾期未报 first, then 滞后, each in the plan's order; per region when several
    lines: dict[int, TaskLine] = {}
    for t in tasks:
        s = states[t.pk]
        if s.status in (OVERDUE, LAGGING):
            leads, cos = _units(t)
            lines[t.pk] = TaskLine(
                campaign=campaign_of[t.plan_id],
                seq=t.seq,
                title=t.title,
                lead_units=leads,
                co_units=cos,
                status=s.status,
                percent=s.percent,
                expected=round(s.expected * 100, 1),
                reason=s.reason,
            )
    lagging = [line for wanted in (OVERDUE, LAGGING) for line in lines.values() if line.status == wanted]

    # 需协调解决的问题: raised by then and, by then, not yet resolved or closed
    problems = (
        Problem.objects.filter(task_id__in=[t.pk for t in tasks], raised_at__lte=as_of)
        .select_related("unit", "task")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ProblemEvent.objects.filter(at__lte=as_of).order_by("at", "id"),
                to_attr="steps_by_then",
            )
        )
        .order_by("raised_at", "id")
    )
    problem_lines = []
    for pr in problems:
        state = _problem_state(pr)
        if state in NEEDS_COORDINATION:
            problem_lines.append(
                ProblemLine(pr.unit.name, pr.task.title, pr.text, lifecycle.PROBLEM_STATE_LABELS[state])
            )

    # 报送情况通报 and 考核排名: the assessment's counting, for the same instant
    scheme = scheme_for(plans[0])
    result = ranking(plans, scheme, period, as_of, tasks=tasks, states=states)
    reporting = sorted(
        (
            ReportingLine(f.unit, f.due, f.on_time, f.late, f.missing, f.late_tasks, f.missing_tasks)
            for f in result.facts.values()
            if f.late or f.missing
        ),
        key=lambda r: (-r.missing_tasks, -r.late_tasks, -r.missing, -r.late, r.unit),
    )
    ranks = [RankLine(s.rank, s.unit, s.total, g.group) for g in result.groups for s in g.scores]
    honours = [
        Honours(g.group, len(g.scores), tuple(RankLine(s.rank, s.unit, s.total, g.group) for s in g.red),
                tuple(RankLine(s.rank, s.unit, s.total, g.group) for s in g.black))
        for g in result.groups
    ]  # fmt: skip
    previous = None
    if request.kind in ("季总结", "年总结"):  # 较上期: where the same tasks stood at the end of the period before
        before = period.previous()
        prev_states = task_states([t.pk for t in tasks], before.end_at - timedelta(microseconds=1))
        by = Counter(s.status for s in prev_states.values())
        previous = PreviousPeriod(
            before.label,
            {s: by[s] for s in STATUSES},
            sum((s.percent or 0) for s in prev_states.values()) / len(prev_states) / 100,
            sum(s.expected for s in prev_states.values()) / len(prev_states),
        )

    subject = request.subject or brief_subject(plans, tree)
    region_obj = plans[0].region if plans[0].region_id else None
    region = region_obj.name if region_obj else ""
    units = {u.unit_id for t in tasks for u in t.units if not u.is_group}
    data = BriefData(
        kind=request.kind,
        period=period,
        number=request.number or issue_number(request.kind, period),
        subject=subject,
        issuer=f"{region}{subject}工作专班办公室",
        issued_on=local_date(min(now, period.end_at)),
        as_of=as_of,
        headline=headline,
        campaigns=campaigns,
        targets=target_lines,
        lagging=lagging,
        lagging_by_region=lagging_by_region(tasks, lines, region_of),
        problems=problem_lines,
        reporting=reporting,
        ranking=ranks,
        red_list=[s.unit for s in result.red],
        black_list=[s.unit for s in result.black],
        distribution=[f"报：{region}委、{region}人民政府领导。" if region else "报：有关领导。", "送：各责任单位。"],
        honours=honours,
        rules=scheme.rules_text(),
        previous=previous,
        region=region,
        region_level=region_obj.level if region_obj else "市",
        doc_code=doc_code(region_obj, subject),
        copies=len(units) + 10,
    )
    data.charts = default_charts(data)
    return data
