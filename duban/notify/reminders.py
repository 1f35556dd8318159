"""Reminders (催报): which units must be told that a report is due soon or overdue, and telling them.

Rules (docs/accounts.md):

* Only reporting items (报送类) of the calendar are chased; a unit is chased for a task and a
  period when it has no report of its own for them (any version, submitted by ``as_of``).
  A task whose status is 已完成 is not chased.
* A task's report for a period is due at the earliest due instant its reporting items give that
  period (as in :mod:`duban.tracking.status`).
* 即将到期 (due soon): due after ``as_of`` and within ``soon_hours``. 逾期未报 (overdue): due at or
  before ``as_of`` and not more than ``overdue_days`` ago (older gaps are the 督办单's business).
* One reminder per unit, kind, period and due instant, listing every task concerned, grouped
  by plan; its identity ``ref`` (with channel and recipient) is the delivery's idempotency key,
  so it is sent once however often ``duban remind`` runs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from duban.audit.trail import record
from duban.notify.actions import Counts, Notice, deliver_all
from duban.plans.models import Plan, Task, Unit
from duban.plans.periods import Period, to_local
from duban.tracking.calendar import due_items
from duban.tracking.models import DONE, ProgressReport
from duban.tracking.status import done_candidates, task_states
from duban.tracking.timeline import format_duration

DUE_SOON, OVERDUE = "due_soon", "overdue"
KIND_LABELS = {DUE_SOON: "即将到期", OVERDUE: "逾期未报"}
SOON_HOURS = 48
OVERDUE_DAYS = 7
LISTED_TASKS = 30  # tasks listed in one reminder; the rest are counted
TITLE_CHARS = 60
_WEEKDAYS = "一二三四五六日"
# what a reminder shows of its tasks (a province's run lists tens of thousands: no task text)
REMINDER_TASK_FIELDS = (
    "id", "plan_id", "seq", "title", "order", "plan__id", "plan__title", "plan__source_document_id", "plan__order",
)  # fmt: skip


def when(moment: datetime) -> str:
    """'2023年3月15日（星期三）23:59' in Asia/Shanghai."""
    t = to_local(moment)
    return f"{t.year}年{t.month}月{t.day}日（星期{_WEEKDAYS[t.weekday()]}）{t:%H:%M}"


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Reminder:
    """One unit to be told about its unreported tasks of one period, due at one instant."""

    kind: str
    unit: Unit
    period: Period
    due: datetime
    action: str
    tasks: list[Task] = field(default_factory=list)  # with .plan loaded, in plan/document order
    report_to: dict[int, str] = field(default_factory=dict)  # plan id -> 报送对象

    @property
    def ref(self) -> tuple[str, ...]:
        return (
            "reminder",
            self.kind,
            f"unit:{self.unit.pk}",
            self.period.code,
            to_local(self.due).isoformat(),
        )

    def title(self) -> str:
        count = f"{len(self.tasks)}项任务"
        if self.kind == DUE_SOON:
            return f"【督办提醒】{self.unit.name}：{self.period.label}{self.action}将于{when(self.due)}截止（{count}）"
        return f"【逾期未报】{self.unit.name}：{self.period.label}{self.action}已于{when(self.due)}逾期（{count}）"

    def body(self, as_of: datetime) -> str:
        if self.kind == DUE_SOON:
            head = (
                f"{self.unit.name}：\n{self.period.label}的进展{self.action}截止时间为{when(self.due)}，"
                f"以下{len(self.tasks)}项任务贵单位尚未{self.action}，请按时{self.action}。"
            )
        else:
            late = format_duration(to_local(as_of) - to_local(self.due))
            head = (
                f"{self.unit.name}：\n{self.period.label}的进展{self.action}已于{when(self.due)}截止，"
                f"已逾期{late}，以下{len(self.tasks)}项任务贵单位仍未{self.action}，请立即补报。"
            )
        lines = [head]
        shown, plan_id, number = self.tasks[:LISTED_TASKS], None, 0
        for task in shown:
            if task.plan_id != plan_id:
                plan_id = task.plan_id
                to = self.report_to.get(plan_id)
                lines.append(f"《{task.plan.title}》" + (f"（报送对象：{to}）" if to else ""))
            number += 1
            seq = f"〔{task.seq}〕" if task.seq else ""
            lines.append(f"  {number}. {seq}{_short(task.title)}")
        if len(self.tasks) > len(shown):
            lines.append(f"  ……另有{len(self.tasks) - len(shown)}项")
        return "\n".join(lines)

    def link(self) -> str:
        base = getattr(settings, "DUBAN_BASE_URL", "").rstrip("/")
        if not base:
            return ""
        return f"{base}/tasks/{self.tasks[0].pk}/" if len(self.tasks) == 1 else f"{base}/"

    def notice(self, as_of: datetime) -> Notice:
        return Notice(
            kind=f"reminder.{self.kind}",
            unit=self.unit,
            title=self.title(),
            body=self.body(as_of),
            link=self.link(),
            ref=self.ref,
        )


def find_reminders(
    as_of: datetime, *, soon_hours: float = SOON_HOURS, overdue_days: float = OVERDUE_DAYS, plans=None
) -> list[Reminder]:
    """Every reminder due at ``as_of`` (aware), for ``plans`` (default: every active plan)."""
    as_of = to_local(as_of)
    soon_until = as_of + timedelta(hours=soon_hours)
    overdue_from = as_of - timedelta(days=overdue_days)
    if plans is None:
        plans = Plan.objects.filter(active=True).values_list("pk", flat=True)
    items = [i for i in due_items(list(plans), overdue_from, soon_until) if i.reporting]

    # (unit, task, period code) -> (due, period, action, plan id, report_to): the earliest due wins
    wanted: dict[tuple[int, int, str], tuple] = {}
    for item in items:
        for unit_id, task_ids in item.unit_tasks.items():
            for task_id in task_ids:
                key = (unit_id, task_id, item.period.code)
                if key not in wanted or item.due < wanted[key][0]:
                    wanted[key] = (item.due, item.period, item.action, item.plan.pk, item.report_to)
    wanted = {
        k: v for k, v in wanted.items() if overdue_from < v[0] <= soon_until
    }  # the earliest due may fall outside the window
    if not wanted:
        return []
    # no unit_id IN (...) here: with it SQLite probes the (task, unit, period) key for every combination
    # of the three lists — hours for a province; (task, period) probes and a set check are exact (docs/benchmarks-history.md)
    reported = set(
        ProgressReport.objects.filter(
            task_id__in={t for _, t, _ in wanted},
            period__in={p for _, _, p in wanted},
            submitted_at__lte=as_of,
        ).values_list("unit_id", "task_id", "period")
    )
    open_keys = [k for k in wanted if k not in reported]
    # 已完成 needs a report saying so: only the tasks that have one by as_of get a full status
    maybe_done = done_candidates({t for _, t, _ in open_keys}, as_of)
    done = {task_id for task_id, state in task_states(maybe_done, as_of).items() if state.status == DONE}
    groups: dict[tuple, list[int]] = defaultdict(list)
    report_to: dict[tuple, dict[int, str]] = defaultdict(dict)
    for unit_id, task_id, _code in open_keys:
        if task_id in done:
            continue
        due, period, action, _plan_id, to = wanted[(unit_id, task_id, _code)]
        kind = DUE_SOON if due > as_of else OVERDUE
        group = (kind, unit_id, period, due, action)
        groups[group].append(task_id)
        if to:
            report_to[group][_plan_id] = to
    return _build(groups, report_to)


def _build(groups, report_to) -> list[Reminder]:
    units = Unit.objects.in_bulk({unit_id for _, unit_id, _, _, _ in groups})
    by_id = (
        Task.objects.select_related("plan")
        .only(*REMINDER_TASK_FIELDS)
        .in_bulk({t for ids in groups.values() for t in ids})
    )
    out = []
    for group, task_ids in groups.items():
        kind, unit_id, period, due, action = group
        listed = sorted(
            (by_id[t] for t in task_ids), key=lambda t: (t.plan.source_document_id, t.plan.order, t.order)
        )
        out.append(Reminder(kind, units[unit_id], period, due, action, listed, report_to[group]))
    out.sort(key=lambda r: (r.due, r.kind, r.unit.region_id, r.unit.name))
    return out


@dataclass
class RunResult:
    reminders: list[Reminder]
    counts: Counts


def do_send_reminders(
    as_of: datetime,
    *,
    soon_hours: float = SOON_HOURS,
    overdue_days: float = OVERDUE_DAYS,
    dry_run: bool = False,
    plans=None,
) -> RunResult:
    """Find the reminders due at ``as_of`` and deliver each once (in-app, e-mail, robots).

    Not one transaction on purpose: each delivery is claimed and recorded as it happens, so a
    crash or a concurrent run never sends one twice (see :mod:`duban.notify.actions`). A run that
    sent or failed anything leaves one audit entry with its counts.
    """
    reminders = find_reminders(as_of, soon_hours=soon_hours, overdue_days=overdue_days, plans=plans)
    counts = deliver_all([r.notice(as_of) for r in reminders], dry_run=dry_run)
    if not dry_run and (counts.sent or counts.failed):
        record(
            "remind",
            summary=(
                f"催报提醒（截至 {when(as_of)}）：{len(reminders)} 条提醒，发送 {counts.sent}，"
                f"已发送跳过 {counts.skipped}，失败 {counts.failed}"
            ),
            after={
                "as_of": to_local(as_of).isoformat(),
                "reminders": len(reminders),
                "sent": counts.sent,
                "skipped": counts.skipped,
                "failed": counts.failed,
                "gave_up": counts.gave_up,
            },
        )
    return RunResult(reminders, counts)
