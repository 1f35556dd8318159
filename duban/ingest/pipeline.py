"""The parser pipeline: load -> prepare -> structure -> passes -> ParseResult."""

from __future__ import annotations

import os

from duban.ingest import (
    cadences,
    deadlines,
    flat_tables,
    hanzi,
    issuer,
    leaders,
    prose,
    tables,
    targets,
    teams,
    twins,
    unfold,
    unitnames,
)
from duban.ingest.errors import IngestError
from duban.ingest.load import load_lines
from duban.ingest.model import ParseResult
from duban.ingest.structure import find_documents, untitled_document, with_documents
from duban.ingest.text import prepare


def parse_file(path: str) -> ParseResult:
    """Parse a plan file of any supported format. Raises :class:`IngestError` on bad input."""
    raw = load_lines(path)
    return parse_lines(raw, source=os.path.basename(path), path=path)


def parse_text(text: str, source: str = "<text>") -> ParseResult:
    return parse_lines(text.split("\n"), source=source)


def parse_lines(raw: list[str], source: str = "<text>", path: str | None = None) -> ParseResult:
    cut = unfold.unfold(raw)
    if cut is None:
        return _parse_lines(raw, source, path)
    result = _parse_lines(cut[0], source, path)
    unfold.refold(result, cut[1], raw)
    return result


def _parse_lines(raw: list[str], source: str, path: str | None) -> ParseResult:
    lines = prepare(raw)
    if not any(ln.text for ln in lines):
        raise IngestError("文件没有任何文字内容（no text in file）", path=path or source)
    outline = find_documents(lines)
    untitled = not outline.documents
    if untitled:  # no title gate: read the whole file; refuse only when nothing at all is found
        outline = with_documents(outline, [untitled_document(lines, os.path.splitext(source)[0] or "未命名方案")])
    result = ParseResult(
        seed=source,
        lines=[1, len(lines)],
        issuer=issuer.detect(lines, outline),
        documents=outline.documents,
        source_lines=[ln.raw for ln in lines],
    )
    task_list = tables.extract(lines, outline) + flat_tables.extract(lines, outline) + prose.extract(lines, outline)
    task_list.sort(key=lambda t: t.line)
    for i, t in enumerate(task_list, 1):
        t.id = str(i)
    twins.link(task_list)
    leaders.inherit(task_list, outline)
    result.tasks = task_list
    result.targets = targets.extract(lines, outline)
    result.teams = teams.extract(lines, outline)
    result.cadences = cadences.extract(lines, outline)
    cadences.bind(result.cadences, result.tasks, outline)
    result.unit_aliases = unitnames.resolve(result)
    deadlines.resolve(result)
    hanzi.restore(result, hanzi.reverse_map(result.source_lines))
    if untitled:
        if not (result.tasks or result.targets or result.teams or result.cadences):
            raise IngestError(
                "没有找到方案标题，也没有读出任何任务或目标（如“牵头单位：……”“责任单位：……”），"
                "不像是一份工作方案（not a plan document）",
                path=path or source,
            )
        result.warnings.append("没有找到方案标题（如“……工作方案”“……责任分解表”），已按整份文件读取；请核对文档标题")
    return result
