"""Per-task report facts (任务状态快照): what the status rules need from a task's reports, kept in one row.

The status of a task depends on its reports and on time. The report part — the report that speaks
for the task, when it was first reported done, which units reported which period, how many first
reports were late — changes only when a report is written, so it is stored in
:class:`~duban.tracking.models.TaskSnapshot`: ``do_submit_report`` adds its report to the row in
its own transaction (:func:`before_report`, :func:`add_report`; from all the task's reports with
:func:`refresh_snapshots` when the row cannot be updated exactly), ``duban refresh_statuses`` and
``duban synth`` rewrite rows with :func:`refresh_snapshots`.
The time part (dues passed, 序时进度, deadlines) is derived at read time by
:func:`duban.tracking.status.task_states` from these facts and the plan's due dates, so a task turns
逾期未报 the moment a due passes without any write.

Rule for reading (:func:`load_facts`): a task's stored row is used only when it still describes the
reports table — same number of reports and same newest report id (one grouped, index-only query
for all the tasks), same lead units, and no report submitted after the moment asked (``as_of``);
otherwise the facts are recomputed from that task's reports (one query for all such tasks). So a
report written by a path that did not refresh the row (a bulk load, a SQL fix) or a look into the
past (``?as_of=``) is still right, only slower; pages never write.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from duban.audit.cache import STRUCTURE, cached
from duban.plans.models import Task, TaskUnit, Unit
from duban.tracking.models import DONE, ProgressReport, TaskSnapshot

# the report columns the rules read (no text): a tuple is ten times cheaper than a model instance
REPORT_FIELDS = (
    "id", "task_id", "unit_id", "period", "period_end", "kind", "submitted_at", "version", "percent",
    "self_status", "late_by",
)  # fmt: skip
ReportRow = namedtuple("ReportRow", REPORT_FIELDS)
CHUNK = 2000  # task ids per IN (…) list


@dataclass
class ReportFacts:
    """What a task's reports (those submitted by some moment) say, as the status rules need it."""

    count: int = 0
    max_id: int | None = None
    max_submitted_at: datetime | None = None
    leads: tuple[int, ...] = ()
    last_id: int | None = None
    last_unit_id: int | None = None
    last_percent: float | None = None
    last_status: str = ""
    done_at: datetime | None = None
    late_count: int = 0
    reported: dict[str, set[int] | list[int]] = field(default_factory=dict)  # period code -> units
    # the rest of the last report's rank (:func:`rank`): lets one new report be added without
    # reading the others (:func:`add_report`); not read by the status rules
    last_period_end: date | None = None
    last_kind: str = ""
    last_submitted_at: datetime | None = None
    last_version: int | None = None

    @property
    def done(self) -> bool:
        return self.last_id is not None and (self.last_status == DONE or self.last_percent >= 100)


def rank(report, leads) -> tuple:
    """Which report speaks for the task: latest period, then consolidated, then lead, then newest."""
    return (
        report.period_end,
        report.kind == ProgressReport.CONSOLIDATED,
        report.unit_id in leads,
        report.submitted_at,
        report.version,
    )


def facts_from_reports(reports, leads) -> ReportFacts:
    """The facts of one task from its reports ordered by (submitted_at, id) — the rules of docs/tracking.md."""
    leads = tuple(sorted(leads))
    facts = ReportFacts(leads=leads)
    if not reports:
        return facts
    last = max(reports, key=lambda r: rank(r, leads))
    facts.count = len(reports)
    facts.max_id = max(r.id for r in reports)
    facts.max_submitted_at = max(r.submitted_at for r in reports)
    facts.last_id, facts.last_unit_id = last.id, last.unit_id
    facts.last_percent, facts.last_status = last.percent, last.self_status
    facts.last_period_end, facts.last_kind = last.period_end, last.kind
    facts.last_submitted_at, facts.last_version = last.submitted_at, last.version
    facts.done_at = min(
        (r.submitted_at for r in reports if r.self_status == DONE or r.percent >= 100), default=None
    )
    seen: set[tuple[int, str]] = set()
    for r in reports:
        facts.reported.setdefault(r.period, set()).add(r.unit_id)
        if (r.unit_id, r.period) not in seen:  # the first report of a unit for a period
            seen.add((r.unit_id, r.period))
            facts.late_count += r.late_by is not None
    return facts


def _chunks(ids: list[int]):
    for k in range(0, len(ids), CHUNK):
        yield ids[k : k + CHUNK]


def compute_facts(leads_of: dict[int, set[int]], as_of: datetime | None = None) -> dict[int, ReportFacts]:
    """{task id: facts} recomputed from the reports (submitted by ``as_of`` when given)."""
    reports: dict[int, list[ReportRow]] = defaultdict(list)
    for chunk in _chunks(sorted(leads_of)):
        qs = ProgressReport.objects.filter(task_id__in=chunk)
        if as_of is not None:
            qs = qs.filter(submitted_at__lte=as_of)
        # ordered by task first: ordering by submitted_at alone makes SQLite scan the submitted_at
        # index over every report in the database (49 s instead of 3 s for a city, docs/benchmarks-history.md)
        for row in qs.order_by("task_id", "submitted_at", "id").values_list(*REPORT_FIELDS):
            reports[row[1]].append(ReportRow(*row))
    return {t: facts_from_reports(reports.get(t, []), leads) for t, leads in leads_of.items()}


