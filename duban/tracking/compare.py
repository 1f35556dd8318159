"""Year over year: two programmes of a region side by side (`duban compare 新邵县 2024 2025`).

Targets by indicator, campaigns with their task counts, completion (tasks 已完成 at the end of each
programme, or now while it runs) and each unit's report discipline (reports made, of them late).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from duban.plans import clock
from duban.plans.models import Programme, Region, Target, Task
from duban.plans.periods import local_datetime, to_local
from duban.plans.programmes import ProgrammeError, find_programme
from duban.tracking.models import DONE, ProgressReport
from duban.tracking.status import task_states


@dataclass
class Side:
    programme: Programme
    as_of: datetime
    tasks: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    campaigns: dict[str, int] = field(default_factory=dict)  # name -> active tasks
    targets: dict[str, str] = field(default_factory=dict)  # indicator -> as written
    units: dict[str, tuple[int, int]] = field(default_factory=dict)  # unit -> (reports, late)

    @property
    def started(self) -> bool:
        return to_local(self.as_of).date() >= self.programme.period_start

    @property
    def done(self) -> int:
        return self.by_status.get(DONE, 0)

    @property
    def done_rate(self) -> float | None:
        return self.done / self.tasks if self.tasks else None


def _side(programme: Programme, now: datetime) -> Side:
    end = local_datetime(programme.period_end, time(23, 59))
    side = Side(programme, min(to_local(now), end))
    tasks = Task.objects.filter(plan__source_document__programme=programme, active=True)
    ids = list(tasks.values_list("id", flat=True))
    side.tasks = len(ids)
    side.by_status = dict(Counter(s.status for s in task_states(ids, side.as_of).values()))
    counts = Counter(tasks.values_list("plan__campaign__name", flat=True))
    side.campaigns = {name: n for name, n in counts.items() if name}
    for t in Target.objects.filter(plan__source_document__programme=programme).order_by("plan_id", "order"):
        side.targets.setdefault(t.indicator, t.text if len(t.text) <= 40 else t.text[:39] + "…")
    made: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for unit, late in ProgressReport.objects.filter(task_id__in=ids).values_list("unit__name", "late_by"):
        made[unit][0] += 1
        made[unit][1] += late is not None
    side.units = {u: (n, late) for u, (n, late) in sorted(made.items())}
    return side


def compare(region: Region, years: list[int], now: datetime | None = None) -> list[Side]:
    """One side per year, in the order asked; a year the region has no programme for is an error."""
    programmes = []
    for year in years:
        programme = find_programme(region, year)
        if programme is None:
            have = "、".join(p.year_label for p in region.programmes.all()) or "无"
            raise ProgrammeError(f"{region.name}没有{year}年度的工作（已有：{have}）")
        programmes.append(programme)
    return programme_sides(programmes, now)


def programme_sides(programmes: list[Programme], now: datetime | None = None) -> list[Side]:
    """One side per programme, in the order given (the web page's comparison)."""
    now = now or clock.now()
    return [_side(p, now) for p in programmes]


def as_json(sides: list[Side]) -> dict:
    return {
        "programmes": [
            {
                "name": s.programme.name,
                "period": [s.programme.period_start.isoformat(), s.programme.period_end.isoformat()],
                "as_of": to_local(s.as_of).isoformat(),
                "tasks": s.tasks,
                "by_status": s.by_status,
                "done_rate": None if s.done_rate is None else round(s.done_rate, 3),
                "campaigns": s.campaigns,
                "targets": s.targets,
                "units": {u: {"reports": n, "late": late} for u, (n, late) in s.units.items()},
            }
            for s in sides
        ]
    }


def lines(sides: list[Side]) -> list[str]:
    """The comparison as text: one column per programme."""
    out = ["年度对比：" + " ↔ ".join(f"{s.programme.name}（截至 {to_local(s.as_of):%Y-%m-%d}）" for s in sides)]
    out.append("任务：" + " ↔ ".join(
        f"{s.tasks} 项，已完成 {s.by_status.get(DONE, 0)}（{(s.done_rate or 0) * 100:.1f}%）" for s in sides
    ))  # fmt: skip
    out.append("仗 / 行动（任务数）：")
    for name in dict.fromkeys(n for s in sides for n in s.campaigns):
        out.append(f"  {name}：" + " ↔ ".join(str(s.campaigns.get(name, "—")) for s in sides))
    out.append("目标（按指标）：")
    for indicator in dict.fromkeys(i for s in sides for i in s.targets):
        out.append(f"  {indicator}：" + " ↔ ".join(s.targets.get(indicator, "—") for s in sides))
    out.append("单位报送（份数 / 其中迟报）：")
    for unit in sorted({u for s in sides for u in s.units}):
        out.append(f"  {unit}：" + " ↔ ".join(
            f"{s.units[unit][0]}/{s.units[unit][1]}" if unit in s.units else "—" for s in sides
        ))  # fmt: skip
    return out
