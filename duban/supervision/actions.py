"""Every change 督办 makes: notices and their steps, problems, 批示, the automatic check.

Each ``do_*`` function writes its rows, the step row (who, when, note) and the audit entry in one
transaction, after checking permission (when a user is given; ``user=None`` is the command line
or the system itself) and the lifecycle (:mod:`duban.supervision.lifecycle`). Bad input raises
:class:`SupervisionError` / :class:`~duban.supervision.lifecycle.TransitionError` (Chinese
messages) or ``PermissionDenied`` and leaves the database as it was.

``at`` (default: now) is when the step happened; the simulation passes simulated times.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from duban.accounts import permissions
from duban.accounts.roles import INSTRUCT, RECEIVE_PROMPTS, UNIT
from duban.audit.trail import record, system_user
from duban.ingest.text import norm_key
from duban.plans import clock
from duban.plans.members import responsible_units
from duban.plans.models import Plan, Task, TaskUnit, Unit
from duban.plans.periods import local_date, local_datetime
from duban.plans.programmes import plan_windows
from duban.supervision import lifecycle, rules
from duban.supervision.facts import task_facts
from duban.supervision.hooks import notice_changed
from duban.supervision.lifecycle import TransitionError
from duban.supervision.models import (
    BLUE,
    COLOR_LABELS,
    KIND_LABELS,
    NOTICE,
    PROMPT,
    RED,
    Instruction,
    Notice,
    NoticeEvent,
    Problem,
    ProblemEvent,
    TaskCheck,
)
from duban.supervision.numbering import next_number, task_region
from duban.tracking.models import ProgressReport
from duban.tracking.schedule import PlanTree


class SupervisionError(ValueError):
    """Bad input to a 督办 action; the message is for the user (Chinese)."""


__all__ = [
    "SupervisionError",
    "TransitionError",
    "check_instant",
    "do_add_instruction",
    "do_assign_problem",
    "do_close",
    "do_close_problem",
    "do_feedback",
    "do_generate_notices",
    "do_issue_notice",
    "do_record_problems",
    "do_resolve_problem",
    "do_sign",
]


def _who(user, actor_name: str) -> str:
    if actor_name:
        return actor_name
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()
    return system_user()


def _user(user):
    """The user to store on a row (None for the command line / system)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _when(at: datetime | None) -> datetime:
    return at or clock.now()


def check_instant(as_of: date) -> datetime:
    """The moment a check on day ``as_of`` looks at: the end of that day (local midnight after),
    or the present moment when ``as_of`` is today (what is due later today is not yet overdue)."""
    real = clock.now()
    if local_date(real) == as_of:
        return real
    return local_datetime(as_of + timedelta(days=1), time(0))


# --- notices ---------------------------------------------------------------------------------


def notice_snapshot(notice: Notice) -> dict:
    return {
        "number": notice.number,
        "kind": KIND_LABELS[notice.kind],
        "color": COLOR_LABELS[notice.color],
        "state": lifecycle.NOTICE_STATE_LABELS[notice.state],
        "task": notice.task_id,
        "units": sorted(notice.units.values_list("name", flat=True)) if notice.pk else [],
        "leaders": list(notice.leaders),
    }


def _require_supervisor(user, task: Task, what: str) -> None:
    if user is not None and not permissions.can_supervise(user, task):
        raise PermissionDenied(f"您无权{what}（只有督查室或本仗专班办公室可以）")


def _acting_unit(user, notice: Notice, what: str, unit: Unit | None = None) -> Unit | None:
    """The addressed unit acting on ``notice``: the reporter's own unit, or ``unit`` named on the
    command line (no user); the office / task force act on the units' behalf (None)."""
    if unit is not None and not notice.units.filter(pk=unit.pk).exists():
        raise SupervisionError(f"“{unit.name}”不是{notice.number}的督办对象")
    if user is None:
        return unit
    if notice.kind == PROMPT and permissions.may(user, RECEIVE_PROMPTS):
        return None
    if permissions.scope_of(user) == UNIT:
        profile = permissions.profile_of(user)
        unit = notice.units.filter(pk=profile.unit_id).first()
        if unit is not None:
            return unit
    if permissions.can_supervise(user, notice.task):
        return None
    raise PermissionDenied(f"您无权{what}{notice.number}（不是督办对象单位）")


