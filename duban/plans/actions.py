"""Importing a parsed plan file into the database (the one way plans, tasks and units get written).

``do_ingest_file`` parses a file and stores it in ONE transaction: all records or none. A file seen
before IN THE SAME REGION (same bytes, or a revision: mostly the same plan titles, or the same file
name) is updated in place; another region's file is never touched (:func:`document_scope`): plans are matched by title, tasks by :mod:`duban.plans.matching`, so a
revised title or a moved row keeps its Task row; tasks gone from the file are deactivated.
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_right
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from duban.audit.trail import record
from duban.ingest import IngestError, ParseResult
from duban.ingest.bounded import parse_upload
from duban.ingest.text import norm_key
from duban.ingest.year import detect_year
from duban.plans.campaigns import CAMPAIGN_KINDS, campaign_kind, campaign_name
from duban.plans.matching import TaskSig, match_tasks, title_similarity
from duban.plans.models import (
    Cadence,
    CadenceItem,
    Campaign,
    DocumentRevision,
    Plan,
    Programme,
    Region,
    SourceDocument,
    Target,
    Task,
    TaskForce,
    TaskForceMember,
    TaskUnit,
    Unit,
    UnitAlias,
)
from duban.plans.programmes import ProgrammeError, resolve_programme
from duban.plans.regions import UNKNOWN_REGION, issuer_region
from duban.plans.units import UnitDirectory


def clip(model, field: str, value: str | None) -> str:
    """``value`` cut to the column's length (a garbled cell must not abort the whole import)."""
    return (value or "")[: model._meta.get_field(field).max_length]


TABLE_KINDS = {"责任分解表", "任务清单", "项目清单"}
PLAN_KINDS = {"工作方案", "实施方案"}
EXAMPLES = 3  # examples per kind of change in the report
PLAN_SIMILARITY = 0.6  # a retitled plan continues a stored one from this title similarity up


# ---------------------------------------------------------------- the report


