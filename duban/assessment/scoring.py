"""Scores and rankings of units (考核): pure arithmetic on counted facts, no database.

A plan's scheme weighs three parts of a unit's work in a period and deducts for 督办单:

* ``timeliness`` 按时报送: (on-time + late × ``late_credit``) / due reports;
* ``completion`` 任务完成: mean over the unit's tasks of min(1, actual % / expected % (序时进度));
  a task with nothing expected yet counts as fully on schedule;
* ``targets`` 目标进度: targets on or ahead of 序时进度 / targets assessed.

score = Σ weight × rate − min(cap, red × per-red + yellow × per-yellow), never below 0, two decimals.
A part with nothing to measure (no report due, no task, no target) is left out and the other weights
are scaled up to 100, so a unit is not rewarded or punished for what it was not asked; a unit with no
part at all gets no score and no rank.

Ranking is competition ranking (1, 2, 2, 4) on the rounded score. 红榜 and 黑榜 (:func:`red_black`) need
a rank *and* a threshold: the best N scoring at least ``red_min``, the worst N scoring below
``black_below``; equal scores are told apart by 任务完成率, then 按时报送率, and units still equal at
the cut are all left out rather than stretching the list past N (a 红榜 of 27 tied units says nothing).
A unit on the 红榜 is never on the 黑榜. The year view is the mean (default) or the sum of a unit's period scores,
over the periods in which it had a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PARTS = {"timeliness": "按时报送", "completion": "任务完成", "targets": "目标进度"}
DEDUCTIONS = {"red": "红色督办单", "yellow": "黄色督办单"}
YEAR_VIEWS = {"mean": "各期平均", "sum": "各期合计"}

DEFAULT_CONFIG = {
    "weights": {"timeliness": 30, "completion": 40, "targets": 30},
    "late_credit": 0.5,
    "deductions": {"red": 2, "yellow": 1},
    "deduction_cap": 10,
    "year_view": "mean",
    "top_n": 3,
    "bottom_n": 3,
    "red_min": 90,
    "black_below": 60,
}


class SchemeError(ValueError):
    """A scheme that cannot be used; the message says which field is wrong, in Chinese."""


def _number(value, label: str, *, low: float = 0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeError(f"{label}必须是数字：{value!r}")
    if value < low or (high is not None and value > high):
        raise SchemeError(f"{label}须在 {low:g}–{high:g} 之间：{value:g}" if high is not None
                          else f"{label}不能小于 {low:g}：{value:g}")
    return float(value)


@dataclass(frozen=True)
class Scheme:
    """A plan's scoring rules; build it with :meth:`from_config` to get the checks."""

    weights: dict[str, float]
    late_credit: float = 0.5
    deductions: dict[str, float] = field(default_factory=lambda: {"red": 2.0, "yellow": 1.0})
    deduction_cap: float = 10.0
    year_view: str = "mean"
    top_n: int = 3
    bottom_n: int = 3
    red_min: float = 90.0  # 红榜 only from this score up
    black_below: float = 60.0  # 黑榜 only below this score

    @classmethod
    def from_config(cls, config: dict | None) -> Scheme:
        """Check and read a JSON config (see DEFAULT_CONFIG); missing keys take the defaults."""
        config = dict(config or {})
        unknown = set(config) - set(DEFAULT_CONFIG)
        if unknown:
            raise SchemeError(f"考核方案中有未知项：{'、'.join(sorted(unknown))}")
        weights = config.get("weights", DEFAULT_CONFIG["weights"])
        if not isinstance(weights, dict) or not weights:
            raise SchemeError("权重（weights）须列出各考核项及分值，如 {\"timeliness\": 30, …}")
        bad = set(weights) - set(PARTS)
        if bad:
            raise SchemeError(f"未知的考核项：{'、'.join(sorted(bad))}（可用：{'、'.join(PARTS)}）")
        w = {k: _number(weights[k], f"“{PARTS[k]}”的权重", high=100) for k in weights}
        total = sum(w.values())
        if abs(total - 100) > 1e-6:
            detail = "＋".join(f"{PARTS[k]} {v:g}" for k, v in w.items())
            raise SchemeError(f"各项权重之和须为 100，现为 {total:g}（{detail}）")
        deductions = config.get("deductions", DEFAULT_CONFIG["deductions"])
        if not isinstance(deductions, dict):
            raise SchemeError("扣分（deductions）须为 {\"red\": 2, \"yellow\": 1} 这样的形式")
        bad = set(deductions) - set(DEDUCTIONS)
        if bad:
            raise SchemeError(f"未知的扣分项：{'、'.join(sorted(bad))}（可用：red 红色督办单、yellow 黄色督办单）")
        d = {k: _number(deductions[k], f"每张{DEDUCTIONS[k]}扣分", high=100) for k in deductions}
        year_view = config.get("year_view", DEFAULT_CONFIG["year_view"])
        if year_view not in YEAR_VIEWS:
            raise SchemeError(f"年度汇总方式须为 mean（各期平均）或 sum（各期合计）：{year_view!r}")
        top_n = _number(config.get("top_n", DEFAULT_CONFIG["top_n"]), "红榜人数", high=1000)
        bottom_n = _number(config.get("bottom_n", DEFAULT_CONFIG["bottom_n"]), "黑榜人数", high=1000)
        if top_n != int(top_n) or bottom_n != int(bottom_n):
            raise SchemeError("红榜、黑榜人数须为整数")
        return cls(
            weights=w,
            late_credit=_number(config.get("late_credit", DEFAULT_CONFIG["late_credit"]), "迟报得分比例", high=1),
            deductions=d,
            deduction_cap=_number(config.get("deduction_cap", DEFAULT_CONFIG["deduction_cap"]), "扣分上限", high=100),
            year_view=year_view,
            top_n=int(top_n),
            bottom_n=int(bottom_n),
            red_min=_number(config.get("red_min", DEFAULT_CONFIG["red_min"]), "红榜最低分", high=100),
            black_below=_number(config.get("black_below", DEFAULT_CONFIG["black_below"]), "黑榜分数线", high=100),
        )

    def to_config(self) -> dict:
        return {
            "weights": dict(self.weights),
            "late_credit": self.late_credit,
            "deductions": dict(self.deductions),
            "deduction_cap": self.deduction_cap,
            "year_view": self.year_view,
            "top_n": self.top_n,
            "bottom_n": self.bottom_n,
            "red_min": self.red_min,
            "black_below": self.black_below,
        }

    def rules_text(self) -> list[str]:
        """The rules in Chinese, one line each, for the page that shows the scores."""
        parts = "，".join(f"{PARTS[k]} {v:g} 分" for k, v in self.weights.items())
        out = [f"总分 100 分：{parts}。"]
        if "timeliness" in self.weights:
            out.append(f"按时报送 = （按时报送次数 ＋ 迟报次数 × {self.late_credit:g}）÷ 应报次数。")
        if "completion" in self.weights:
            out.append("任务完成 = 各项任务“实际进度 ÷ 序时进度”（最高为 1）的平均数。")
        if "targets" in self.weights:
            out.append("目标进度 = 达到序时进度的目标数 ÷ 参与考核的目标数。")
        ded = "、".join(f"每张{DEDUCTIONS[k]}扣 {v:g} 分" for k, v in self.deductions.items())
        if ded:
            out.append(f"扣分：{ded}，合计最多扣 {self.deduction_cap:g} 分；总分不低于 0。")
        out.append("某项没有考核内容（无应报、无任务或无目标）时不计该项，其权重按比例分给其余各项；"
                   "各项都没有的单位不参与排名。")
        out.append("排名并列时名次相同、下一名次顺延（如 1、2、2、4）。")
        out.append(f"红榜：得分不低于 {self.red_min:g} 分的单位中前 {self.top_n} 名；黑榜：得分低于 {self.black_below:g} 分的"
                   f"单位中后 {self.bottom_n} 名；已上红榜的不上黑榜。")
        out.append("得分相同的，依次比较任务完成率、按时报送率，高者在前；仍相同且同时列入会超过名额的，均不列入。")
        out.append(f"年度成绩取{YEAR_VIEWS[self.year_view]}（只计有成绩的各期）。")
        return out