def _event(notice, step, user, actor_name, at, note="", unit=None) -> NoticeEvent:
    return NoticeEvent.objects.create(
        notice=notice,
        step=step,
        state=notice.state,
        actor=_user(user),
        actor_name=_who(user, actor_name),
        unit=unit,
        at=at,
        note=note,
    )


@transaction.atomic
def do_issue_notice(
    task: Task,
    *,
    color: str,
    reason: str,
    units: list[Unit] | None = None,
    kind: str = NOTICE,
    leaders: list[str] | None = None,
    as_of: date | None = None,
    user=None,
    actor_name: str = "",
    at: datetime | None = None,
    cause: str = "",
    auto: bool = False,
) -> Notice:
    """Issue (下发) a numbered 督办单 to ``units`` of ``task`` (default: its lead units), or a 提示单.

    A 提示单 is addressed to the task's 责任领导 (``leaders``, default ``task.leaders``).
    """
    _require_supervisor(user, task, "下发督办单")
    if color not in COLOR_LABELS:
        raise SupervisionError(f"颜色“{color}”无效，应为 blue（蓝色）、yellow（黄色）或 red（红色）")
    if kind not in KIND_LABELS:
        raise SupervisionError(f"类别“{kind}”无效，应为 notice（督办单）或 prompt（提示单）")
    if not (reason or "").strip():
        raise SupervisionError("督办事由不能为空")
    if not task.active:
        raise SupervisionError(f"任务“{rules.short(task.title)}”已失效，不能督办")
    # the units that report on the task: those it names and the members of its group units
    responsible = responsible_units(tasks=[task]).get(task.pk, [])
    if units is None:
        wanted = [r.unit_id for r in responsible if r.role == TaskUnit.LEAD] or [r.unit_id for r in responsible]
        found = Unit.objects.in_bulk(wanted)
        units = [found[pk] for pk in wanted]
    allowed = {r.unit_id for r in responsible}
    stray = [u.name for u in units if u.pk not in allowed]
    if stray:
        raise SupervisionError(f"单位“{'、'.join(stray)}”不是任务“{rules.short(task.title)}”的责任单位")
    leaders = list(task.leaders) if leaders is None and kind == PROMPT else list(leaders or [])
    if kind == NOTICE and not units:
        raise SupervisionError(f"任务“{rules.short(task.title)}”没有责任单位，无法下发督办单")
    at = _when(at)
    as_of = as_of or timezone.localdate(at)
    region = task_region(task)
    seq, number = next_number(region, as_of.year, kind)
    notice = Notice.objects.create(
        number=number,
        region=region,
        year=as_of.year,
        seq=seq,
        kind=kind,
        color=color,
        plan_id=task.plan_id,
        task=task,
        leaders=leaders,
        reason=reason.strip(),
        cause=cause,
        auto=auto,
        as_of=as_of,
        issued_at=at,
    )
    notice.units.set(units)
    event = _event(notice, lifecycle.ISSUE, user, actor_name, at, note="自动生成" if auto else "")
    to = "、".join([u.name for u in units] if kind == NOTICE else leaders) or "（未载明责任领导）"
    record(
        "notice.issue",
        notice,
        summary=f"下发{notice.title}：{to}。{notice.reason}",
        after=notice_snapshot(notice),
        actor=_user(user),
        actor_name=_who(user, actor_name),
    )
    notice_changed(notice, event)
    return notice


