"""A task's history as one timeline: its reports, status changes and whatever other apps add.

Other apps (督办单, 批示 …) add their events by registering a source in their AppConfig.ready():

    from duban.tracking.timeline import TimelineEvent, register_source

    def notice_events(task):
        return [TimelineEvent(n.issued_at, "督办", f"下发{n.number}", n.reason, n) for n in ...]

    register_source("supervision.notices", notice_events)

so tracking never imports the apps built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from duban.plans.periods import to_local


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event of a task: ``kind`` is a short Chinese word (报送 / 状态 / 督办 …)."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    obj: object = field(default=None, compare=False)

    def as_json(self) -> dict:
        return {
            "at": to_local(self.at).isoformat(),
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
        }


TimelineSource = Callable[[object], Iterable[TimelineEvent]]
_SOURCES: dict[str, TimelineSource] = {}


def register_source(name: str, source: TimelineSource) -> None:
    """Add (or replace, by ``name``) a function ``task -> events`` to every timeline."""
    _SOURCES[name] = source


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def sources() -> dict[str, TimelineSource]:
    return dict(_SOURCES)


def _report_events(task) -> list[TimelineEvent]:
    out = []
    for r in task.reports.select_related("unit").order_by("submitted_at", "id"):
        late = f"，逾期 {format_duration(r.late_by)}" if r.late_by else ""
        title = f"{r.unit.name} 报送 {r.period_obj.label}（{r.kind}，第{r.version}版）{r.percent:g}% {r.self_status}{late}"
        out.append(TimelineEvent(r.submitted_at, "报送", title, r.narrative, r))
    return out


def _status_events(task) -> list[TimelineEvent]:
    return [
        TimelineEvent(c.at, "状态", f"状态 {c.old or '—'} → {c.new}", c.reason, c)
        for c in task.status_changes.order_by("at", "id")
    ]


register_source("tracking.reports", _report_events)
register_source("tracking.status", _status_events)


def timeline(task) -> list[TimelineEvent]:
    """Every event of ``task`` from every registered source, oldest first."""
    events = [e for source in _SOURCES.values() for e in source(task)]
    return sorted(events, key=lambda e: e.at)


def format_duration(delta) -> str:
    """'2天3小时' / '5小时' / '20分钟' — how late, in Chinese."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{max(minutes, 1)}分钟"