@dataclass(frozen=True)
class TaskProgress:
    """One task of the unit: its actual completion and the expected (序时) completion, in percent."""

    actual: float
    expected: float


@dataclass(frozen=True)
class UnitFacts:
    """What a unit did in one period, counted by the tracking data."""

    unit: str
    due: int = 0  # 应报
    on_time: int = 0  # 按时报送
    late: int = 0  # 迟报
    missing: int = 0  # 未报
    tasks: Sequence[TaskProgress] = ()
    targets_on: int = 0  # 达到序时进度的目标
    targets_behind: int = 0  # 落后于序时进度的目标
    red: int = 0  # 红色督办单
    yellow: int = 0  # 黄色督办单
    late_tasks: int = 0  # tasks with a report late in the period (each task once, however many items)
    missing_tasks: int = 0  # tasks with a report still missing at the period's end

    def __post_init__(self):
        counts = {"应报": self.due, "按时": self.on_time, "迟报": self.late, "未报": self.missing,
                  "达标目标": self.targets_on, "落后目标": self.targets_behind, "红色督办单": self.red,
                  "黄色督办单": self.yellow}
        for label, n in counts.items():
            if n < 0:
                raise ValueError(f"{self.unit}：{label}次数不能为负：{n}")
        if self.on_time + self.late + self.missing != self.due:
            raise ValueError(f"{self.unit}：按时 {self.on_time} ＋ 迟报 {self.late} ＋ 未报 {self.missing} "
                             f"≠ 应报 {self.due}")


@dataclass(frozen=True)
class Part:
    rate: float  # 0–1
    weight: float  # weight after leaving out parts without data
    points: float


@dataclass(frozen=True)
class UnitScore:
    unit: str
    total: float | None
    parts: dict[str, Part]
    deduction: float
    rank: int | None = None