def _step(notice: Notice, step: str, user, *, actor_name, at, note, forced=False, unit=None) -> Notice:
    """Move ``notice`` by ``step`` (locked row), with its event and audit entry."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    before = notice_snapshot(notice)
    notice.state = lifecycle.notice_step(notice.state, step, forced=forced)
    at = _when(at)
    if notice.state == lifecycle.CLOSED:
        notice.closed_at = at
    notice.save(update_fields=["state", "closed_at"])
    event = _event(notice, step, user, actor_name, at, note=note, unit=unit)
    label = lifecycle.NOTICE_STEP_LABELS[step]
    by = f"（{unit.name}）" if unit else ""
    record(
        f"notice.{step}",
        notice,
        summary=f"{notice.title}{label}{by}" + (f"：{note}" if note else ""),
        before=before,
        after=notice_snapshot(notice),
        actor=_user(user),
        actor_name=_who(user, actor_name),
    )
    notice_changed(notice, event)
    return notice


@transaction.atomic
def do_sign(
    notice: Notice,
    user=None,
    *,
    unit: Unit | None = None,
    actor_name: str = "",
    at: datetime | None = None,
    note: str = "",
) -> Notice:
    """签收: an addressed unit (or the office on its behalf) acknowledges the notice."""
    unit = _acting_unit(user, notice, "签收", unit)
    return _step(notice, lifecycle.SIGN, user, actor_name=actor_name, at=at, note=note, unit=unit)


@transaction.atomic
def do_feedback(
    notice: Notice,
    text: str,
    user=None,
    *,
    unit: Unit | None = None,
    actor_name: str = "",
    at: datetime | None = None,
) -> Notice:
    """反馈: the unit says what it did about the notice (may be repeated before 办结)."""
    if not (text or "").strip():
        raise SupervisionError("反馈内容不能为空")
    unit = _acting_unit(user, notice, "反馈", unit)
    return _step(notice, lifecycle.FEEDBACK, user, actor_name=actor_name, at=at, note=text.strip(), unit=unit)


@transaction.atomic
def do_close(
    notice: Notice,
    user=None,
    *,
    note: str = "",
    actor_name: str = "",
    at: datetime | None = None,
    forced: bool = False,
) -> Notice:
    """办结: the office closes a notice after its 反馈; ``forced`` (system only) closes any open one."""
    _require_supervisor(user, notice.task, "办结督办单")
    if forced and user is not None:
        raise PermissionDenied("只有系统可以在反馈前办结督办单")
    return _step(notice, lifecycle.CLOSE, user, actor_name=actor_name, at=at, note=note, forced=forced)


# --- the automatic check ---------------------------------------------------------------------


@dataclass
class CheckReport:
    """What one check did: notices issued and closed, prompts, and each task's colour."""

    as_of: date
    issued: list[Notice] = field(default_factory=list)
    closed: list[Notice] = field(default_factory=list)
    kept: int = 0
    prompts: list[Notice] = field(default_factory=list)
    colors: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    causes: set[str] = field(default_factory=set)  # every cause found (open notice or not)


