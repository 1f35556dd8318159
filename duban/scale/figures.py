"""In-process figures of ``duban bench``: parse, ingest, brief, remind, memory.

Every figure carries a baseline measured in the same run, because absolute times on a shared
2-core machine are noisy: the ratio is what compares across runs and machines.
"""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction

from duban.briefs.collect import collect
from duban.briefs.content import BriefRequest
from duban.briefs.render_docx import render
from duban.ingest.pipeline import parse_file
from duban.notify.reminders import OVERDUE_DAYS, SOON_HOURS, do_send_reminders
from duban.ops.router import replica_reads
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Region, Task
from duban.plans.periods import LOCAL_TZ, parse_period
from duban.scale.templates import SAMPLES
from duban.tracking.models import ProgressReport


@dataclass
class Figure:
    """One measured figure; ``ratio`` = value / baseline (both in ``unit``, or the baseline's own)."""

    key: str
    label: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_json(self) -> dict:
        return {**asdict(self), "ratio": None if self.ratio is None else round(self.ratio, 3)}

    def line(self) -> str:
        if self.value is None:
            return f"{self.label}：未测（{self.note}）"
        ratio = (
            f"，基线 {self.baseline:.4g} {self.baseline_label}，比值 {self.ratio:.3g}" if self.ratio else ""
        )
        target = (
            f"，目标 {self.target}{'（达到）' if self.met else '（未达到）' if self.met is False else ''}"
        )
        return f"{self.label}：{self.value:.4g} {self.unit}{ratio}{target if self.target else ''}" + (
            f"；{self.note}" if self.note else ""
        )


def skipped(key: str, label: str, unit: str, why: str) -> Figure:
    return Figure(key, label, None, unit, note=why)


@contextmanager
def rolled_back():
    """Run a write-heavy figure without leaving its rows behind."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt"))


def parse_throughput(repeat: int = 3) -> Figure:
    """MB/s of the parser over the bundled samples; baseline: reading and splitting the same files."""
    files = samples()
    size = sum(f.stat().st_size for f in files) / 1e6

    def parse():
        for f in files:
            parse_file(str(f))

    def split():
        for f in files:
            f.read_text(encoding="utf-8").splitlines()

    parse_mb_s = size / _timed(parse, repeat)
    base_mb_s = size / _timed(split, repeat * 20)
    return Figure(
        "parse_mb_s", "解析吞吐量", parse_mb_s, "MB/s", base_mb_s, "MB/s（读入并按行切分）", "≥ 2 MB/s",
        parse_mb_s >= 2, extra={"megabytes": round(size, 3)},
    )  # fmt: skip


def ingest_largest() -> Figure:
    """Seconds to ingest the largest sample (rolled back); baseline: parsing it alone."""
    largest = max(samples(), key=lambda f: f.stat().st_size)
    parse_s = _timed(lambda: parse_file(str(largest)))

    def ingest():
        with rolled_back():
            do_ingest_file(str(largest))

    seconds = _timed(ingest)
    return Figure(
        "ingest_s", f"导入最大样本（{largest.name}，{largest.stat().st_size / 1e3:.0f} KB）", seconds, "s",
        parse_s, "s（只解析）",
    )  # fmt: skip


def _scan_reports(plan_ids, until: datetime) -> int:
    """The baseline of a brief or a reminder run: reading the reports of its tasks once."""
    rows = ProgressReport.objects.filter(task__plan_id__in=plan_ids, submitted_at__lte=until).values_list(
        "task_id", "unit_id", "period", "percent", "self_status", "submitted_at"
    )
    return sum(1 for _ in rows.iterator(chunk_size=5000))


def _region_plans(region: Region | None) -> list[int]:
    plans = Plan.objects.filter(active=True, tasks__isnull=False).distinct()
    if region is not None:
        plans = plans.filter(region=region)
    return list(plans.values_list("pk", flat=True))


def brief_time(region: Region | None, period_code: str, target_s: float) -> Figure:
    """Seconds to make a 月通报 (collect + .docx) for a city or the province, reading from the replica if any."""
    key = "brief_city_s" if region else "brief_province_s"
    label = f"月通报生成（{region.name if region else '全省'}，{period_code}）"

    plans = _region_plans(region)
    if not plans:
        return skipped(key, label, "s", "没有方案")
    period = parse_period(period_code)
    until = datetime.combine(period.end, datetime.max.time(), tzinfo=LOCAL_TZ)
    request = BriefRequest.parse("月通报", period_code, plans)

    def make():
        with replica_reads():
            data = collect(request)
        render(data).to_bytes()

    seconds = _timed(make)
    with replica_reads():
        base = _timed(lambda: _scan_reports(plans, until))
    return Figure(
        key, label, seconds, "s", base, "s（读一遍其任务的报送）", f"< {target_s:g} s", seconds < target_s,
        extra={"plans": len(plans), "tasks": Task.objects.filter(plan_id__in=plans).count()},
    )  # fmt: skip


def remind_time(as_of: datetime, target_s: float = 30) -> Figure:
    """Seconds of a full ``duban remind`` for the province (its writes rolled back)."""
    result = {}

    def run():
        with rolled_back():
            r = do_send_reminders(as_of, soon_hours=SOON_HOURS, overdue_days=OVERDUE_DAYS)
            result.update(reminders=len(r.reminders), sent=r.counts.sent, failed=r.counts.failed)

    seconds = _timed(run)
    plans = _region_plans(None)
    base = _timed(lambda: _scan_reports(plans, as_of))
    return Figure(
        "remind_province_s", f"全省催报 duban remind（截至 {as_of:%Y-%m-%d %H:%M}）", seconds, "s", base,
        "s（读一遍全省报送）", f"< {target_s:g} s", seconds < target_s, extra=result,
    )  # fmt: skip


def memory_peak() -> Figure:
    """Peak resident memory of this process (the in-process figures: brief, remind, ingest)."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Figure("memory_peak_mb", "内存峰值（基准进程）", peak_mb, "MB")
