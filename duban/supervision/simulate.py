"""A simulated reporting season (the issue's acceptance scenario): units report, the office chases.

Every write goes through the real actions: ``do_submit_report`` (tracking), ``do_refresh_statuses``,
``do_generate_notices``, ``do_sign`` / ``do_feedback`` / ``do_close``, the problem actions. Nothing
is random at run time: each unit's behaviour and every lateness come from a hash of the seed and
names, so the same seed on the same plans plays the same season.

Profiles (each unit keeps one for the whole season; units ranked by hash(seed, unit name)):

* 不报 (silent, the first :data:`SILENT_SHARE` of units, at least one): never reports, never signs.
* 迟报 (late, the next :data:`LATE_SHARE`, at least one): reports every item 1–6 days after it was
  due (exactly whole days, so the lateness is known), with percent at 80% of 序时进度 and self
  status 滞后; raises a problem (存在问题 + 需协调事项) in its reports, always the same text for a
  task, and corrects its first report of each task once (a second version repeating the problem);
  signs each notice the morning after it is issued, and answers it (反馈) after its next report.
* 按时 (on time, the rest): reports every item before it is due (2 hours before a daily item,
  at 10:00 the day before others) with percent at 序时进度 + 5 points (with ``ahead``, the
  序时进度 one reporting period later: a unit ahead of plan stays on track until its next report),
  self status 正常推进;
  signs and answers notices like the late units.

The office (督查室, played by the simulation) runs a check at the end of every 旬 (and on the last
day): refreshes statuses, generates notices, closes (办结) answered notices whose cause is gone,
assigns each new problem to another unit of its task for coordination, and marks problems
assigned at an earlier check as resolved.

Running the same simulation again adds nothing: reports already made are skipped, and the check
is idempotent.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction

from duban.plans.members import responsible_units
from duban.plans.models import Task, TaskUnit, Unit
from duban.plans.periods import local_date, local_datetime, parse_period, period_containing
from duban.supervision import actions, lifecycle
from duban.supervision.models import COLOR_LABELS, KIND_LABELS, Notice, Problem
from duban.tracking.actions import do_refresh_statuses, do_submit_report
from duban.tracking.calendar import due_items
from duban.tracking.models import LAGGING, ON_TRACK, ProgressReport
from duban.tracking.status import task_states, task_window, window_share

ON_TIME, LATE, SILENT = "按时", "迟报", "不报"
SILENT_SHARE = 0.15
LATE_SHARE = 0.25
MAX_LATE_DAYS = 6
OFFICE = "督查室（模拟）"
PROBLEMS = [
    ("项目建设资金未全部到位，进度受影响", "需市财政局协调资金拨付"),
    ("项目用地报批手续尚未完成", "需市自然资源局加快用地审批"),
    ("部门间数据共享不畅，统计口径不一", "需市数据局协调数据共享"),
    ("专业人员不足，工作推进偏慢", "需市委编办、市人社局支持人员调配"),
]


def _hash(*parts) -> int:
    return int(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:12], 16)


def assign_profiles(
    units: list[Unit], seed: int, shares: tuple[float, float] = (SILENT_SHARE, LATE_SHARE)
) -> dict[int, str]:
    """{unit id: profile}: units ranked by hash(seed, name); silent first, then late, then on time.
    ``shares``: the (silent, late) shares of the units."""
    ranked = sorted(units, key=lambda u: (_hash(seed, u.name), u.pk))
    n = len(ranked)
    silent = max(1, math.ceil(n * shares[0])) if n >= 3 else 0
    late = max(1, math.ceil(n * shares[1])) if n >= 2 else 0
    out = {}
    for i, u in enumerate(ranked):
        out[u.pk] = SILENT if i < silent else LATE if i < silent + late else ON_TIME
    return out


def late_days(seed: int, unit_id: int, task_id: int, period_code: str) -> int:
    """How many whole days a late unit is late with this report (1–6)."""
    return 1 + _hash(seed, "late", unit_id, task_id, period_code) % MAX_LATE_DAYS


@dataclass(frozen=True)
class Planned:
    """One report the season owes: who, on what, for which period, when due, when it will come."""

    unit_id: int
    task_id: int
    period_code: str
    due: datetime
    at: datetime | None  # None: never (silent unit, or after the season)
    late_days: int = 0


@dataclass
class Outcome:
    """What the season did, for the summary and the tests."""

    start: date
    end: date
    seed: int
    profiles: dict[int, str] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)
    planned: list[Planned] = field(default_factory=list)
    submitted: int = 0
    skipped: int = 0
    checks: list[actions.CheckReport] = field(default_factory=list)
    task_ids: list[int] = field(default_factory=list)
    ahead: bool = False  # punctual units work a reporting period ahead of 序时进度

    def units_with(self, profile: str) -> list[int]:
        return sorted(u for u, p in self.profiles.items() if p == profile)


def plan_season(
    plans, start: date, end: date, seed: int, shares: tuple[float, float] = (SILENT_SHARE, LATE_SHARE)
) -> Outcome:
    """Every reporting item of ``plans`` due in start..end, with each unit's planned submission."""
    tasks = actions.plan_tasks(plans)
    wanted = {t.pk for t in tasks}
    owed: dict[tuple[int, int, str], tuple] = {}
    for item in due_items([t.plan_id for t in tasks], start, end):
        if not item.reporting:
            continue
        for unit_id, task_ids in item.unit_tasks.items():
            for task_id in task_ids:
                key = (unit_id, task_id, item.period.code)
                if task_id in wanted and (key not in owed or item.due < owed[key][0]):
                    owed[key] = (item.due, item.period)
    unit_ids = {u for u, _, _ in owed}
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("pk"))
    out = Outcome(start, end, seed, assign_profiles(units, seed, shares), {u.pk: u.name for u in units})
    out.task_ids = [t.pk for t in tasks]
    last = local_datetime(end + timedelta(days=1), time(0))
    for (unit_id, task_id, code), (due, period) in sorted(owed.items(), key=lambda kv: (kv[1][0], kv[0])):
        profile = out.profiles[unit_id]
        at, days = None, 0
        if profile == ON_TIME:
            at = (
                due - timedelta(hours=2)
                if period.kind == "日"
                else local_datetime(local_date(due) - timedelta(days=1), time(10))
            )
            at = max(at, period.start_at)
        elif profile == LATE:
            days = late_days(seed, unit_id, task_id, code)
            at = due + timedelta(days=days)
        if at is not None and at >= last:
            at = None  # would come after the season
        out.planned.append(Planned(unit_id, task_id, code, due, at, days))
    return out