def plan_tasks(plans) -> list[Task]:
    """The active tasks of ``plans`` (Plans or ids) and of the plans under them (a 工作方案's 任务清单)."""
    if isinstance(plans, Plan | int):
        plans = [plans]
    tree = PlanTree.load()
    ids = set().union(*(tree.down(p if isinstance(p, int) else p.pk) for p in plans))
    return list(
        Task.objects.filter(plan_id__in=ids, active=True)
        .select_related("plan", "plan__source_document")
        # not the file's text with every task: a province's 5.7 万 rows repeated it (about 9 GB, a minute)
        .defer("plan__source_document__text", "plan__source_document__warnings")
        # units joined, not prefetched: a province's 1.2 万 unit ids in one IN list overflow SQLite's
        # expression depth (Django spells a long pk list as ORs there)
        .prefetch_related(Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit")))
        .order_by("plan_id", "order")
    )


@transaction.atomic
def do_generate_notices(plans, as_of: date, *, actor_name: str = "") -> CheckReport:
    """The automatic 督办 check of ``plans`` on day ``as_of``; idempotent for a given day.

    Rules (see docs/supervision.md): one open automatic notice per cause (red: task+unit,
    blue: task+unit, yellow: task) — a cause with an open notice gets no second one; a red notice
    closes the same unit's open blue one (升级); an open blue notice whose cause is gone is closed
    by the system; yellow and red notices stay open until the unit's 反馈 and the office's 办结.
    A task red at :data:`~rules.PROMPT_CHECKS` consecutive checks or for :data:`~rules.PROMPT_DAYS`
    days gets one 提示单 to its 责任领导 per red streak.
    """

    now = check_instant(as_of)
    at = min(clock.now(), now - timedelta(minutes=1))  # a past check happens at 23:59 that day
    actor_name = actor_name or "系统（自动督办）"
    windows = plan_windows()  # a programme is checked only inside its period (none before, none once archived)
    tasks = [
        t for t in plan_tasks(plans)
        if t.plan_id not in windows or windows[t.plan_id][0] <= as_of <= windows[t.plan_id][1]
    ]  # fmt: skip
    report = CheckReport(as_of)
    report.problems = _collect_problems(tasks, now, actor_name)
    facts = task_facts(tasks, now)
    open_auto = {n.cause: n for n in open_at(tasks, now).filter(auto=True).exclude(kind=PROMPT)}
    units = Unit.objects.in_bulk({u for f in facts.values() for u in f.unit_names})
    seen: set[str] = set()
    for task in tasks:
        found = rules.findings(facts[task.pk], now)
        report.colors[task.pk] = rules.task_color(facts[task.pk], found)
        for f in found:
            seen.add(f.cause)
            if f.cause in open_auto:
                report.kept += 1
                continue
            notice = do_issue_notice(
                task,
                color=f.color,
                reason=f.reason,
                units=[units[u] for u in f.unit_ids],
                as_of=as_of,
                at=at,
                cause=f.cause,
                auto=True,
                actor_name=actor_name,
            )
            report.issued.append(notice)
            if f.color == RED:
                blue = open_auto.pop(f"blue:{task.pk}:{f.unit_ids[0]}", None)
                if blue is not None and blue.is_open:
                    note = f"已逾期，升级为{notice.title}"
                    report.closed.append(do_close(blue, note=note, at=at, forced=True, actor_name=actor_name))
            open_auto[f.cause] = notice
    for cause, notice in open_auto.items():
        if notice.color == BLUE and cause not in seen and notice.is_open:
            note = "原因已消除（已报送），系统自动办结"
            report.closed.append(do_close(notice, note=note, at=at, forced=True, actor_name=actor_name))
    for task in tasks:
        TaskCheck.objects.update_or_create(
            task=task,
            as_of=as_of,
            defaults={"color": report.colors[task.pk], "status": facts[task.pk].status},
        )
    report.causes = seen
    report.prompts = _issue_prompts(tasks, as_of, at, actor_name, facts)
    record(
        "supervision.check",
        None,
        summary=(
            f"督办检查（{as_of}）：任务 {len(tasks)} 项，新下发 {len(report.issued)} 份、"
            f"自动办结 {len(report.closed)} 份、提示单 {len(report.prompts)} 份、新问题 {len(report.problems)} 条"
        ),
        after={
            "as_of": as_of.isoformat(),
            "plans": sorted({t.plan_id for t in tasks}),
            "issued": [n.number for n in report.issued],
            "closed": [n.number for n in report.closed],
            "prompts": [n.number for n in report.prompts],
        },
        actor_name=actor_name,
    )
    return report


def open_at(tasks, now: datetime):
    """Notices of ``tasks`` that were open at the instant ``now`` (issued by then, not yet closed).

    A check on a past day sees the notices as they were that day, so re-running it (or replaying
    a season) issues nothing its first run did not.
    """
    return (
        Notice.objects.filter(task__in=tasks, issued_at__lt=now)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=now))
        .select_related("task")
    )