@dataclass
class Tally:
    """Added / changed / removed records of one kind, with a few examples of each."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: int = 0  # only the line changed
    unchanged: int = 0

    def counts(self) -> dict:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "moved": self.moved,
            "unchanged": self.unchanged,
        }


@dataclass
class IngestReport:
    source_document: SourceDocument
    new_document: bool
    same_bytes: bool
    tasks: Tally = field(default_factory=Tally)
    plans: Tally = field(default_factory=Tally)
    targets: Tally = field(default_factory=Tally)
    teams: Tally = field(default_factory=Tally)
    cadences: Tally = field(default_factory=Tally)
    new_units: list[str] = field(default_factory=list)
    new_aliases: list[str] = field(default_factory=list)
    dry_run: bool = False  # computed in a rolled-back transaction: nothing was stored
    copy_of_regions: list[str] = field(default_factory=list)  # same bytes stored for these regions
    unit_renames: list[str] = field(default_factory=list)  # fuller names kept as aliases, not renames
    programme: Programme | None = None

    def counts(self) -> dict:
        return {
            "tasks": self.tasks.counts(),
            "plans": self.plans.counts(),
            "targets": self.targets.counts(),
            "teams": self.teams.counts(),
            "cadences": self.cadences.counts(),
            "new_units": len(self.new_units),
            "new_aliases": len(self.new_aliases),
        }

    def lines(self) -> list[str]:
        """The report in Chinese: what was added, changed and removed, with examples."""
        doc = self.source_document
        how = (
            "新导入"
            if self.new_document
            else ("内容未变，重新导入" if self.same_bytes else "更新已导入的文件")
        )
        region = doc.region.name if doc.region else "未识别地区"
        out = [f"{doc.file_name}：{how}（{region}，来源文件 #{doc.pk}）"]
        if self.programme is not None:
            p = self.programme
            out.append(
                f"  年度工作：{p.name}（{p.period_start:%Y年%m月%d日}至{p.period_end:%Y年%m月%d日}；"
                f"年度依据：{p.year_evidence or '未注明'}）"
            )
        if region == UNKNOWN_REGION:
            out.append("  注意：没有识别出发文地区，已归入“未识别地区”；可用 --region 指定后重新导入")
        if self.copy_of_regions:
            out.append(
                f"  注意：同一文件已由{'、'.join(self.copy_of_regions)}导入；本次在{region}另建独立的一份，"
                "与其方案、任务、单位互不影响"
            )
        for label, tally in (
            ("方案", self.plans),
            ("任务", self.tasks),
            ("目标", self.targets),
            ("专班", self.teams),
            ("调度机制", self.cadences),
        ):
            text = (
                f"  {label}：新增 {len(tally.added)}，修改 {len(tally.changed)}，"
                f"移除 {len(tally.removed)}，未变 {tally.unchanged}"
            )
            if tally.moved:
                text += f"（其中仅行号变动 {tally.moved}）"
            out.append(text)
        out.append(f"  单位：新增 {len(self.new_units)} 个，新学到别名 {len(self.new_aliases)} 个")
        if self.unit_renames:
            out.append(
                f"  单位：{len(self.unit_renames)} 个已有单位在文件中写作更完整的名称，已保留原名并把新写法记为别名；"
                "如需改名，请在单位管理中确认"
            )
        for word, items in (
            ("新增", self.tasks.added),
            ("修改", self.tasks.changed),
            ("移除", self.tasks.removed),
            ("新学到别名", self.new_aliases),
            ("保留原名", self.unit_renames),
        ):
            for item in items[:EXAMPLES]:
                out.append(f"    {word}：{item}")
            if len(items) > EXAMPLES:
                out.append(f"    {word}：……等 {len(items)} 项")
        return out


# ---------------------------------------------------------------- entry point


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
    if isinstance(region, Region):
        reg = region
    else:
        reg = issuer_region(result.issuer, region, path or file_name)
    try:
        programme = resolve_programme(
            reg, detect_year(result.source_lines, [d.title for d in result.documents]),
            [(d.kind, d.title) for d in result.documents], year,
        )  # fmt: skip
    except ProgrammeError as e:
        raise IngestError(str(e), path=path or file_name) from e
    doc, new_doc = _find_or_create_document(result, file_name, sha256, reg, programme)
    report = IngestReport(doc, new_doc, same_bytes=not new_doc and doc.sha256 == sha256)
    if new_doc:
        report.copy_of_regions = _copies_elsewhere(sha256, reg)
    report.programme = programme
    before = None if new_doc else {"sha256": doc.sha256, "tasks": _active_task_count(doc)}
    doc.sha256, doc.format, doc.region, doc.programme = sha256, fmt, reg, programme
    doc.file_name = file_name
    doc.text = "\n".join(result.source_lines)
    doc.line_count = len(result.source_lines)
    doc.issuer, doc.warnings = result.issuer, list(result.warnings)
    doc.save()

    units = UnitDirectory(reg)
    for written, unit in (unit_map or {}).items():
        units.assign(written, unit)
    units.resolve(_unit_names(result))  # all at once, so short and full spellings meet
    plans = _sync_plans(doc, result, reg, report)
    placed = _place_records(result, plans)
    for plan, records in placed.items():
        _sync_tasks(plan, doc, records["tasks"], units, report.tasks)
        _sync_targets(plan, doc, records["targets"], report.targets)
        _sync_teams(plan, doc, records["teams"], units, report.teams)
        _sync_cadences(plan, doc, records["cadences"], report.cadences)
    report.new_units = [u.name for u in units.new_units]
    report.new_aliases = [f"{a.name} → {a.unit.name}" for a in units.new_aliases]
    report.unit_renames = [f"“{old}”（文件写作“{new}”）" for old, new in units.fuller_names]
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


# ---------------------------------------------------------------- documents and plans


def title_key(title: str) -> str:
    """Plan titles compared without spaces, quotes and the 战/仗 spelling."""
    return norm_key(title).translate(str.maketrans("", "", "“”\"'‘’《》")).replace("战", "仗")


def document_scope(region: Region, programme: Programme | None = None):
    """The stored files an import into ``region`` may continue: only that region's own, of the same
    programme (年度工作).

    A document belongs to its region; matching never reaches across regions, so an office cannot
    continue (and thereby take over) another region's file by uploading the same bytes; and next
    year's plan of a region never replaces this year's. This is the one place that decides the scope
    of re-import matching.
    """
    return SourceDocument.objects.filter(region=region, programme=programme)


def _find_or_create_document(
    result: ParseResult, file_name: str, sha: str, region: Region, programme: Programme | None = None
):
    """The stored file this one continues, within ``region`` and ``programme``: same bytes, else most
    shared plan titles, else same name. The same bytes stored for another region give a new,
    independent copy."""
    stored = document_scope(region, programme)
    same = stored.filter(sha256=sha).order_by("id").first() or _unfiled(sha, programme)
    if same:
        return same, False
    new_titles = {title_key(d.title) for d in result.documents}
    best, best_share = None, 0.0
    stored = stored.prefetch_related("plans")
    for doc in stored:
        old_titles = {title_key(p.title) for p in doc.plans.all()}
        share = len(old_titles & new_titles) / max(len(old_titles), len(new_titles), 1)
        if share > best_share or (share == best_share and best and doc.file_name == file_name):
            best, best_share = doc, share
    if best is not None and best_share >= 0.5:
        return best, False
    by_name = [d for d in stored if d.file_name == file_name]
    if by_name:
        return by_name[0], False
    return SourceDocument(file_name=file_name, sha256=sha), True


def _unfiled(sha: str, programme: Programme | None = None) -> SourceDocument | None:
    """The same bytes kept under the placeholder 未识别地区 (a region nobody runs), of the same years:
    importing them with a region files them there, as the ingest report suggests (``--region``)."""
    found = SourceDocument.objects.filter(sha256=sha, region__name=UNKNOWN_REGION, region__parent=None)
    if programme is not None:
        found = found.filter(
            programme__start_year=programme.start_year, programme__end_year=programme.end_year
        )
    return found.order_by("id").first()


def _copies_elsewhere(sha: str, region: Region) -> list[str]:
    """Names of the other regions that hold the same bytes (said in the report, never touched)."""
    ids = SourceDocument.objects.filter(sha256=sha).exclude(region=region).values_list("region_id", flat=True)
    return sorted(set(Region.objects.filter(pk__in=set(ids)).values_list("name", flat=True)))


def annex_label(annex) -> str:
    if annex is None:
        return ""
    return f"附件{annex}" if isinstance(annex, int) else str(annex)


def _sync_plans(doc: SourceDocument, result: ParseResult, region: Region, report: IngestReport) -> list[Plan]:
    """One Plan per parsed document, in order; stored plans are matched by kind + title."""
    old = list(doc.plans.all()) if doc.pk else []
    pool: dict[tuple, list[Plan]] = {}
    for p in old:
        pool.setdefault((p.kind, title_key(p.title)), []).append(p)
    issuer_names = tuple(n for n in (region.name, region.short_name, result.issuer.get("region")) if n)
    plans: list[Plan] = []
    found = _match_plans(result.documents, pool)
    for order, d in enumerate(result.documents):
        plan = found.get(order) or Plan(source_document=doc)
        fields = {
            "title": clip(Plan, "title", d.title),
            "kind": d.kind,
            "annex": clip(Plan, "annex", annex_label(d.annex)),
            "line": d.line,
            "end_line": d.end_line,
            "order": order,
            "region": region,
            "active": True,
        }
        changed = [k for k, v in fields.items() if getattr(plan, k) != v]
        for k, v in fields.items():
            setattr(plan, k, v)
        if plan.pk is None:
            report.plans.added.append(d.title)
        elif set(changed) - {"line", "end_line", "order"}:
            report.plans.changed.append(d.title)
        else:
            report.plans.unchanged += 1
            report.plans.moved += bool(changed)
        plan.save()
        plans.append(plan)
    kept = {p.pk for p in plans}
    for p in old:
        if p.pk not in kept and p.active:
            p.active = False
            p.save(update_fields=["active"])
            report.plans.removed.append(p.title)
            for task in p.tasks.filter(active=True):
                report.tasks.removed.append(_describe(task.line, task.title))
            p.tasks.update(active=False)
    _link_plans(plans, issuer_names, region, doc.programme)
    return plans


def _match_plans(documents, pool: dict[tuple, list[Plan]]) -> dict[int, Plan]:
    """{document index: stored plan}: same kind and title first, then the most similar title of the
    same kind (a corrected title keeps its plan and tasks)."""
    found: dict[int, Plan] = {}
    for i, d in enumerate(documents):
        candidates = pool.get((d.kind, title_key(d.title)))
        if candidates:
            found[i] = candidates.pop(0)
    for i, d in enumerate(documents):
        if i in found:
            continue
        rest = [p for (kind, _), plans in pool.items() if kind == d.kind for p in plans]
        scored = [
            (
                title_similarity(title_key(p.title), title_key(d.title))
                + 0.1 * (p.annex == annex_label(d.annex)),
                p,
            )
            for p in rest
        ]
        score, best = max(scored, key=lambda sp: sp[0], default=(0.0, None))
        if best is not None and score >= PLAN_SIMILARITY:
            found[i] = best
            pool[(best.kind, title_key(best.title))].remove(best)
    return found


def link_plans_of(doc: SourceDocument, plans: list[Plan]) -> None:
    """Parent plans and campaigns of a stored document's ``plans`` in its (current) region."""
    region = doc.region
    issuer_names = tuple(n for n in (region.name, region.short_name, (doc.issuer or {}).get("region")) if n)
    _link_plans(plans, issuer_names, region, doc.programme)


