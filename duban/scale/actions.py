"""Every change the scale app makes: loading a synthetic province and removing it.

Each ``do_*`` writes its rows and its audit entry together (one transaction per city for the
synthetic province, so a crash leaves whole cities and the next run says what is there).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models.deletion import ProtectedError

from duban.audit.trail import record
from duban.plans.models import SourceDocument, Task
from duban.scale.synth import (
    FILE_PREFIX,
    Counts,
    SynthError,
    SynthSpec,
    existing_synthetic,
    regions_for,
    synth_city,
)
from duban.tracking.models import ProgressReport, TargetActual
from duban.tracking.snapshot import refresh_snapshots


def do_synthesize(spec: SynthSpec, say: Callable[[str], None] = lambda s: None) -> Counts:
    """Load a synthetic province (see :mod:`duban.scale.synth`); refuses if one is already loaded."""
    cities = regions_for(spec)  # checks the sizes first
    if existing_synthetic():
        raise SynthError(
            f"库中已有合成数据（{existing_synthetic()} 个合成方案文件）；先运行 duban synth --clear，或换一个空库"
        )
    total = Counts()
    for city, counties in cities:
        with transaction.atomic():
            counts = synth_city(spec, city, counties, say)
            # reports went in by COPY / executemany, not do_submit_report: write their status snapshot
            refresh_snapshots(
                Task.objects.filter(plan__region__in=[city, *counties]).values_list("id", flat=True)
            )
            record(
                "synthesize",
                city,
                summary=f"生成合成数据（种子 {spec.seed}）：{city.name}及 {len(counties)} 个县市区，{counts.line()}",
                after={"seed": spec.seed, "year": spec.reports_year, **counts.as_dict()},
            )
        total.add(counts)
    refresh_planner_statistics()
    return total


def refresh_planner_statistics() -> None:
    """After a bulk load on PostgreSQL: ``VACUUM ANALYZE``, as its manual advises after loading data.

    Without it the planner has no row counts for two million fresh reports and index-only scans
    visit the heap for every row (no visibility map) until autovacuum comes round — on a server
    where autovacuum is off, never: reading the status of the province's tasks took 38 s instead of
    24 s (docs/benchmarks-history.md). In a transaction (the tests) VACUUM cannot run: ANALYZE alone.
    SQLite keeps its plans without statistics (they were measured that way).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


@transaction.atomic
def do_clear_synthetic() -> dict[str, int]:
    """Remove every synthetic plan file with its plans, tasks and reports (units and regions stay)."""
    docs = SourceDocument.objects.filter(file_name__startswith=FILE_PREFIX)
    tasks = Task.objects.filter(source_document__in=docs)
    reports = ProgressReport.objects.filter(task__in=tasks)
    counts = {"files": docs.count(), "tasks": tasks.count(), "reports": reports.count()}
    try:
        TargetActual.objects.filter(report__in=reports).delete()
        reports.delete()
        docs.delete()
    except ProtectedError as e:
        raise SynthError(
            f"合成任务已被其他记录引用（如督办单），不能删除：{e.protected_objects!r:.200}"
        ) from None
    record("clear_synthetic", None, summary=f"删除合成数据：{counts}", before=counts)
    return counts
