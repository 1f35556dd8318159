"""Programmes (年度工作): which one a file belongs to, their names, periods and the archive rule.

A file's programme is its region's programme of the year the document states
(:func:`duban.ingest.year.detect_year`, or the office's correction). Importing next year's plan makes
a new programme; the previous one keeps its tasks, reports and scores, and once its period is over
it is archived (read-only). :func:`plan_windows` gives every plan its programme's period, which the
reporting calendar, statuses and 督办 checks keep every obligation inside.
"""

from __future__ import annotations

import re
from datetime import date

from duban.audit.cache import STRUCTURE, cached
from duban.ingest.text import norm_key
from duban.ingest.year import PlanYear
from duban.plans import clock
from duban.plans.models import Plan, Programme, Region


class ProgrammeError(ValueError):
    """A programme that cannot be used as asked; the message (Chinese) says why."""


_QUOTES = re.compile(r"[“”\"'‘’《》「」]")
_TAIL = re.compile(r"(?:总体方案|实施方案|工作方案|方案)$")
_UMBRELLA = re.compile(r"[一二三四五六七八九十两]{1,2}大?(?:仗|战|行动)")
_YEAR_WORD = re.compile(r"(?:20\d\d\s*年度?)")


def programme_name(region: Region, years: str, titles: list[tuple[str, str]]) -> str:
    """'邵阳市2023年打好发展六仗': the region, the year and the umbrella of the 总体方案 (or of any title
    naming 六仗/八大行动); '沅江市2023年度工作' when no title names one. ``titles``: (kind, title)."""
    ordered = [t for k, t in titles if k == "总体方案"] + [t for _, t in titles]
    for title in ordered:
        name = _QUOTES.sub("", norm_key(title))
        if not _UMBRELLA.search(name):
            continue
        name = _TAIL.sub("", _YEAR_WORD.sub("", name))
        for prefix in sorted({region.name, region.short_name} - {""}, key=len, reverse=True):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        name = name.replace("战", "仗") if name.endswith("战") else name
        if 2 <= len(name) <= 40:
            return f"{region.name}{years}{name}"
    return f"{region.name}{years}度工作"


def years_label(start_year: int, end_year: int) -> str:
    return f"{start_year}—{end_year}年" if end_year != start_year else f"{start_year}年"


def resolve_programme(
    region: Region,
    found: PlanYear | None,
    titles: list[tuple[str, str]],
    year: int | None = None,
    *,
    today: date | None = None,
) -> Programme:
    """The region's programme for this file, made when new. ``year`` (the office's correction) wins
    over the document's; a file naming no year at all goes to the current year's."""
    if year is not None:
        if not 2000 <= year <= 2100:
            raise ProgrammeError(f"年度 {year} 不合理（应为 2000—2100 之间的年份）")
        span = (found.end_year - found.start_year) if found else 0
        found = PlanYear(
            year,
            year + span,
            found.issued if found and found.issued and year - 1 <= found.issued.year <= year else None,
            evidence=f"人工指定 {year} 年",
        )
    if found is None:  # the text names no year: the year it is imported in, said so in the report
        if today is None:
            today = clock.today()
        found = PlanYear(today.year, today.year, evidence="文件未写明年度，按导入当年计；可用 --year 更正")
    first, last = found.period()
    programme = Programme.objects.filter(
        region=region, start_year=found.start_year, end_year=found.end_year
    ).first()
    label = years_label(found.start_year, found.end_year)
    name = programme_name(region, label, titles)
    if programme is None:
        return Programme.objects.create(
            region=region, name=name[:120], start_year=found.start_year, end_year=found.end_year,
            period_start=first, period_end=last, issued=found.issued, year_evidence=found.evidence[:300],
        )  # fmt: skip
    changed = []
    if programme.name.endswith("度工作") and not name.endswith("度工作"):
        programme.name = name[:120]
        changed.append("name")
    if first < programme.period_start:  # a file of the programme issued earlier
        programme.period_start = first
        changed.append("period_start")
    if last > programme.period_end:
        programme.period_end = last
        changed.append("period_end")
    if changed:
        programme.save(update_fields=changed)
    return programme


def plan_windows() -> dict[int, tuple[date, date]]:
    """{plan id: (first, last day) of its programme} for every plan that has one (cached per structure)."""

    def read():
        rows = Plan.objects.filter(source_document__programme__isnull=False).values_list(
            "id", "source_document__programme__period_start", "source_document__programme__period_end"
        )
        return {pk: (first, last) for pk, first, last in rows}

    return cached(("plan_windows",), STRUCTURE, read)


def find_programme(region: Region, year: int | None = None, today: date | None = None) -> Programme | None:
    """The region's programme of ``year`` (one that covers it), else its current one: the one whose
    period holds ``today``, else the latest begun."""
    programmes = list(Programme.objects.filter(region=region).order_by("start_year", "end_year"))
    if year is not None:
        covering = [p for p in programmes if p.start_year <= year <= p.end_year]
        return min(covering, key=lambda p: p.end_year - p.start_year, default=None)
    if today is None:
        today = clock.today()
    current = [p for p in programmes if p.period_start <= today <= p.period_end]
    if current:
        return current[-1]
    begun = [p for p in programmes if p.period_start <= today]
    return (begun or programmes or [None])[-1]


def archived_message(programme: Programme) -> str:
    return (
        f"“{programme.name}”已于 {programme.period_end:%Y年%m月%d日} 结束并归档，不能再报送或修改；"
        f"如需报送，请在本地区的新一年度工作中进行"
    )


def closed_reason(plan_id: int, period_start: date, period_end: date, today: date) -> str | None:
    """Why a report of plan ``plan_id`` for the days ``period_start``..``period_end`` cannot be made on
    ``today`` (None: it can): the programme is archived, or the period lies outside its period."""
    window = plan_windows().get(plan_id)
    if window is None:
        return None
    first, last = window
    if today > last or period_start > last or period_end < first:
        programme = Programme.objects.filter(documents__plans__id=plan_id).first()
        if programme is None:
            return None
        if today > last:
            return archived_message(programme)
        return (
            f"该期间不在“{programme.name}”的工作期内（{first:%Y年%m月%d日}至{last:%Y年%m月%d日}），不能报送"
        )
    return None


_CN_NUMBERS = "零一二三四五六七八九十"


def programme_subject(programme: Programme) -> str:
    """What a programme-wide brief is about: '打好发展六仗' from '邵阳市2023年打好发展六仗'; for a
    programme whose titles name no umbrella, its campaigns counted ('打好“六仗”', '实施“八大行动”')."""
    head = f"{programme.region.name}{years_label(programme.start_year, programme.end_year)}"
    name = programme.name[len(head) :] if programme.name.startswith(head) else programme.name
    if not name.endswith("度工作"):
        return name
    kinds = list(programme.campaigns.values_list("kind", flat=True))
    n = len(kinds)
    if 1 < n <= 10 and set(kinds) == {"仗"}:
        return f"打好“{_CN_NUMBERS[n]}仗”"
    if 1 < n <= 10 and set(kinds) == {"行动"}:
        return f"实施“{_CN_NUMBERS[n]}大行动”"
    return "重点工作"


def programme_plans(programme: Programme):
    """The active plans of a programme, in file and document order."""
    return Plan.objects.filter(source_document__programme=programme, active=True).order_by(
        "source_document_id", "order"
    )