def _link_plans(
    plans: list[Plan], issuer_names: tuple[str, ...], region: Region, programme: Programme | None = None
) -> None:
    """Parent plan and campaign of every plan, from document order and titles.

    A document's root plan keeps a parent in another document: that is the link to the upper-level
    plan set by ``duban link_plans``, which re-ingesting the file must not undo."""
    notice = overall = last_plan = None
    campaigns = {c.name: c for c in Campaign.objects.filter(region=region, programme=programme)}
    for p in plans:
        parent, name = None, None
        if p.kind == "通知":
            notice = p
        elif p.kind == "总体方案":
            overall, parent = p, notice
        else:
            if p.kind in TABLE_KINDS and last_plan and last_plan.annex == p.annex:
                parent = last_plan
            else:
                parent = overall
            if p.kind in CAMPAIGN_KINDS:
                name = campaign_name(p.title, issuer_names)
                if name is None and parent is not None and parent.kind in PLAN_KINDS:
                    name = parent.campaign.name if parent.campaign else None
        if p.kind in PLAN_KINDS:
            last_plan = p
        campaign = None
        if name:
            campaign = campaigns.get(name)
            if campaign is None:
                campaign = campaigns[name] = Campaign.objects.create(
                    region=region, programme=programme, name=name, kind=campaign_kind(name)
                )
        if parent is None and p.parent_id is not None and p.parent.source_document_id != p.source_document_id:
            parent = p.parent  # a cross-level link (duban link_plans) outlives re-import
        if (p.parent_id, p.campaign_id) != (parent.pk if parent else None, campaign.pk if campaign else None):
            p.parent, p.campaign = parent, campaign
            p.save(update_fields=["parent", "campaign"])


