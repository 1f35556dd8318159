"""Every change the tracking app makes: reports, actuals, cadence edits, status refreshes.

Each ``do_*`` function validates everything first (a :class:`TrackingError` in Chinese naming the
problem; then nothing is written), then writes its rows and the audit entry in one transaction.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from duban.audit.trail import record
from duban.plans import clock
from duban.plans.members import members_of_task
from duban.plans.models import Cadence, CadenceItem, Plan, Target, Task, TaskUnit, Unit
from duban.plans.periods import Period, PeriodError, parse_period, require_kind, to_local
from duban.plans.programmes import closed_reason
from duban.tracking.attachments import attachment_problem
from duban.tracking.due_rules import cadence_rules
from duban.tracking.models import (
    SELF_STATUSES,
    ProgressReport,
    ReportAttachment,
    TargetActual,
    TaskStatusChange,
)
from duban.tracking.schedule import PlanTree, TaskSchedule, schedule_for
from duban.tracking.snapshot import add_report, before_report, refresh_snapshots, task_leads
from duban.tracking.status import task_states
from duban.tracking.timeline import format_duration

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # one attachment
MAX_ATTACHMENTS = 10  # per report


class TrackingError(ValidationError):
    """Bad input to a tracking action; the message (Chinese) names the problem. Nothing was written."""

    def __str__(self) -> str:
        return "\n".join(self.messages)


def as_period(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    try:
        return parse_period(period)
    except PeriodError as e:
        raise TrackingError(str(e)) from None


def _number(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TrackingError(f"{what}不是数字：{value!r}") from None
    if math.isnan(number) or math.isinf(number):
        raise TrackingError(f"{what}不是有效数字：{value!r}")
    return number


# ---------------------------------------------------------------- progress reports


def task_label(task: Task) -> str:
    """'#33「坚持战略性重组和专业化整合…」' — short enough for an error message."""
    title = task.title if len(task.title) <= 20 else task.title[:19] + "…"
    return f"#{task.pk}「{title}」"


def _role(task: Task, unit: Unit) -> str | None:
    """The unit's role on the task: named itself, or a member of a group unit the task names
    (a county government under the city's 各县市区人民政府 reports on the task like a co-unit)."""
    roles = {a.role for a in task.assignments.all() if a.unit_id == unit.pk}  # often prefetched
    if not roles:
        roles = {m.role for m in members_of_task(task) if m.unit_id == unit.pk}
    if not roles:
        return None
    return TaskUnit.LEAD if TaskUnit.LEAD in roles else TaskUnit.CO


def task_targets(task: Task) -> dict[int, Target]:
    """The targets a task's report may give actuals for: those of its plan and the plans above it."""
    return Target.objects.filter(plan_id__in=PlanTree.load().up(task.plan_id)).in_bulk()


@dataclass
class _Attachment:
    name: str
    content: bytes


def _read_attachments(attachments) -> list[_Attachment]:
    """(name, bytes) pairs or file objects (Django uploads) → checked in memory before any write:
    count, size, and kind by content (:mod:`duban.tracking.attachments`)."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise TrackingError(f"附件最多 {MAX_ATTACHMENTS} 个，收到 {len(attachments)} 个")
    out = []
    for a in attachments:
        if isinstance(a, tuple | list):
            name, content = a
        else:
            name = getattr(a, "name", "") or ""
            if getattr(a, "size", 0) and a.size > MAX_ATTACHMENT_BYTES:
                raise TrackingError(f"附件“{name}”超过大小上限 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
            content = a.read()
        name = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name:
            raise TrackingError("附件缺少文件名")
        if isinstance(content, str):
            content = content.encode()
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise TrackingError(f"附件“{name}”超过大小上限 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
        problem = attachment_problem(name, content)
        if problem:
            raise TrackingError(problem)
        out.append(_Attachment(name[:200], content))
    return out


def do_submit_report(
    unit: Unit,
    task: Task,
    period: Period | str,
    *,
    narrative: str,
    percent,
    status: str,
    problems: str = "",
    needs: str = "",
    actuals: dict | None = None,
    attachments=(),
    user=None,
    at: datetime | None = None,
    consolidated: bool = False,
    schedule: TaskSchedule | None = None,
) -> ProgressReport:
    """A unit reports its progress on a task for a period: a new version, never an overwrite.

    Lateness is measured against the task's due instant for the period (its cadences). Raises
    :class:`TrackingError` for a unit not responsible for the task, a percent outside 0–100, an
    unknown status, a period the task does not report by, unknown targets or oversized files.
    """
    period = as_period(period)
    at = at or clock.now()
    if not task.active:
        raise TrackingError(f"任务{task_label(task)}已失效（文件修订后已移除），不能报送")
    role = _role(task, unit)
    if role is None:
        raise TrackingError(f"“{unit.name}”不是任务{task_label(task)}的责任单位，不能报送")
    if consolidated and role != TaskUnit.LEAD:
        raise TrackingError(f"“{unit.name}”不是任务{task_label(task)}的牵头单位，不能报送牵头汇总")
    if not (narrative or "").strip():
        raise TrackingError("请填写工作进展")
    percent = _number(percent, "完成进度")
    if not 0 <= percent <= 100:
        raise TrackingError(f"完成进度应在 0–100 之间，收到 {percent:g}")
    if status not in SELF_STATUSES:
        raise TrackingError(f"自评状态“{status}”无效，应为：{'、'.join(SELF_STATUSES)}")
    schedule = schedule or schedule_for(task)  # the caller may have it already (the report form)
    if period.kind not in schedule.kinds:
        raise TrackingError(
            f"“{period.label}”不是该任务的报送周期（该任务按{'、'.join(schedule.kinds)}报送）"
        )
    if period.start > to_local(at).date():
        raise TrackingError(f"“{period.label}”尚未开始，不能报送")
    closed = closed_reason(task.plan_id, period.start, period.end, to_local(at).date())
    if closed:
        raise TrackingError(closed)
    targets = task_targets(task) if actuals else {}
    values = {}
    for target_id, value in (actuals or {}).items():
        target = targets.get(int(target_id)) if str(target_id).isdigit() else None
        if target is None:
            raise TrackingError(f"指标 #{target_id} 不属于任务所在方案，不能在此报送实际值")
        values[target] = _number(value, f"指标“{target.indicator}”的实际值")
    files = _read_attachments(list(attachments))
    due_at = schedule.due_at(period)
    late_by = at - due_at if due_at is not None and at > due_at else None

    leads = {task.pk: task_leads(task)}  # from the assignments already read for the role
    with transaction.atomic():
        # one report of a task at a time (any unit): the version number and the task's snapshot row
        # are computed from the reports this transaction sees (SQLite: BEGIN IMMEDIATE did it already)
        last, facts = before_report(task.pk, unit.pk, period.code)
        report = ProgressReport(
            task=task,
            unit=unit,
            version=last + 1,
            kind=ProgressReport.CONSOLIDATED if consolidated else ProgressReport.UNIT,
            narrative=narrative.strip(),
            percent=percent,
            self_status=status,
            problems=(problems or "").strip(),
            coordination_needs=(needs or "").strip(),
            submitted_at=at,
            submitted_by=user,
            due_at=due_at,
            late_by=late_by,
        )
        report.set_period(period)
        report.save()
        if not add_report(report, leads[task.pk], facts):  # the task's report facts change with the report
            refresh_snapshots([task.pk], leads)  # (tracking.snapshot); from all its reports if need be
        for f in files:
            attachment = ReportAttachment(report=report, name=f.name, size=len(f.content))
            attachment.file.save(f.name, ContentFile(f.content), save=False)
            attachment.save()
        _write_actuals(
            [(t, unit, period, v) for t, v in values.items()], TargetActual.REPORTED, user, at, report=report
        )
        late = f"，逾期 {format_duration(late_by)}" if late_by else ""
        record(
            "submit_report",
            report,
            summary=f"{unit.name} 报送任务{task_label(task)}{period.label}进展（{report.kind}，第{report.version}版）{late}",
            after={
                "task": task.pk,
                "unit": unit.pk,
                "period": period.code,
                "version": report.version,
                "kind": report.kind,
                "percent": percent,
                "status": status,
                "late_by_seconds": int(late_by.total_seconds()) if late_by else None,
                "actuals": {str(t.pk): v for t, v in values.items()},
                "attachments": [f.name for f in files],
            },
            actor=user,
        )
    return report


def latest_reports(task: Task, period: Period | str) -> list[ProgressReport]:
    """The latest version of each unit's report on ``task`` for ``period``, in unit order."""
    period = as_period(period)
    order = {u: k for k, u in enumerate(task.assignments.order_by("order").values_list("unit_id", flat=True))}
    latest: dict[int, ProgressReport] = {}
    for r in (
        ProgressReport.objects.filter(task=task, period=period.code)
        .select_related("unit")
        .order_by("version")
    ):
        latest[r.unit_id] = r
    return sorted(latest.values(), key=lambda r: order.get(r.unit_id, len(order)))


def co_unit_reports(task: Task, period: Period | str) -> list[ProgressReport]:
    """What the lead unit sees before it consolidates: the co-units' latest reports for the period."""
    co = set(task.assignments.filter(role=TaskUnit.CO).values_list("unit_id", flat=True))
    leads = set(task.assignments.filter(role=TaskUnit.LEAD).values_list("unit_id", flat=True))
    return [r for r in latest_reports(task, period) if r.unit_id in co - leads]


# ---------------------------------------------------------------- target actuals


def _write_actuals(rows, source: str, user, at: datetime, report=None) -> list[TargetActual]:
    """rows: (target, unit or None, period, value); each a new version of its target+unit+period."""
    if not rows:
        return []
    latest: dict[tuple, int] = defaultdict(int)
    existing = TargetActual.objects.filter(
        target_id__in={t.pk for t, _, _, _ in rows}, period__in={p.code for _, _, p, _ in rows}
    ).values_list("target_id", "unit_id", "period", "version")
    for target_id, unit_id, code, version in existing:
        key = (target_id, unit_id, code)
        latest[key] = max(latest[key], version)
    out = []
    for target, unit, period, value in rows:
        key = (target.pk, unit.pk if unit else None, period.code)
        latest[key] += 1
        actual = TargetActual(
            target=target,
            unit=unit,
            value=value,
            version=latest[key],
            report=report,
            source=source,
            entered_by=user,
            at=at,
        )
        actual.set_period(period)
        out.append(actual)
    TargetActual.objects.bulk_create(out)
    return out


@transaction.atomic
def do_record_actuals(
    rows, *, source: str = TargetActual.IMPORTED, user=None, at=None, summary: str = ""
) -> list[TargetActual]:
    """Store actual values (target, unit or None, period, value) as new versions, with one audit entry."""
    at = at or clock.now()
    written = _write_actuals(rows, source, user, at)
    record(
        "record_actuals",
        None,
        summary=summary or f"录入指标实际值 {len(written)} 条（{source}）",
        after={"actuals": [[a.target_id, a.unit_id, a.period, a.value, a.version] for a in written]},
        actor=user,
    )
    return written


def latest_actuals(target_ids, as_of: datetime | None = None) -> dict[int, TargetActual]:
    """{target id: the latest actual} (latest period, then newest version) — region-wide rows first."""
    qs = TargetActual.objects.filter(target_id__in=list(target_ids))
    if as_of is not None:
        qs = qs.filter(at__lte=as_of, period_start__lte=to_local(as_of).date())
    best: dict[int, TargetActual] = {}
    for a in qs:
        current = best.get(a.target_id)
        if current is None or _actual_rank(a) > _actual_rank(current):
            best[a.target_id] = a
    return best


def _actual_rank(a: TargetActual):
    """Region-wide values (no unit) first, then the latest period, then the newest entry."""
    return (a.unit_id is None, a.period_end, a.at, a.version)


# ---------------------------------------------------------------- cadences


def _items(items) -> list[tuple[str, str]]:
    out = []
    for every, action in items or []:
        try:
            kind = require_kind(every)
        except PeriodError as e:
            raise TrackingError(str(e)) from None
        action = (action or "").strip()
        if not action:
            raise TrackingError(f"调度事项“{every}”缺少动作（如 报送、简报、通报）")
        out.append((kind, action[: CadenceItem._meta.get_field("action").max_length]))
    if not out:
        raise TrackingError("调度机制至少要有一个事项（周期 + 动作，如 月 报送）")
    return out


def _check_due(items: list[tuple[str, str]], due: str) -> None:
    """The due text must be understood for the items it applies to (as the calendar will read it)."""
    view = {"due": due, "items": [{"every": e, "action": a} for e, a in items]}
    for _, _, rule in cadence_rules(view):
        if not rule.understood:
            raise TrackingError(rule.problem)


def _snapshot(c: Cadence) -> dict:
    return {
        "text": c.text,
        "report_to": c.report_to,
        "due": c.due,
        "origin": c.origin,
        "active": c.active,
        "items": [[i.every, i.action] for i in c.items.order_by("order")],
    }


def _write_items(cadence: Cadence, items) -> None:
    cadence.items.all().delete()
    CadenceItem.objects.bulk_create(
        CadenceItem(cadence=cadence, every=e, action=a, order=k) for k, (e, a) in enumerate(items)
    )


@transaction.atomic
def do_add_cadence(
    plan: Plan, *, items, report_to: str = "", due: str = "", text: str = "", user=None
) -> Cadence:
    """The office adds a rhythm to a plan (手工): ``items`` = [(every, action)], e.g. [('月', '报送')]."""
    items = _items(items)
    due = (due or "").strip()
    _check_due(items, due)
    default_text = (
        "、".join(f"每{e}{a}" for e, a in items)
        + (f"，{due}" if due else "")
        + (f"报{report_to}" if report_to else "")
    )
    order = (plan.cadences.aggregate(m=Max("order"))["m"] or 0) + 1
    cadence = Cadence.objects.create(
        plan=plan,
        source_document=plan.source_document,
        line=plan.line,
        order=order,
        text=(text or "").strip() or default_text,
        report_to=(report_to or "").strip(),
        due=due,
        origin=Cadence.MANUAL,
    )
    _write_items(cadence, items)
    record(
        "add_cadence", cadence, summary=f"新增调度机制：{cadence.text}", after=_snapshot(cadence), actor=user
    )
    return cadence


@transaction.atomic
def do_edit_cadence(
    cadence: Cadence, *, items=None, report_to=None, due=None, text=None, user=None
) -> Cadence:
    """Change a cadence; a document cadence edited by hand becomes 手工 (re-imports leave it alone)."""
    before = _snapshot(cadence)
    new_items = _items(items) if items is not None else [tuple(i) for i in before["items"]]
    new_due = before["due"] if due is None else due.strip()
    _check_due(new_items, new_due)
    if cadence.origin == Cadence.DOCUMENT:
        cadence.document_text = cadence.text
        cadence.origin = Cadence.MANUAL
    if text is not None and text.strip():
        cadence.text = text.strip()
    if report_to is not None:
        cadence.report_to = report_to.strip()
    cadence.due = new_due
    cadence.save()
    if items is not None:
        _write_items(cadence, new_items)
    record(
        "edit_cadence",
        cadence,
        summary=f"修改调度机制：{cadence.text}",
        before=before,
        after=_snapshot(cadence),
        actor=user,
    )
    return cadence


@transaction.atomic
def do_remove_cadence(cadence: Cadence, *, user=None) -> Cadence:
    """Soft removal: the cadence stays (and a re-import does not bring it back) but makes nothing due."""
    if not cadence.active:
        raise TrackingError(f"调度机制“{cadence.text[:30]}”已移除")
    before = _snapshot(cadence)
    cadence.active = False
    cadence.save(update_fields=["active"])
    record(
        "remove_cadence",
        cadence,
        summary=f"移除调度机制：{cadence.text}",
        before=before,
        after=_snapshot(cadence),
        actor=user,
    )
    return cadence


# ---------------------------------------------------------------- statuses


@transaction.atomic
def do_rebuild_snapshots(task_ids=None, *, user=None) -> int:
    """Rewrite the report-facts snapshot (tracking.snapshot) of ``task_ids`` (default every task).

    Needed only after reports were written outside ``do_submit_report`` (``duban synth``, a bulk
    load, a SQL fix); pages stay right without it, only slower on the tasks concerned.
    """
    if task_ids is None:
        task_ids = list(Task.objects.values_list("id", flat=True))
    n = refresh_snapshots(task_ids)
    record(
        "rebuild_snapshots", None, summary=f"重建任务状态快照：{n} 项任务", after={"tasks": n}, actor=user
    )
    return n


@transaction.atomic
def do_refresh_statuses(plans, as_of: datetime, *, user=None) -> list[TaskStatusChange]:
    """Derive every active task's status at ``as_of``; write a TaskStatusChange where it changed."""
    plan_ids = [p if isinstance(p, int) else p.pk for p in plans]
    tasks = list(Task.objects.filter(plan_id__in=plan_ids, active=True).values_list("id", flat=True))
    states = task_states(tasks, as_of)
    current: dict[int, str] = {}
    for task_id, new in (
        TaskStatusChange.objects.filter(task_id__in=tasks, at__lte=as_of)
        .order_by("at", "id")
        .values_list("task_id", "new")
    ):
        current[task_id] = new
    changes = [
        TaskStatusChange(
            task_id=t, old=current.get(t, ""), new=s.status, light=s.light, at=as_of, reason=s.reason
        )
        for t, s in states.items()
        if current.get(t) != s.status
    ]
    TaskStatusChange.objects.bulk_create(changes)
    counts: dict[str, int] = defaultdict(int)
    for c in changes:
        counts[c.new] += 1
    record(
        "refresh_statuses",
        None,
        summary=f"更新任务状态（{to_local(as_of):%Y-%m-%d %H:%M}）：{len(tasks)} 项任务，{len(changes)} 项变化",
        after={"as_of": to_local(as_of).isoformat(), "plans": plan_ids, "changed": dict(counts)},
        actor=user,
    )
    return changes
