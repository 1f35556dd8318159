"""Finding plans from what a user types on the command line: an id, a file, a region or title words.

Every command that takes a PLAN argument goes through here, so `duban calendar 沅江市`,
`duban brief 12 …` and `duban align 新邵县 邵阳市` read the argument the same way.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from duban.ingest.text import nospace
from duban.plans.models import Plan


class PlanLookupError(LookupError):
    """No plan, or more plans than the command can take; the message is for the user."""


def _describe(plans) -> str:
    return "；".join(f"#{p.pk} {p.title}" for p in plans[:8]) + ("…" if len(plans) > 8 else "")


def find_plans(arg: str) -> QuerySet[Plan]:
    """Active plans named by ``arg``: '12' or '#12' (an id), a source file name, a region
    ('沅江市', '沅江', '新邵县': every plan of that region), or words of the title ('安全生产').

    Raises PlanLookupError when nothing matches.
    """
    word = nospace(str(arg or "")).lstrip("#")
    active = Plan.objects.filter(active=True).select_related("region", "source_document", "campaign")
    if not word:
        raise PlanLookupError("请指定方案：编号、文件名、地区名或标题中的词")
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