def _place_records(result: ParseResult, plans: list[Plan]) -> dict[Plan, dict[str, list]]:
    """Every parsed record goes to the plan whose line range holds its line."""
    starts = [d.line for d in result.documents]
    placed = {p: {"tasks": [], "targets": [], "teams": [], "cadences": []} for p in plans}

    def plan_at(line: int) -> Plan:
        return plans[max(bisect_right(starts, line) - 1, 0)]

    for kind in ("tasks", "targets", "teams", "cadences"):
        for rec in getattr(result, kind):
            placed[plan_at(rec.line)][kind].append(rec)
    return placed


# ---------------------------------------------------------------- tasks


def _describe(task_line: int, title: str) -> str:
    short = title if len(title) <= 40 else title[:39] + "…"
    return f"第 {task_line} 行「{short}」"


TASK_FIELDS = {  # model field -> Chinese label, for the change report
    "title": "标题",
    "text": "全文",
    "seq": "序号",
    "section": "章节",
    "source": "出处",
    "persons": "责任人",
    "leaders": "责任领导",
    "deadline": "时限",
    "progress": "进度",
}
POSITION_FIELDS = ("line", "end_line", "order")


def _task_fields(t, order: int) -> dict:
    return {
        "title": t.title,
        "text": t.text or t.title,
        "seq": clip(Task, "seq", t.seq),
        "section": list(t.section),
        "source": t.source,
        "persons": list(t.persons),
        "leaders": list(t.leaders),
        "deadline": clip(Task, "deadline", t.deadline),
        "progress": t.progress or "",
        "line": t.line,
        "end_line": t.end_line,
        "order": order,
    }