def _issue_prompts(tasks, as_of: date, at: datetime, actor_name: str, facts) -> list[Notice]:
    """提示单 for tasks whose red streak has reached the rule; one per streak."""
    out = []
    red_tasks = [t for t in tasks if TaskCheck.objects.filter(task=t, as_of=as_of, color=RED).exists()]
    for task in red_tasks:
        history = list(TaskCheck.objects.filter(task=task, as_of__lte=as_of).values_list("as_of", "color"))
        start = rules.prompt_due(history)
        if start is None:
            continue
        cause = f"prompt:{task.pk}:{start.isoformat()}"
        if Notice.objects.filter(cause=cause).exists():
            continue
        days = (as_of - start).days
        checks = sum(1 for d, _ in history if d >= start)
        leaders = "、".join(task.leaders) or "责任领导"
        overdue_units = sorted(
            {facts[task.pk].unit_names[u] for u in rules.overdue(facts[task.pk], check_instant(as_of))}
        )
        who = f"，{'、'.join(overdue_units)}逾期未报" if overdue_units else ""
        reason = (
            f"提请{leaders}关注：任务“{rules.short(task.title)}”自{start}起连续{checks}次督办检查"
            f"（{days}天）为红色{who}。"
        )
        out.append(
            do_issue_notice(
                task,
                color=RED,
                reason=reason,
                kind=PROMPT,
                units=[],
                as_of=as_of,
                at=at,
                cause=cause,
                auto=True,
                actor_name=actor_name,
            )
        )
    return out


# --- problems --------------------------------------------------------------------------------


def problem_text(report) -> str:
    """The problem a report raises: its 存在问题 and 需协调事项 (empty: it raises none)."""
    parts = []
    if (report.problems or "").strip():
        parts.append(report.problems.strip())
    if (report.coordination_needs or "").strip():
        parts.append(f"需协调事项：{report.coordination_needs.strip()}")
    return "\n".join(parts)


def problem_key(text: str) -> str:
    """Same problem, same key: NFKC, no spaces or punctuation differences that matter."""
    return hashlib.sha256(norm_key(text).encode()).hexdigest()[:32]


def problem_snapshot(p: Problem) -> dict:
    return {
        "state": lifecycle.PROBLEM_STATE_LABELS[p.state],
        "unit": p.unit.name,
        "assignee": p.assignee.name if p.assignee_id else None,
        "task": p.task_id,
    }


@transaction.atomic
def do_record_problems(report, *, actor_name: str = "") -> Problem | None:
    """Enter the problem a report version raises into the 问题清单 (once per unit, task and text).

    Returns the new problem, or None when the report raises none or repeats a known one.
    """
    text = problem_text(report)
    if not text:
        return None
    key = problem_key(text)
    if Problem.objects.filter(task_id=report.task_id, unit_id=report.unit_id, key=key).exists():
        return None
    problem = Problem.objects.create(
        task_id=report.task_id,
        unit_id=report.unit_id,
        report=report,
        period=report.period,
        text=text,
        key=key,
        raised_at=report.submitted_at,
    )
    who = _who(report.submitted_by, report.unit.name)  # raised by the unit, whoever swept it in
    ProblemEvent.objects.create(
        problem=problem,
        step=lifecycle.RAISE,
        state=problem.state,
        actor=report.submitted_by,
        actor_name=who,
        at=report.submitted_at,
        note=f"{report.period} 第{report.version}版报送",
    )
    record(
        "problem.raise",
        problem,
        summary=f"{report.unit.name}在{report.period}报送中提出问题：{text[:80]}",
        after=problem_snapshot(problem),
        actor=report.submitted_by,
        actor_name=who,
    )
    return problem