def rates(scheme: Scheme, f: UnitFacts) -> dict[str, float]:
    """Each part's rate in 0–1, for the parts that have something to measure."""
    out: dict[str, float] = {}
    if "timeliness" in scheme.weights and f.due:
        out["timeliness"] = (f.on_time + f.late * scheme.late_credit) / f.due
    if "completion" in scheme.weights and f.tasks:
        ratios = [1.0 if t.expected <= 0 else min(1.0, max(0.0, t.actual) / t.expected) for t in f.tasks]
        out["completion"] = sum(ratios) / len(ratios)
    assessed = f.targets_on + f.targets_behind
    if "targets" in scheme.weights and assessed:
        out["targets"] = f.targets_on / assessed
    return out


def score_unit(scheme: Scheme, facts: UnitFacts) -> UnitScore:
    """One unit's score with its breakdown (see the module docstring for the rules)."""
    r = rates(scheme, facts)
    deduction = min(scheme.deduction_cap,
                    facts.red * scheme.deductions.get("red", 0) + facts.yellow * scheme.deductions.get("yellow", 0))
    if not r:
        return UnitScore(facts.unit, None, {}, round(deduction, 2))
    scale = 100 / sum(scheme.weights[k] for k in r)
    parts = {}
    for k in PARTS:
        if k in r:
            weight = scheme.weights[k] * scale
            parts[k] = Part(rate=r[k], weight=weight, points=weight * r[k])
    total = max(0.0, sum(p.points for p in parts.values()) - deduction)
    return UnitScore(facts.unit, round(total, 2), parts, round(deduction, 2))


def competition_ranks(values: Sequence[float], *, descending: bool = True) -> list[int]:
    """1, 2, 2, 4: equal values share a rank and the next rank skips."""
    order = sorted(values, reverse=descending)
    first = {}
    for i, v in enumerate(order, 1):
        first.setdefault(v, i)
    return [first[v] for v in values]


def rank(scores: Iterable[UnitScore]) -> list[UnitScore]:
    """Scored units by rank (ties by unit name), then the units without a score (rank None)."""
    scores = list(scores)
    scored = [s for s in scores if s.total is not None]
    ranks = competition_ranks([s.total for s in scored])
    ranked = [UnitScore(s.unit, s.total, s.parts, s.deduction, r) for s, r in zip(scored, ranks, strict=True)]
    ranked.sort(key=lambda s: (s.rank, s.unit))
    return ranked + sorted((s for s in scores if s.total is None), key=lambda s: s.unit)


def tie_key(s: UnitScore) -> tuple[float, float, float]:
    """Best first: score, then 任务完成率, then 按时报送率 (a part not assessed counts as 0)."""
    def rate(k):
        return s.parts[k].rate if k in s.parts else 0.0

    return (-(s.total or 0.0), -round(rate("completion"), 6), -round(rate("timeliness"), 6))


def _take(candidates: list[UnitScore], n: int) -> list[UnitScore]:
    """The first ``n`` of ``candidates`` (already in order), leaving out a run of equals that would overflow."""
    out: list[UnitScore] = []
    i = 0
    while i < len(candidates) and len(out) < n:
        j = i
        while j < len(candidates) and tie_key(candidates[j]) == tie_key(candidates[i]):
            j += 1
        if len(out) + (j - i) > n:
            break
        out.extend(candidates[i:j])
        i = j
    return out


def red_black(ranked: Sequence[UnitScore], top_n: int, bottom_n: int, red_min: float = 0.0,
              black_below: float = 101.0) -> tuple[list[UnitScore], list[UnitScore]]:
    """红榜 (best ``top_n`` scoring ≥ ``red_min``) and 黑榜 (worst ``bottom_n`` scoring < ``black_below``, worst
    first), ties told apart by :func:`tie_key`; a run of equals that would overflow a list is left out."""
    scored = sorted((s for s in ranked if s.total is not None), key=lambda s: (tie_key(s), s.unit))
    red = _take([s for s in scored if s.total >= red_min], top_n) if top_n else []
    on_red = {s.unit for s in red}
    worst = [s for s in reversed(scored) if s.total < black_below and s.unit not in on_red]
    black = _take(worst, bottom_n) if bottom_n else []
    return red, black


def year_scores(periods: Iterable[Iterable[UnitScore]], how: str = "mean") -> list[UnitScore]:
    """Each unit's year score from its period scores (mean or sum over periods with a score), ranked."""
    if how not in YEAR_VIEWS:
        raise ValueError(f"年度汇总方式须为 mean 或 sum：{how!r}")
    totals: dict[str, list[float]] = {}
    deductions: dict[str, float] = {}
    for period in periods:
        for s in period:
            totals.setdefault(s.unit, [])
            deductions[s.unit] = deductions.get(s.unit, 0) + s.deduction
            if s.total is not None:
                totals[s.unit].append(s.total)
    out = []
    for unit, values in totals.items():
        if not values:
            out.append(UnitScore(unit, None, {}, round(deductions[unit], 2)))
            continue
        value = sum(values) / len(values) if how == "mean" else sum(values)
        out.append(UnitScore(unit, round(value, 2), {}, round(deductions[unit], 2)))
    return rank(out)