def _assignment_rows(t, units: dict) -> list[tuple[str, str, int]]:
    """(written name, role, unit id) in document order; lead units missing from ``units`` come first."""
    leads = set(t.lead_units)
    names = [n for n in t.lead_units if n not in t.units] + list(t.units)
    return [(n, TaskUnit.LEAD if n in leads else TaskUnit.CO, units[n].pk) for n in names if n in units]


def _sync_tasks(plan: Plan, doc: SourceDocument, new: list, directory: UnitDirectory, tally: Tally) -> None:
    old = list(Task.objects.filter(plan=plan).prefetch_related("assignments").order_by("order", "id"))
    units = directory.resolve(n for t in new for n in [*t.units, *t.lead_units])
    pairs = match_tasks(
        [TaskSig(o.title, o.seq, tuple(o.section), tuple(a[0] for a in _document_rows(o))) for o in old],
        [TaskSig(t.title, t.seq or "", tuple(t.section), tuple(t.units)) for t in new],
    )
    to_create, to_update, assignments = [], [], {}
    for j, t in enumerate(new):
        fields = _task_fields(t, j)
        rows = _assignment_rows(t, units)
        if j not in pairs:
            task = Task(plan=plan, source_document=doc, **fields)
            to_create.append(task)
            assignments[id(task)] = (task, rows)
            tally.added.append(_describe(t.line, t.title))
            continue
        task = old[pairs[j]]
        old_rows = _document_rows(task)
        diff = [k for k, v in fields.items() if getattr(task, k) != v]
        content = [TASK_FIELDS[k] for k in diff if k in TASK_FIELDS]
        if old_rows != rows:
            content.append("责任单位")
            assignments[id(task)] = (task, rows)
        if not task.active:
            content.append("恢复有效")
        if content:
            tally.changed.append(f"{_describe(t.line, t.title)}：{'、'.join(content)}")
        else:
            tally.unchanged += 1
            tally.moved += bool(diff)
        if diff or not task.active or task.source_document_id != doc.pk:
            for k in diff:
                setattr(task, k, fields[k])
            task.active, task.source_document = True, doc
            to_update.append(task)
    matched = set(pairs.values())
    for i, task in enumerate(old):
        if i not in matched and task.active:
            task.active = False
            to_update.append(task)
            tally.removed.append(_describe(task.line, task.title))
    Task.objects.bulk_create(to_create)
    if to_update:
        Task.objects.bulk_update(to_update, [*TASK_FIELDS, *POSITION_FIELDS, "active", "source_document"])
    _write_assignments(assignments.values())


