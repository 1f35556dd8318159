"""Which 督办单 a task deserves at a check: the colour rules, in plain Python.

A check looks at one moment ``now`` (the end of the check day). For every unit of a task:

* 红色 (red): a report that was due before ``now`` has not been submitted (逾期未报). One notice per
  unit, listing every missing period with its due time and how many days it is overdue.
* 蓝色 (blue): a report on a 旬 or longer period falls due within :data:`BLUE_DAYS` days after
  ``now`` and has not been submitted yet (daily and weekly rhythms are left to ``duban remind``:
  a notice per day would bury the office). One notice per unit.
* 黄色 (yellow): the task is behind its 序时进度 (tracking status 滞后). One notice per task,
  addressed to its lead units (牵头单位, who submit the consolidated report), or to all its units
  when it has no lead unit.

The task's colour at the check is the worst colour found (red > yellow > blue > none); the
tracking status 逾期未报 alone also makes it red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from duban.plans.periods import to_local
from duban.supervision.models import BLUE, COLOR_RANK, RED, YELLOW

BLUE_DAYS = 5  # a due date within this many days after the check gets a blue notice
BLUE_KINDS = frozenset({"旬", "月", "两月", "季", "半年", "年"})
LISTED = 3  # missing periods spelled out in a reason; the rest are counted
OVERDUE_STATUS = "逾期未报"
BEHIND_STATUS = "滞后"


@dataclass(frozen=True)
class DueFact:
    """One report a unit owes on a task: the period, when it was due, and when it came (if yet)."""

    unit_id: int
    unit_name: str
    period_label: str
    period_kind: str
    action: str
    due_at: datetime
    submitted_at: datetime | None = None


@dataclass
class TaskFacts:
    """What a check knows of a task: its units, the reports owed, its tracking status."""

    task_id: int
    title: str
    unit_names: dict[int, str]
    lead_unit_ids: list[int]
    dues: list[DueFact] = field(default_factory=list)
    status: str = ""
    status_reason: str = ""
    percent: float | None = None
    expected: float | None = None


@dataclass(frozen=True)
class Finding:
    """One notice a task deserves: colour, the units addressed, its cause key and reason text."""

    color: str
    unit_ids: tuple[int, ...]
    cause: str
    reason: str


def short(title: str, n: int = 30) -> str:
    title = " ".join(title.split())
    return title if len(title) <= n else title[: n - 1] + "…"


def fmt_time(moment: datetime) -> str:
    return f"{to_local(moment):%Y-%m-%d %H:%M}"


def days_late(due_at: datetime, now: datetime) -> int:
    """Whole days from the due instant to ``now`` (a report 1 minute late is 0 days late)."""
    return max(0, (now - due_at) // timedelta(days=1))


def overdue(facts: TaskFacts, now: datetime) -> dict[int, list[DueFact]]:
    """Per unit, the reports due before ``now`` and not submitted by then, oldest first."""
    out: dict[int, list[DueFact]] = {}
    for d in sorted(facts.dues, key=lambda d: d.due_at):
        if d.due_at < now and (d.submitted_at is None or d.submitted_at > now):
            out.setdefault(d.unit_id, []).append(d)
    return out


def due_soon(facts: TaskFacts, now: datetime) -> dict[int, list[DueFact]]:
    """Per unit, reports on 旬-or-longer periods due within :data:`BLUE_DAYS`, not yet submitted."""
    until = now + timedelta(days=BLUE_DAYS)
    out: dict[int, list[DueFact]] = {}
    for d in sorted(facts.dues, key=lambda d: d.due_at):
        if d.period_kind in BLUE_KINDS and now <= d.due_at <= until:
            if d.submitted_at is None or d.submitted_at > now:
                out.setdefault(d.unit_id, []).append(d)
    return out


def _red_reason(facts: TaskFacts, unit: str, missing: list[DueFact], now: datetime) -> str:
    parts = [
        f"{d.period_label}{d.action}（应于{fmt_time(d.due_at)}前报送，已逾期{days_late(d.due_at, now)}天）"
        for d in missing[:LISTED]
    ]
    more = f"等共{len(missing)}期" if len(missing) > LISTED else ""
    return f"{unit}逾期未报送任务“{short(facts.title)}”的{'；'.join(parts)}{more}。请立即报送并说明原因。"


def _blue_reason(facts: TaskFacts, unit: str, soon: list[DueFact], now: datetime) -> str:
    parts = [f"{d.period_label}{d.action}将于{fmt_time(d.due_at)}到期" for d in soon]
    return f"{unit}：任务“{short(facts.title)}”的{'；'.join(parts)}，尚未报送，请按时报送。"


def _yellow_reason(facts: TaskFacts, now: datetime) -> str:
    why = f"（{facts.status_reason}）" if facts.status_reason else ""
    figures = ""
    if not why and facts.percent is not None and facts.expected is not None:
        figures = f"：完成{facts.percent:.0f}%，序时进度{facts.expected:.0f}%"
    return (
        f"任务“{short(facts.title)}”进度滞后{figures}{why}，截至{to_local(now - timedelta(seconds=1)):%Y-%m-%d}。"
        "请牵头单位分析原因、提出赶进措施并反馈。"
    )


def findings(facts: TaskFacts, now: datetime) -> list[Finding]:
    """Every notice ``facts`` call for at ``now``, red first; see the module docstring."""
    out = []
    for unit_id, missing in overdue(facts, now).items():
        name = facts.unit_names.get(unit_id, str(unit_id))
        out.append(
            Finding(RED, (unit_id,), f"red:{facts.task_id}:{unit_id}", _red_reason(facts, name, missing, now))
        )
    if facts.status == BEHIND_STATUS:
        units = tuple(facts.lead_unit_ids or sorted(facts.unit_names))
        out.append(Finding(YELLOW, units, f"yellow:{facts.task_id}", _yellow_reason(facts, now)))
    red_units = {f.unit_ids[0] for f in out if f.color == RED}
    for unit_id, soon in due_soon(facts, now).items():
        if unit_id in red_units:
            continue  # a unit already red for this task is chased by its red notice
        name = facts.unit_names.get(unit_id, str(unit_id))
        out.append(
            Finding(BLUE, (unit_id,), f"blue:{facts.task_id}:{unit_id}", _blue_reason(facts, name, soon, now))
        )
    return out


def task_color(facts: TaskFacts, found: list[Finding]) -> str:
    """The worst colour of a task at a check ('' when none)."""
    colors = [f.color for f in found]
    if facts.status == OVERDUE_STATUS:
        colors.append(RED)
    return max(colors, key=COLOR_RANK.__getitem__, default="")


# --- 提示单 ------------------------------------------------------------------------------------

PROMPT_CHECKS = 2  # red at this many consecutive checks …
PROMPT_DAYS = 10  # … or red for this many days without a break → 提示单 to the supervising leaders


def red_streak_start(history: list[tuple[object, str]]) -> object | None:
    """The first check date of the red streak that ends at the latest check, or None.

    ``history``: (check date, colour) in date order, the latest last.
    """
    start = None
    for day, color in reversed(history):
        if color != RED:
            break
        start = day
    return start


def prompt_due(history: list[tuple[object, str]]) -> object | None:
    """The streak start if the latest checks earn a 提示单 (N checks or N days red), else None."""
    start = red_streak_start(history)
    if start is None:
        return None
    streak = 0
    for _, color in reversed(history):
        if color != RED:
            break
        streak += 1
    latest = history[-1][0]
    if streak >= PROMPT_CHECKS or (latest - start).days >= PROMPT_DAYS:
        return start
    return None