def _collect_problems(tasks, now: datetime, actor_name: str) -> list[Problem]:
    """Problems of reports submitted up to ``now`` not yet in the list (a sweep; idempotent)."""
    reports = (
        ProgressReport.objects.filter(task__in=tasks, submitted_at__lt=now)
        .exclude(problems="", coordination_needs="")
        .exclude(raised_problems__isnull=False)
        .select_related("unit", "submitted_by")
        .order_by("submitted_at", "id")
    )
    return [p for r in reports if (p := do_record_problems(r, actor_name=actor_name))]


def _problem_step(
    problem: Problem, step: str, user, *, note: str, actor_name: str, at, assignee=None
) -> Problem:
    _require_supervisor(user, problem.task, "处理问题清单")
    problem = (
        Problem.objects.select_for_update(of=("self",)).select_related("unit", "assignee").get(pk=problem.pk)
    )
    before = problem_snapshot(problem)
    problem.state = lifecycle.problem_step(problem.state, step, note=note)
    at = _when(at)
    if assignee is not None:
        problem.assignee = assignee
    if problem.state == lifecycle.PROBLEM_CLOSED:
        problem.closed_at = at
    problem.save(update_fields=["state", "assignee", "closed_at"])
    ProblemEvent.objects.create(
        problem=problem,
        step=step,
        state=problem.state,
        actor=_user(user),
        actor_name=_who(user, actor_name),
        at=at,
        note=note,
    )
    record(
        f"problem.{step}",
        problem,
        summary=f"问题清单 #{problem.pk}{lifecycle.PROBLEM_STEP_LABELS[step]}"
        + (f"：{note}" if note else ""),
        before=before,
        after=problem_snapshot(problem),
        actor=_user(user),
        actor_name=_who(user, actor_name),
    )
    return problem


@transaction.atomic
def do_assign_problem(
    problem: Problem, assignee: Unit, user=None, *, note: str = "", actor_name: str = "", at=None
):
    """交办协调: give the problem to a unit to coordinate (待协调/协调中 → 协调中)."""
    if assignee is None:
        raise SupervisionError("请指定协调单位")
    note = note or f"交由{assignee.name}协调"
    return _problem_step(
        problem, lifecycle.ASSIGN, user, note=note, actor_name=actor_name, at=at, assignee=assignee
    )


@transaction.atomic
def do_resolve_problem(problem: Problem, user=None, *, note: str = "", actor_name: str = "", at=None):
    """解决: the problem is solved (待协调/协调中 → 已解决)."""
    return _problem_step(problem, lifecycle.RESOLVE, user, note=note, actor_name=actor_name, at=at)


@transaction.atomic
def do_close_problem(problem: Problem, user=None, *, note: str = "", actor_name: str = "", at=None):
    """关闭: take the problem off the list (an unresolved one needs a note)."""
    return _problem_step(problem, lifecycle.SHUT, user, note=note, actor_name=actor_name, at=at)


# --- 批示 --------------------------------------------------------------------------------------


def may_instruct(user, task: Task) -> bool:
    """The accounts helper's rule (can_instruct / can_write_instruction), else leader or office."""
    check = getattr(permissions, "can_instruct", None) or getattr(permissions, "can_write_instruction", None)
    if check is not None:
        return check(user, task)
    return permissions.may(user, INSTRUCT)


@transaction.atomic
def do_add_instruction(user, task: Task, text: str, *, at: datetime | None = None) -> Instruction:
    """A leader's 批示 on ``task``; shown on its timeline."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录再作批示")
    if not may_instruct(user, task):
        raise PermissionDenied("只有领导可以对任务作出批示")
    text = (text or "").strip()
    if not text:
        raise SupervisionError("批示内容不能为空")
    name = user.get_full_name() or user.get_username()
    instruction = Instruction.objects.create(
        task=task, author=user, author_name=name, text=text, at=_when(at)
    )
    record(
        "instruction.add",
        instruction,
        summary=f"{name}对任务“{rules.short(task.title)}”批示：{text[:80]}",
        after={"task": task.pk, "text": text},
        actor=user,
    )
    return instruction