def _document_rows(task: Task) -> list[tuple[str, str, int]]:
    """(written name, role, unit id) of the units the document gave ``task`` (hand assignments left out)."""
    rows = sorted(task.assignments.all(), key=lambda a: a.order)  # uses the prefetch
    return [(a.written_as, a.role, a.unit_id) for a in rows if a.origin == TaskUnit.DOCUMENT]


def _write_assignments(items) -> None:
    """Rewrite the document's units of each task; the office's hand assignments (手工) are kept and
    numbered after them, unless the document now names the same unit itself."""
    items = list(items)
    if not items:
        return
    stored = TaskUnit.objects.filter(task__in=[t for t, _ in items if t.pk])
    manual: dict[int, list[TaskUnit]] = {}
    for a in stored.filter(origin=TaskUnit.MANUAL).order_by("task_id", "order"):
        manual.setdefault(a.task_id, []).append(a)
    stored.delete()
    new = []
    for task, rows in items:
        for k, (name, role, unit_id) in enumerate(rows):
            written = clip(TaskUnit, "written_as", name)
            new.append(TaskUnit(task=task, written_as=written, role=role, unit_id=unit_id, order=k))
        named = {unit_id for _, _, unit_id in rows}
        kept = [a for a in manual.get(task.pk, []) if a.unit_id not in named]
        for k, a in enumerate(kept, len(rows)):
            new.append(
                TaskUnit(task=task, written_as=a.written_as, role=a.role, unit_id=a.unit_id, order=k,
                         origin=TaskUnit.MANUAL)
            )  # fmt: skip
    TaskUnit.objects.bulk_create(new)


# ---------------------------------------------------------------- targets, teams, cadences


def _sync_simple(
    model, plan: Plan, doc: SourceDocument, new: list, key, fields, tally: Tally, children=None, stored=None,
    soft=False,
):
    """Update records matched by ``key`` (in order), create the new ones, delete the vanished ones.

    ``children(obj, rec, created) -> bool`` writes related rows and says whether they changed;
    ``stored`` limits the records this sync owns (default: all of the plan's); ``soft``: vanished
    records are deactivated (``active=False``) and matched ones reactivated, for records that other
    data points to.
    """
    pool: dict = {}
    if stored is None:
        stored = (model.all_objects if soft else model.objects).filter(plan=plan)
    for obj in stored.order_by("-active" if soft else "order", "order", "id"):
        pool.setdefault(key(obj), []).append(obj)
    for order, rec in enumerate(new):
        values = {**fields(rec), "line": rec.line, "order": order, **({"active": True} if soft else {})}
        found = pool.get(key(values))
        obj = found.pop(0) if found else model(plan=plan, source_document=doc)
        created = obj.pk is None
        diff = [k for k, v in values.items() if getattr(obj, k) != v]
        for k, v in values.items():
            setattr(obj, k, v)
        obj.source_document = doc
        if created or diff:
            obj.save()
        kids = children(obj, rec, created) if children else False
        label = getattr(rec, "text", None) or getattr(rec, "name", "")
        if created:
            tally.added.append(label)
        elif kids or set(diff) - {"line", "order"}:
            tally.changed.append(label)
        else:
            tally.unchanged += 1
            tally.moved += bool(diff)
    for objs in pool.values():
        for obj in objs:
            if soft and not obj.active:
                continue  # removed by an earlier revision
            tally.removed.append(str(obj))
            if soft:
                obj.active = False
                obj.save(update_fields=["active"])
            else:
                obj.delete()