# the stored columns, in ReportFacts order (read as tuples: no model instance per task)
ROW_FIELDS = (
    "report_count", "max_report_id", "max_submitted_at", "leads", "last_report_id", "last_unit_id",
    "last_percent", "last_status", "done_at", "late_count", "reported",
)  # fmt: skip


def _from_row(row: tuple) -> ReportFacts:
    """Facts from a stored row; ``reported`` keeps the stored lists (the rules only test membership)."""
    facts = ReportFacts(*row)
    facts.leads = tuple(facts.leads)
    return facts


def read_tasks(ids) -> tuple[list[tuple], dict[int, tuple]]:
    """([(id, plan id, deadline)], {id: (report count, newest report id, stored row or None)}) of the
    tasks ``ids``, in one query (per :data:`CHUNK` tasks): the task row, its snapshot row (left join)
    and two index-only subqueries on its reports."""
    per_task = ProgressReport.objects.filter(task_id=OuterRef("pk")).order_by().values("task_id")
    tasks, found = [], {}
    for chunk in _chunks(sorted(set(ids))):
        qs = Task.objects.filter(pk__in=chunk).annotate(
            _n=Subquery(per_task.annotate(c=Count("id")).values("c")),
            _m=Subquery(per_task.annotate(c=Max("id")).values("c")),
        )
        for row in qs.values_list("id", "plan_id", "deadline", "_n", "_m", "snapshot__task_id",
                                  *(f"snapshot__{f}" for f in ROW_FIELDS)):  # fmt: skip
            tasks.append(row[:3])
            found[row[0]] = (row[3] or 0, row[4], row[6:] if row[5] is not None else None)
    return tasks, found


def load_facts(
    found: dict[int, tuple], leads_of: dict[int, set[int]], as_of: datetime
) -> dict[int, ReportFacts]:
    """{task id: facts at ``as_of``} from the snapshot rows still valid, the rest from the reports.

    ``found`` is what :func:`read_tasks` read; one more query only when some row is not valid.
    """
    out: dict[int, ReportFacts] = {}
    stale: dict[int, set[int]] = {}
    for t, leads in leads_of.items():
        count, max_id, row = found[t]
        if count == 0:  # no report at all: nothing to store or read
            out[t] = ReportFacts(leads=tuple(sorted(leads)))
            continue
        facts = _from_row(row) if row is not None else None
        if (
            facts is not None
            and (facts.count, facts.max_id) == (count, max_id)
            and facts.leads == tuple(sorted(leads))
            and facts.max_submitted_at is not None
            and facts.max_submitted_at <= as_of
        ):
            out[t] = facts
        else:
            stale[t] = leads
    if stale:
        out.update(compute_facts(stale, as_of))
    return out


def lead_units(task_ids) -> dict[int, set[int]]:
    """{task id: lead unit ids} (group units left out, as in the status rules)."""
    leads: dict[int, set[int]] = {t: set() for t in task_ids}
    for chunk in _chunks(sorted(leads)):
        for t, u in TaskUnit.objects.filter(
            task_id__in=chunk, role=TaskUnit.LEAD, unit__is_group=False
        ).values_list("task_id", "unit_id"):
            leads[t].add(u)
    return leads


def group_unit_ids() -> frozenset[int]:
    """Ids of the group units (各县市区人民政府…), read once per process and structure version."""
    return cached(
        ("group_units",), STRUCTURE, lambda: frozenset(Unit.objects.filter(is_group=True).values_list("pk", flat=True))
    )


def task_leads(task) -> set[int]:
    """:func:`lead_units` of one task from its assignments (no query when they are prefetched)."""
    groups = group_unit_ids()
    return {a.unit_id for a in task.assignments.all() if a.role == TaskUnit.LEAD and a.unit_id not in groups}


def refresh_snapshots(task_ids, leads: dict[int, set[int]] | None = None) -> int:
    """Rewrite the snapshot rows of ``task_ids`` from all their reports; returns the rows written.

    Call it in the transaction that wrote the reports, so the row and the reports change together.
    ``leads`` ({task id: lead unit ids}, as :func:`lead_units` gives) when the caller has them.
    """
    leads = leads if leads is not None else lead_units(task_ids)
    rows = [TaskSnapshot(task_id=t, **_columns(f)) for t, f in compute_facts(leads).items()]
    fields = [f.name for f in TaskSnapshot._meta.concrete_fields if not f.primary_key]
    for k in range(0, len(rows), CHUNK):
        TaskSnapshot.objects.bulk_create(
            rows[k : k + CHUNK], update_conflicts=True, unique_fields=["task"], update_fields=fields
        )
    return len(rows)


