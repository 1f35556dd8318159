"""Importing a parsed plan file into the database (the one way plans, tasks and units get written).

``do_ingest_file`` parses a file and stores it in ONE transaction: all records or none. A file seen
before IN THE SAME REGION (same bytes, or a revision: mostly the same plan titles, or the same file
name) is updated in place; another region's file is never touched
(:func:`~duban.plans.actions.documents.document_scope`).
"""

from __future__ import annotations

import hashlib
import os

from django.db import transaction

from duban.audit.trail import record
from duban.ingest import IngestError, ParseResult
from duban.ingest.bounded import parse_upload
from duban.ingest.year import detect_year
from duban.plans.actions.documents import copies_elsewhere, find_or_create_document, place_records, sync_plans
from duban.plans.actions.records import sync_cadences, sync_targets, sync_teams
from duban.plans.actions.report import IngestReport
from duban.plans.actions.tasks import sync_tasks
from duban.plans.models import DocumentRevision, Region, SourceDocument, Task, Unit
from duban.plans.programmes import ProgrammeError, resolve_programme
from duban.plans.regions import issuer_region
from duban.plans.units import UnitDirectory


def do_ingest_file(
    path: str,
    region: str | Region | None = None,
    *,
    actor=None,
    actor_name: str = "",
    file_name: str | None = None,
    unit_map: dict[str, Unit] | None = None,
    dry_run: bool = False,
    year: int | None = None,
    parsed: ParseResult | None = None,
) -> IngestReport:
    """Parse ``path`` and store it (one transaction). Raises IngestError for bad input; then nothing changed.
    The file is checked as untrusted and parsed bounded in time and memory (:func:`parse_upload`).
    ``file_name`` is the name to record when ``path`` is a temporary copy (the import wizard);
    ``year`` corrects the programme year read from the document;
    ``parsed`` is the result of an earlier :func:`parse_upload` of the same file (not parsed again)."""
    result = parsed if parsed is not None else parse_upload(path)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "txt"
    return do_ingest_result(
        result,
        file_name or os.path.basename(path),
        sha,
        fmt=fmt,
        region=region,
        actor=actor,
        actor_name=actor_name,
        path=path,
        unit_map=unit_map,
        dry_run=dry_run,
        year=year,
    )


class _DryRun(Exception):
    """Raised inside a dry run's transaction so that everything it wrote is rolled back."""

    def __init__(self, report: IngestReport):
        self.report = report


def do_ingest_result(
    result: ParseResult,
    file_name: str,
    sha256: str,
    *,
    fmt: str = "txt",
    region: str | Region | None = None,
    actor=None,
    actor_name: str = "",
    path: str | None = None,
    unit_map: dict[str, Unit] | None = None,
    dry_run: bool = False,
    year: int | None = None,
) -> IngestReport:
    """Store a parse result: the source document, plans, units and every record, and an audit entry.

    ``unit_map`` reads a written unit name as an existing unit of the plan's region (the import
    wizard's "fix units" step; stored as a manual alias). ``dry_run`` does the whole import in the
    transaction and rolls it back: the report says what a real import would add, change and remove.
    The file goes to its region's programme of its year (:mod:`duban.plans.programmes`); ``year``
    overrides the year read from the document.
    """
    try:
        with transaction.atomic():
            report = _store_result(
                result, file_name, sha256, fmt, region, actor, actor_name, path, unit_map, year
            )
            if dry_run:
                report.dry_run = True
                raise _DryRun(report)
    except _DryRun as done:
        return done.report
    return report


def _store_result(
    result, file_name, sha256, fmt, region, actor, actor_name, path, unit_map, year=None
) -> IngestReport:
    if not result.documents:
        raise IngestError("没有找到任何方案文档（no plan documents）", path=path or file_name)
    reg, programme = _region_and_programme(result, region, year, path or file_name)
    doc, new_doc = find_or_create_document(result, file_name, sha256, reg, programme)
    report = IngestReport(doc, new_doc, same_bytes=not new_doc and doc.sha256 == sha256)
    if new_doc:
        report.copy_of_regions = copies_elsewhere(sha256, reg)
    report.programme = programme
    before = None if new_doc else {"sha256": doc.sha256, "tasks": _active_task_count(doc)}
    doc.sha256, doc.format, doc.region, doc.programme = sha256, fmt, reg, programme
    doc.file_name = file_name
    doc.text = "\n".join(result.source_lines)
    doc.line_count = len(result.source_lines)
    doc.issuer, doc.warnings = result.issuer, list(result.warnings)
    doc.save()
    _store_records(doc, result, reg, unit_map, report)
    if not report.same_bytes:
        _add_revision(doc, report, actor, actor_name)
    record(
        "ingest",
        doc,
        summary="\n".join(report.lines()),
        before=before,
        after={
            "sha256": sha256,
            **report.counts(),
            **({"unit_map": {k: u.name for k, u in unit_map.items()}} if unit_map else {}),
        },
        actor=actor,
        actor_name=actor_name,
    )
    return report


def _region_and_programme(result: ParseResult, region: str | Region | None, year: int | None, where: str):
    """The region the file is filed under (given, else read from its issuer) and its programme of the
    year read from the document (``year`` overrides it)."""
    reg = region if isinstance(region, Region) else issuer_region(result.issuer, region, where)
    try:
        programme = resolve_programme(
            reg, detect_year(result.source_lines, [d.title for d in result.documents]),
            [(d.kind, d.title) for d in result.documents], year,
        )  # fmt: skip
    except ProgrammeError as e:
        raise IngestError(str(e), path=where) from e
    return reg, programme


def _store_records(
    doc: SourceDocument, result: ParseResult, reg: Region, unit_map: dict[str, Unit] | None, report: IngestReport
) -> None:
    """Units first (all names at once, so short and full spellings meet), then each plan's records."""
    units = UnitDirectory(reg)
    for written, unit in (unit_map or {}).items():
        units.assign(written, unit)
    units.resolve(_unit_names(result))
    plans = sync_plans(doc, result, reg, report)
    for plan, records in place_records(result, plans).items():
        sync_tasks(plan, doc, records["tasks"], units, report.tasks)
        sync_targets(plan, doc, records["targets"], report.targets)
        sync_teams(plan, doc, records["teams"], units, report.teams)
        sync_cadences(plan, doc, records["cadences"], report.cadences)
    report.new_units = [u.name for u in units.new_units]
    report.new_aliases = [f"{a.name} → {a.unit.name}" for a in units.new_aliases]
    report.unit_renames = [f"“{old}”（文件写作“{new}”）" for old, new in units.fuller_names]


def _add_revision(doc: SourceDocument, report: IngestReport, actor, actor_name: str) -> DocumentRevision:
    """Keep this import's text as the document's next version (the earlier ones stay as they were)."""
    last = doc.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    name = actor_name or (actor.get_username() if actor is not None else "")
    return DocumentRevision.objects.create(
        document=doc, number=last + 1, file_name=doc.file_name, sha256=doc.sha256, format=doc.format,
        text=doc.text, summary="\n".join(report.lines()), actor_name=name,
    )


def _unit_names(result: ParseResult) -> list[str]:
    names = [n for t in result.tasks for n in (*t.units, *t.lead_units)]
    names += [n for t in result.teams for n in (*t.members, t.office_at or "")]
    return names


def _active_task_count(doc: SourceDocument) -> int:
    return Task.objects.filter(source_document=doc, active=True).count()