def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _sync_targets(plan, doc, new, tally):
    _sync_simple(
        Target,
        plan,
        doc,
        new,
        key=lambda o: (_get(o, "indicator"), _get(o, "measure")),
        fields=lambda t: {
            "indicator": clip(Target, "indicator", t.indicator),
            "measure": clip(Target, "measure", t.measure),
            "value": float(t.value),
            "measure_unit": clip(Target, "measure_unit", t.unit),
            "qualifier": clip(Target, "qualifier", t.qualifier),
            "text": t.text,
        },
        tally=tally,
        soft=True,  # reported actual values (TargetActual) keep their target
    )


def _sync_teams(plan, doc, new, directory: UnitDirectory, tally):
    units = directory.resolve(n for t in new for n in [*t.members, t.office_at or ""])

    def members(team: TaskForce, rec, created: bool) -> bool:
        rows = [(clip(TaskForceMember, "written_as", n), units[n].pk) for n in rec.members if n in units]
        old = [] if created else [(m.written_as, m.unit_id) for m in team.memberships.order_by("order")]
        if rows == old:
            return False
        team.memberships.all().delete()
        TaskForceMember.objects.bulk_create(
            TaskForceMember(task_force=team, written_as=n, unit_id=u, order=k)
            for k, (n, u) in enumerate(rows)
        )
        return not created

    _sync_simple(
        TaskForce,
        plan,
        doc,
        new,
        key=lambda o: _get(o, "name"),
        fields=lambda t: {
            "name": clip(TaskForce, "name", t.name),
            "convener": clip(TaskForce, "convener", t.convener),
            "deputy_conveners": list(t.deputy_conveners),
            "office_text": clip(TaskForce, "office_text", t.office_at),
            "office_unit": units.get(t.office_at or ""),
        },
        tally=tally,
        children=members,
    )


def _sync_cadences(plan, doc, new, tally):
    """Only document cadences (文件) are replaced; the office's (手工, including document cadences
    edited by hand, which keep the wording they replaced) are never touched, and a document cadence
    the office removed stays removed."""
    replaced = set(
        Cadence.objects.filter(plan=plan, origin=Cadence.MANUAL).exclude(document_text="").values_list(
            "document_text", flat=True
        )
    )
    skipped = [c for c in new if c.text in replaced]
    tally.unchanged += len(skipped)
    new = [c for c in new if c.text not in replaced]

    def items(cadence: Cadence, rec, created: bool) -> bool:
        rows = [
            (clip(CadenceItem, "every", i.every), clip(CadenceItem, "action", i.action)) for i in rec.items
        ]
        old = [] if created else [(i.every, i.action) for i in cadence.items.order_by("order")]
        if rows == old:
            return False
        cadence.items.all().delete()
        CadenceItem.objects.bulk_create(
            CadenceItem(cadence=cadence, every=e, action=a, order=k) for k, (e, a) in enumerate(rows)
        )
        return not created

    _sync_simple(
        Cadence,
        plan,
        doc,
        new,
        key=lambda o: _get(o, "text"),
        fields=lambda c: {
            "text": c.text,
            "report_to": clip(Cadence, "report_to", c.report_to),
            "due": clip(Cadence, "due", c.due),
        },
        tally=tally,
        children=items,
        stored=Cadence.objects.filter(plan=plan, origin=Cadence.DOCUMENT),
    )


# ---------------------------------------------------------------- units (the office's corrections)


class UnitError(ValueError):
    """A unit change that cannot be made; the message (Chinese) says why. Nothing was changed."""


def _unit_references():
    """Every (model, field name) holding a foreign key to Unit, hidden ones (related_name='+') too."""
    for rel in Unit._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete and not rel.many_to_many:
            if rel.related_model is not UnitAlias:
                yield rel.related_model, rel.field.name