def _columns(f: ReportFacts) -> dict:
    """The TaskSnapshot columns of ``f``."""
    return {
        "report_count": f.count, "max_report_id": f.max_id, "max_submitted_at": f.max_submitted_at,
        "leads": list(f.leads), "last_report_id": f.last_id, "last_unit_id": f.last_unit_id,
        "last_percent": f.last_percent, "last_status": f.last_status, "done_at": f.done_at,
        "late_count": f.late_count, "reported": {code: sorted(u) for code, u in f.reported.items()},
        "last_period_end": f.last_period_end, "last_kind": f.last_kind,
        "last_submitted_at": f.last_submitted_at, "last_version": f.last_version,
    }  # fmt: skip


RANK_FIELDS = ("last_period_end", "last_kind", "last_submitted_at", "last_version")


def before_report(task_id: int, unit_id: int, period_code: str) -> tuple[int, ReportFacts | None]:
    """Lock the task for a new report and read what adding it needs: the unit's last version for the
    period (0: none) and the task's stored facts, if they still describe its reports (same count and
    newest id, as :func:`load_facts` checks), else None.

    Call it first in the report's transaction (``do_submit_report``): reports on one task must be
    numbered and added one at a time. SQLite's ``BEGIN IMMEDIATE`` already serialises them; on
    PostgreSQL the task's snapshot row is read ``FOR UPDATE``, and a task without one (before its
    first report) has its task row locked first (``FOR NO KEY UPDATE``, which the reports' foreign
    key checks do not wait for) and is looked at again, so a row another report created meanwhile is
    locked too. Two small queries: one query joining them all costs twice the
    CPU to build (docs/benchmarks-history.md, 第七轮).
    """
    stored = TaskSnapshot.objects.filter(task_id=task_id)
    if connection.features.has_select_for_update:
        rows = list(stored.select_for_update().values_list(*ROW_FIELDS, *RANK_FIELDS))
        if not rows:
            # NO KEY UPDATE: a report inserted meanwhile (its key-share lock on the task) is not blocked
            Task.objects.select_for_update(no_key=True).filter(pk=task_id).values_list("pk").first()
            rows = list(stored.select_for_update().values_list(*ROW_FIELDS, *RANK_FIELDS))
    else:
        rows = list(stored.values_list(*ROW_FIELDS, *RANK_FIELDS))
    counts = ProgressReport.objects.filter(task_id=task_id).aggregate(
        n=Count("id"), m=Max("id"), v=Max("version", filter=Q(unit_id=unit_id, period=period_code))
    )
    facts = _from_row(rows[0]) if rows else None
    if facts is not None and (facts.count, facts.max_id) != (counts["n"] or 0, counts["m"]):
        facts = None
    return counts["v"] or 0, facts


def add_report(report, leads: set[int], before: ReportFacts | None) -> bool:
    """Write the task's snapshot row with one new report added to ``before`` (:func:`before_report`),
    without reading the task's other reports; False (nothing written) when that cannot be exact.

    A task's reports grow all year (a report per unit per 旬); recomputing from all of them was a
    fifth of a submission. Exact when ``before`` described the reports, the lead units are the same,
    the last report's full rank is stored and the new report is the newest (highest id, latest
    submitted); otherwise the caller refreshes the row from all the reports (:func:`refresh_snapshots`).
    """
    leads = tuple(sorted(leads))
    facts = before
    if (
        facts is None
        or facts.leads != leads
        or (facts.max_id is not None and report.pk <= facts.max_id)
        or (facts.max_submitted_at is not None and report.submitted_at < facts.max_submitted_at)
        or (facts.last_id is not None and None in (facts.last_period_end, facts.last_submitted_at, facts.last_version))
    ):
        return False
    last = (
        (facts.last_period_end, facts.last_kind == ProgressReport.CONSOLIDATED, facts.last_unit_id in leads,
         facts.last_submitted_at, facts.last_version)
        if facts.last_id is not None else None
    )  # fmt: skip
    if last is None or rank(report, leads) > last:  # ties: the earlier report keeps speaking (as max())
        facts.last_id, facts.last_unit_id = report.pk, report.unit_id
        facts.last_percent, facts.last_status = report.percent, report.self_status
        facts.last_period_end, facts.last_kind = report.period_end, report.kind
        facts.last_submitted_at, facts.last_version = report.submitted_at, report.version
    units = set(facts.reported.get(report.period, ()))
    if report.unit_id not in units:  # the unit's first report for the period
        facts.late_count += report.late_by is not None
        facts.reported = {**facts.reported, report.period: units | {report.unit_id}}
    if report.self_status == DONE or report.percent >= 100:
        facts.done_at = min(facts.done_at or report.submitted_at, report.submitted_at)
    facts.count += 1
    facts.max_id = report.pk
    facts.max_submitted_at = report.submitted_at
    TaskSnapshot.objects.filter(task_id=report.task_id).update(**_columns(facts), updated_at=timezone.now())
    return True
