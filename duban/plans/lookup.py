"""Finding plans from what a user types on the command line: an id, a file, a region or title words.

Every command that takes a PLAN argument goes through here, so `duban calendar 沅江市`,
`duban brief 12 …` and `duban align 新邵县 邵阳市` read the argument the same way.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from duban.ingest.text import nospace
from duban.plans import programmes
from duban.plans.models import Plan, Programme, Region


class PlanLookupError(LookupError):
    """No plan, or more plans than the command can take; the message is for the user."""


def _describe(plans) -> str:
    return "；".join(f"#{p.pk} {p.title}" for p in plans[:8]) + ("…" if len(plans) > 8 else "")


_REGION_YEAR = re.compile(r"(?P<region>.+?)(?P<year>20\d\d)(?:年度?)?")


def find_region_word(word: str) -> Region | None:
    """The region a user typed: its name or short name, else the first whose name starts with it."""
    regions = Region.objects.filter(Q(name=word) | Q(short_name=word)).order_by("id")
    return regions.first() or Region.objects.filter(name__startswith=word).order_by("id").first()


def find_programme(arg: str, year: int | None = None) -> Programme | None:
    """The programme ``arg`` names: '沅江市2023' / '沅江市2023年', or a region with ``year``, or a region
    alone (its current programme). None when ``arg`` names no region that has programmes; a region
    without a programme of the asked year is an error that lists the years it has."""
    word = nospace(str(arg or ""))
    m = _REGION_YEAR.fullmatch(word)
    if m:
        word, year = m["region"], int(m["year"])
    region = find_region_word(word) if word and not word.lstrip("#").isdigit() else None
    if region is None or not region.programmes.exists():
        return None
    found = programmes.find_programme(region, year)
    if found is None:
        years = "、".join(p.year_label for p in region.programmes.all())
        raise PlanLookupError(f"{region.name}没有{year}年度的工作（已有：{years}）")
    return found


def find_plans(arg: str, year: int | None = None) -> QuerySet[Plan]:
    """Active plans named by ``arg``: '12' or '#12' (an id), a programme ('沅江市2023', or a region
    with ``year``: the plans of that programme), a source file name, a region ('沅江市', '沅江',
    '新邵县': every plan of that region), or words of the title ('安全生产').

    Raises PlanLookupError when nothing matches.
    """
    word = nospace(str(arg or "")).lstrip("#")
    active = Plan.objects.filter(active=True).select_related("region", "source_document", "campaign")
    if not word:
        raise PlanLookupError("请指定方案：编号、文件名、地区名或标题中的词")
    if year is not None or _REGION_YEAR.fullmatch(word):
        programme = find_programme(word, year)
        if programme is not None:
            return active.filter(source_document__programme=programme).order_by("source_document_id", "order")
        if year is not None:
            raise PlanLookupError(f"找不到“{arg}”的{year}年度工作：请用 `duban plans` 查看已导入的方案")
    if word.isdigit():
        found = active.filter(pk=int(word))
        if found.exists():
            return found
    for q in (
        Q(source_document__file_name=word),
        Q(region__name=word) | Q(region__short_name=word),
        Q(region__name__startswith=word),  # '沅江' for 沅江市
        Q(title__contains=word),
        Q(source_document__file_name__contains=word) | Q(campaign__name__contains=word),
    ):
        found = active.filter(q).order_by("source_document_id", "order")
        if found.exists():
            return found
    raise PlanLookupError(f"找不到方案“{arg}”：请用 `duban plans` 查看已导入方案的编号")


def find_plan(arg: str) -> Plan:
    """Exactly one plan; several matches is an error that lists them with their ids."""
    plans = list(find_plans(arg))
    if len(plans) > 1:
        raise PlanLookupError(f"“{arg}”对应 {len(plans)} 个方案，请用编号指定其一：{_describe(plans)}")
    return plans[0]