def check_days(start: date, end: date) -> list[date]:
    """The last day of every 旬 in start..end, and ``end`` itself."""
    days, day = [], period_containing("旬", start).end
    while day <= end:
        days.append(day)
        day = period_containing("旬", day + timedelta(days=1)).end
    if not days or days[-1] != end:
        days.append(end)
    return days


@transaction.atomic
def simulate(
    plans, start: date, end: date, seed: int = 1, progress=None,
    shares: tuple[float, float] = (SILENT_SHARE, LATE_SHARE), ahead: bool = False,
) -> Outcome:
    """Play the season for ``plans`` from ``start`` to ``end`` (see the module docstring); ``shares``:
    the (silent, late) shares of the units; ``ahead``: punctual units work a period ahead of plan.

    ``progress(day, outcome)`` is called at the end of every month played (and on ``end``): a
    season takes a minute, a console shows it is moving."""
    season = plan_season(plans, start, end, seed, shares)
    season.ahead = ahead
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=season.task_ids).select_related("plan")}
    units = Unit.objects.in_bulk(list(season.profiles))
    leads = {
        (r.task_id, r.unit_id)
        for rs in responsible_units(tasks=season.task_ids).values()
        for r in rs
        if r.role == TaskUnit.LEAD
    }
    made = set(
        ProgressReport.objects.filter(task_id__in=season.task_ids).values_list("task_id", "unit_id", "period")
    )
    by_day: dict[date, list[Planned]] = {}
    for p in season.planned:
        if p.at is not None:
            by_day.setdefault(local_date(p.at), []).append(p)
    checks = set(check_days(start, end))
    corrected: set[tuple[int, int]] = set()
    day = start
    while day <= end:
        _sign_notices(season, day)
        for p in sorted(by_day.get(day, []), key=lambda p: (p.at, p.unit_id, p.task_id)):
            if (p.task_id, p.unit_id, p.period_code) in made:
                season.skipped += 1
                continue
            task, unit = tasks[p.task_id], units[p.unit_id]
            fields = _report_fields(season, task, unit, p, (p.task_id, p.unit_id) in leads)
            report = do_submit_report(unit, task, p.period_code, at=p.at, **fields)
            made.add((p.task_id, p.unit_id, p.period_code))
            season.submitted += 1
            if season.profiles[p.unit_id] == LATE and (p.task_id, p.unit_id) not in corrected:
                corrected.add((p.task_id, p.unit_id))
                fields["narrative"] += "（更正：补充数据）"
                do_submit_report(unit, task, p.period_code, at=p.at + timedelta(hours=1), **fields)
                season.submitted += 1
            _answer_notices(season, task, unit, report)
        if day in checks:
            now = actions.check_instant(day)
            do_refresh_statuses([t.plan_id for t in tasks.values()], now - timedelta(seconds=1))
            season.checks.append(
                actions.do_generate_notices(sorted({t.plan_id for t in tasks.values()}), day)
            )
            _office_round(season, day)
        if progress is not None and (day == end or (day + timedelta(days=1)).day == 1):
            progress(day, season)
        day += timedelta(days=1)
    return season