def do_merge_units(source: Unit, target: Unit, *, actor=None) -> dict[str, int]:
    """Merge ``source`` into ``target`` (two spellings found to be one unit): every record that
    names ``source`` — task assignments, reports, notices, problems, accounts … — now names
    ``target``; its name and aliases become aliases of ``target``, which is marked 人工确认 so
    later imports keep it. Returns {model label: rows moved}. One transaction, audited."""
    if source.pk == target.pk:
        raise UnitError("不能把单位合并到它自己")
    if source.region_id != target.region_id:
        raise UnitError(f"只能合并同一地区的单位：“{source.name}”与“{target.name}”不在同一地区")
    if source.is_group != target.is_group:
        raise UnitError("泛指单位（如 各县市区人民政府）不能与具体单位合并")
    moved: dict[str, int] = {}
    label = ""
    try:
        with transaction.atomic():
            _drop_duplicate_assignments(source, target)
            for model, name in _unit_references():
                label = str(model._meta.verbose_name)
                n = model._base_manager.filter(**{name: source}).update(**{name: target})
                if n:
                    moved[label] = moved.get(label, 0) + n
            aliases = [a.name for a in UnitAlias.objects.filter(unit=source)]
            UnitAlias.objects.filter(unit=source).update(unit=target, origin=UnitAlias.MANUAL)
            before = {"source": {"id": source.pk, "name": source.name, "aliases": aliases}}
            name = source.name
            source.delete()
            UnitAlias.objects.create(
                region_id=target.region_id, name=name, unit=target, origin=UnitAlias.MANUAL
            )
            target.confirmed = True
            target.save(update_fields=["confirmed"])
            record(
                "unit.merge",
                target,
                summary=f"单位“{name}”并入“{target.name}”："
                + "、".join(f"{k} {v}" for k, v in moved.items()),
                before=before,
                after={"target": target.pk, "moved": moved},
                actor=actor,
            )
    except IntegrityError as e:
        raise UnitError(
            f"不能合并：两个单位在“{label}”中有相互冲突的记录（如同一任务同一期间都有报送），请先处理"
        ) from e
    return moved


def _drop_duplicate_assignments(source: Unit, target: Unit) -> None:
    """A task or notice naming both units keeps one row: the target's (as lead if either led)."""
    both = TaskUnit.objects.filter(unit=source, task__assignments__unit=target)
    for row in both.select_related(None):
        kept = TaskUnit.objects.get(task_id=row.task_id, unit=target)
        if row.role == TaskUnit.LEAD and kept.role != TaskUnit.LEAD:
            kept.role = TaskUnit.LEAD
            kept.save(update_fields=["role"])
        row.delete()
    TaskForceMember.objects.filter(unit=source, task_force__memberships__unit=target).delete()
    for model, name in _unit_references():
        if model._meta.auto_created:  # a plain many-to-many table (督办单位): drop the doubles
            owner = next(f.name for f in model._meta.fields if f.is_relation and f.name != name)
            taken = model._base_manager.filter(**{name: target}).values(owner)
            model._base_manager.filter(**{name: source, f"{owner}__in": taken}).delete()


@transaction.atomic
def do_add_alias(unit: Unit, name: str, *, actor=None) -> UnitAlias:
    """Record ``name`` as another spelling of ``unit`` (manual alias, audited)."""
    key = norm_key(name or "")
    if not key:
        raise UnitError("别名不能为空")
    taken = UnitAlias.objects.filter(region_id=unit.region_id, name=key).select_related("unit").first()
    if taken:
        raise UnitError(f"“{key}”已是“{taken.unit.name}”的别名")
    if Unit.objects.filter(region_id=unit.region_id, name=key).exists():
        raise UnitError(f"“{key}”已是一个单位的规范名称；如是同一单位，请用合并")
    alias = UnitAlias.objects.create(region_id=unit.region_id, name=key, unit=unit, origin=UnitAlias.MANUAL)
    record("unit.alias", unit, summary=f"单位“{unit.name}”新增别名“{key}”", after={"alias": key}, actor=actor)
    return alias
