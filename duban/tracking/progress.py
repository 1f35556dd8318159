"""序时进度: how far a target or task should be by a date, how far it is, and its traffic light.

Pure Python, no Django. The rules (docs/tracking.md):

* Expected progress (序时进度) is the elapsed share of the period a target covers (the year by
  default): by the end of 31 March 2023, 90/365 = 24.7%.
* Rate targets (增长/下降 in %, 占比, 提高到, 控制在 …) are annual rates or levels: they are on track
  when the actual rate reaches the target rate, whatever the date. Completion = actual / target
  (for lower-is-better targets — 控制在…以内, 不超过 — target / actual).
* Amount targets (新增 16 家, 突破 1500 亿元, 完成 3 个 …) accumulate: completion = actual / target,
  compared with the expected share: ratio = completion / 序时进度.
* Light, from that ratio (:data:`GREEN_AT`, :data:`YELLOW_AT`): green ≥ 100% of 序时进度,
  yellow ≥ 90%, red below. Nothing expected yet (序时进度 0) is green.
* 双过半 (mid-year check): time half gone, and each target and task at least half done
  (amounts ≥ 50% of the year's target, rates on track, tasks ≥ 50%).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from duban.plans.periods import Period, period_containing

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = (GREEN, YELLOW, RED)
LIGHT_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
GREEN_AT = 1.0  # ratio to 序时进度 at or above which the light is green
YELLOW_AT = 0.9  # … yellow; below it red
HALF = 0.5  # 双过半

RATE_UNITS = ("%", "个百分点", "‰")
LOWER_IS_BETTER = ("以内", "以下", "不超过", "不高于", "控制在")


def light_for(ratio: float | None) -> str:
    """The light for a ratio of progress to 序时进度 (None: nothing expected yet → green)."""
    if ratio is None or ratio >= GREEN_AT:
        return GREEN
    return YELLOW if ratio >= YELLOW_AT else RED


def expected_share(period: Period, at: date | datetime) -> float:
    """序时进度: the share of ``period`` passed at ``at`` (0–1)."""
    return period.elapsed(at)


def year_of(at: date | datetime) -> Period:
    return period_containing("年", at)


def is_rate(measure: str, unit: str) -> bool:
    """Growth rates and levels in %: compared as rates, not accumulated."""
    return (unit or "").strip() in RATE_UNITS or (measure or "") in ("增长", "下降") and not unit


def lower_is_better(measure: str, qualifier: str) -> bool:
    return (qualifier or "") in LOWER_IS_BETTER or (measure or "").startswith("控制")


@dataclass(frozen=True)
class TargetProgress:
    """Where a target stands at a date."""

    kind: str  # 'rate' | 'amount'
    expected: float  # 序时进度, 0–1
    completion: float | None  # actual as a share of the target (None: no actual yet)
    ratio: float | None  # completion against what is expected by now (None: nothing expected)
    light: str
    half_done: bool  # 双过半: rate on track / amount ≥ half the target

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


def _share(actual: float, target: float, lower_better: bool) -> float:
    if lower_better:
        return 1.0 if actual <= 0 else target / actual
    if target == 0:
        return 1.0 if actual >= 0 else 0.0
    return actual / target


def target_progress(
    measure: str,
    value: float,
    unit: str,
    qualifier: str,
    actual: float | None,
    at: date | datetime,
    period: Period | None = None,
) -> TargetProgress:
    """Evaluate a target (``measure`` ``value`` ``unit`` ``qualifier``) with its latest ``actual``.

    ``actual`` is the rate so far for a rate target (增长 6.8 = +6.8% year on year; 下降 targets
    take the decrease as a positive number) and the cumulative amount for an amount target.
    No actual yet counts as 0 done.
    """
    period = period or year_of(at)
    expected = expected_share(period, at)
    lower = lower_is_better(measure, qualifier)
    if is_rate(measure, unit):
        completion = None if actual is None else _share(actual, value, lower)
        ratio = completion if completion is not None else (0.0 if expected > 0 else None)
        return TargetProgress("rate", expected, completion, ratio, light_for(ratio), (ratio or 0) >= GREEN_AT)
    completion = None if actual is None else _share(actual, value, lower)
    done = completion or 0.0
    ratio = None if expected == 0 else done / expected
    return TargetProgress("amount", expected, completion, ratio, light_for(ratio), done >= HALF)


def task_ratio(percent: float | None, expected: float) -> float | None:
    """A task's percent complete against its 序时进度 (None: nothing expected yet)."""
    if expected <= 0:
        return None
    return (percent or 0.0) / 100.0 / expected


@dataclass(frozen=True)
class DoubleHalf:
    """The 双过半 check: time half gone, targets and tasks half done."""

    time_share: float
    time_half: bool
    targets_half: int
    targets: int
    tasks_half: int
    tasks: int

    @property
    def passed(self) -> bool:
        return self.time_half and self.targets_half == self.targets and self.tasks_half == self.tasks


def double_half(
    targets: list[TargetProgress], task_percents: list[float | None], at: date | datetime
) -> DoubleHalf:
    """双过半 at ``at``: meaningful from mid-year (time half gone) on."""
    share = expected_share(year_of(at), at)
    return DoubleHalf(
        share,
        share >= HALF - 1e-9 or (at.month, at.day) >= (6, 30),
        sum(t.half_done for t in targets),
        len(targets),
        sum((p or 0) >= HALF * 100 for p in task_percents),
        len(task_percents),
    )