def _report_fields(season: Outcome, task: Task, unit: Unit, p: Planned, lead: bool) -> dict:
    start, end, _ = task_window(task.deadline, p.at)
    expected = window_share(start, end, p.at) * 100
    if season.profiles[unit.pk] == LATE:
        percent, status = round(expected * 0.8, 1), LAGGING
        problem, need = PROBLEMS[_hash(season.seed, "problem", unit.pk, task.pk) % len(PROBLEMS)]
        narrative = f"{unit.name}按计划推进，受客观因素影响进度偏慢。"
    else:
        if season.ahead:
            period = parse_period(p.period_code)
            expected = window_share(start, end, p.at + (period.end - period.start) + timedelta(days=1)) * 100
        percent, status = min(100.0, round(expected + 5, 1)), ON_TRACK
        problem = need = ""
        narrative = f"{unit.name}按计划推进，各项工作有序开展。"
    return {
        "narrative": narrative,
        "percent": percent,
        "status": status,
        "problems": problem,
        "needs": need,
        "consolidated": False,
    }


def _unit_notices(unit_id: int, state: str):
    return Notice.objects.filter(units__id=unit_id, state=state, kind="notice").select_related("task")


def _sign_notices(season: Outcome, day: date) -> None:
    """09:00: every reporting unit (not the silent ones) signs the notices issued to it before today."""
    at = local_datetime(day, time(9))
    issued = (
        Notice.objects.filter(
            kind="notice", state=lifecycle.ISSUED, issued_at__lt=at, task_id__in=season.task_ids
        )
        .prefetch_related("units")
        .order_by("pk")
    )
    for notice in issued:
        signers = [u for u in notice.units.all() if season.profiles.get(u.pk, SILENT) != SILENT]
        if signers:
            actions.do_sign(notice, unit=signers[0], actor_name=signers[0].name, at=at, note="已收悉")


def _answer_notices(season: Outcome, task: Task, unit: Unit, report: ProgressReport) -> None:
    """After a report, the unit answers (反馈) its signed notices on that task."""
    at = report.submitted_at + timedelta(minutes=5)
    for notice in _unit_notices(unit.pk, lifecycle.SIGNED).filter(signed_before(at), task=task).distinct():
        late = f"（逾期{report.late_by.days}天）" if report.late_by else ""
        text = f"已报送{report.period_obj.label}进展{late}，将加快推进。"
        actions.do_feedback(notice, text, unit=unit, actor_name=unit.name, at=at)


def signed_before(at: datetime):
    from django.db.models import Q

    return Q(events__step=lifecycle.SIGN, events__at__lte=at)


def _office_round(season: Outcome, day: date) -> None:
    """After a check: close answered notices whose cause is gone; move the problem list on."""
    report = season.checks[-1]
    at = actions.check_instant(day) - timedelta(seconds=30)
    open_causes = report.causes
    answered = Notice.objects.filter(
        task_id__in=season.task_ids,
        state=lifecycle.ANSWERED,
        events__step=lifecycle.FEEDBACK,
        events__at__lt=at,
    ).distinct()
    for notice in answered:
        if notice.cause and notice.cause not in open_causes:
            actions.do_close(notice, note="已整改到位，予以办结", actor_name=OFFICE, at=at)
    problems = Problem.objects.filter(task_id__in=season.task_ids).select_related("task", "unit")
    new_ids = {p.pk for p in report.problems}
    earlier = problems.filter(
        state=lifecycle.COORDINATING, events__step=lifecycle.ASSIGN, events__at__lt=at - timedelta(days=1)
    )
    for problem in earlier.distinct():
        actions.do_resolve_problem(problem, note="经协调已解决", actor_name=OFFICE, at=at)
    for problem in problems.filter(state=lifecycle.PENDING, pk__in=new_ids):
        other = (
            TaskUnit.objects.filter(task_id=problem.task_id, unit__is_group=False)
            .exclude(unit_id=problem.unit_id)
            .select_related("unit")
            .order_by("order")
            .first()
        )
        if other is not None:
            actions.do_assign_problem(problem, other.unit, actor_name=OFFICE, at=at)


# --- the summary -----------------------------------------------------------------------------


