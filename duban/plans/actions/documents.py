"""Documents and plans of an import: which stored file a new one continues (only its region's, of
the same programme: :func:`document_scope`), one Plan per parsed document matched by kind and
title, parent plans and campaigns, and which plan each parsed record belongs to."""

from __future__ import annotations

from bisect import bisect_right

from duban.ingest import ParseResult
from duban.ingest.text import norm_key
from duban.plans.actions.base import clip, describe
from duban.plans.actions.report import IngestReport
from duban.plans.campaigns import CAMPAIGN_KINDS, campaign_kind, campaign_name
from duban.plans.matching import title_similarity
from duban.plans.models import Campaign, Plan, Programme, Region, SourceDocument
from duban.plans.regions import UNKNOWN_REGION

TABLE_KINDS = {"责任分解表", "任务清单", "项目清单"}
PLAN_KINDS = {"工作方案", "实施方案"}
PLAN_SIMILARITY = 0.6  # a retitled plan continues a stored one from this title similarity up


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


def find_or_create_document(
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


def copies_elsewhere(sha: str, region: Region) -> list[str]:
    """Names of the other regions that hold the same bytes (said in the report, never touched)."""
    ids = SourceDocument.objects.filter(sha256=sha).exclude(region=region).values_list("region_id", flat=True)
    return sorted(set(Region.objects.filter(pk__in=set(ids)).values_list("name", flat=True)))


def annex_label(annex) -> str:
    if annex is None:
        return ""
    return f"附件{annex}" if isinstance(annex, int) else str(annex)


def sync_plans(doc: SourceDocument, result: ParseResult, region: Region, report: IngestReport) -> list[Plan]:
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
                report.tasks.removed.append(describe(task.line, task.title))
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


def place_records(result: ParseResult, plans: list[Plan]) -> dict[Plan, dict[str, list]]:
    """Every parsed record goes to the plan whose line range holds its line."""
    starts = [d.line for d in result.documents]
    placed = {p: {"tasks": [], "targets": [], "teams": [], "cadences": []} for p in plans}

    def plan_at(line: int) -> Plan:
        return plans[max(bisect_right(starts, line) - 1, 0)]

    for kind in ("tasks", "targets", "teams", "cadences"):
        for rec in getattr(result, kind):
            placed[plan_at(rec.line)][kind].append(rec)
    return placed