def summary(season: Outcome, as_of: date | None = None) -> dict:
    """Figures of the season: profiles, reports on time / late / missing, statuses, notices, problems."""
    as_of = as_of or season.end
    now = actions.check_instant(as_of)
    profiles = Counter(season.profiles.values())
    due_by_end = [p for p in season.planned if p.due < now]
    reports = {
        (r.task_id, r.unit_id, r.period): r
        for r in ProgressReport.objects.filter(task_id__in=season.task_ids, version=1, submitted_at__lt=now)
    }
    on_time = late = missing = 0
    late_days_total = 0
    for p in due_by_end:
        r = reports.get((p.task_id, p.unit_id, p.period_code))
        if r is None:
            missing += 1
        elif r.late_by:
            late += 1
            late_days_total += r.late_by.days
        else:
            on_time += 1
    states = task_states(season.task_ids, now - timedelta(seconds=1))
    notices = Notice.objects.filter(task_id__in=season.task_ids)
    colors = Counter((n.kind, n.color) for n in notices)
    notice_states = Counter(n.state for n in notices)
    problems = Counter(Problem.objects.filter(task_id__in=season.task_ids).values_list("state", flat=True))
    return {
        "from": season.start.isoformat(),
        "to": season.end.isoformat(),
        "seed": season.seed,
        "units": {k: profiles.get(k, 0) for k in (ON_TIME, LATE, SILENT)},
        "tasks": len(season.task_ids),
        "reports_due": len(due_by_end),
        "on_time": on_time,
        "late": late,
        "late_days_avg": round(late_days_total / late, 1) if late else 0,
        "missing": missing,
        "submissions": season.submitted,
        "statuses": dict(Counter(s.status for s in states.values()).most_common()),
        "lights": dict(Counter(s.light for s in states.values()).most_common()),
        "notices": {
            f"{COLOR_LABELS[c]}{KIND_LABELS[k]}": colors[(k, c)]
            for k, c in sorted(colors, key=lambda x: (x[0], x[1]))
        },
        "notice_states": {
            lifecycle.NOTICE_STATE_LABELS[s]: notice_states.get(s, 0) for s, _ in lifecycle.NOTICE_STATES
        },
        "problems": {
            lifecycle.PROBLEM_STATE_LABELS[s]: problems.get(s, 0) for s, _ in lifecycle.PROBLEM_STATES
        },
        "checks": [
            {
                "as_of": c.as_of.isoformat(),
                "issued": dict(Counter(f"{COLOR_LABELS[n.color]}{KIND_LABELS[n.kind]}" for n in c.issued)),
                "closed": len(c.closed),
                "prompts": len(c.prompts),
            }
            for c in season.checks
        ],
    }


def summary_lines(
    s: dict, names: dict[int, str] | None = None, profiles: dict[int, str] | None = None
) -> list[str]:
    """The summary in Chinese, for the command line."""
    out = [
        f"模拟 {s['from']} 至 {s['to']}（种子 {s['seed']}）：任务 {s['tasks']} 项",
        f"单位画像：按时 {s['units'][ON_TIME]} 个，迟报 {s['units'][LATE]} 个，不报 {s['units'][SILENT]} 个",
        f"应报 {s['reports_due']} 份：按时 {s['on_time']}，迟报 {s['late']}（平均迟 {s['late_days_avg']} 天），"
        f"未报 {s['missing']}；共提交 {s['submissions']} 份（含更正版本）",
        "任务状态：" + "，".join(f"{k} {v}" for k, v in s["statuses"].items()),
        "灯色："
        + "，".join(
            f"{ {'green': '绿', 'yellow': '黄', 'red': '红'}.get(k, k) }灯 {v}"
            for k, v in s["lights"].items()
        ),
        "督办单：" + ("，".join(f"{k} {v}" for k, v in s["notices"].items()) or "无"),
        "督办单状态：" + "，".join(f"{k} {v}" for k, v in s["notice_states"].items()),
        "问题清单：" + "，".join(f"{k} {v}" for k, v in s["problems"].items()),
        "每旬检查：",
    ]
    for c in s["checks"]:
        issued = "，".join(f"{k} {v}" for k, v in c["issued"].items()) or "无新增"
        prompts = f"，提示单 {c['prompts']} 份" if c["prompts"] else ""
        out.append(f"  {c['as_of']}：新下发 {issued}{prompts}；自动办结 {c['closed']}")
    if names and profiles:
        for profile in (SILENT, LATE):
            units = [names[u] for u, p in sorted(profiles.items()) if p == profile]
            shown = "、".join(units[:8]) + ("等" if len(units) > 8 else "")
            out.append(f"{profile}单位：{shown}")
    return out
