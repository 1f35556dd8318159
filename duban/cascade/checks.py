"""Consistency checks of the region tree and of units' regions (``duban regions --check``).

``Unit.region`` is a required foreign key, so every unit has a region by construction; what can
still be wrong is *which* one: units of a document whose issuer was not recognised sit in the
placeholder region 未识别地区 until the file is re-imported with ``--region``.
"""

from __future__ import annotations

from django.db.models import Count

from duban.cascade.regionfile import LEVEL_RANK
from duban.plans.models import Region, Unit
from duban.plans.regions import UNKNOWN_REGION


def region_problems() -> list[str]:
    """Every problem found, one Chinese sentence each; empty when the tree and the units are sound."""
    problems = []
    regions = {r.pk: r for r in Region.objects.all()}
    for r in regions.values():
        parent = regions.get(r.parent_id)
        if r.name == UNKNOWN_REGION:
            continue
        if parent is None and r.level != "省":
            problems.append(f"地区“{r.name}”（{r.level}）没有上级")
        elif parent is not None and LEVEL_RANK.get(r.level, 9) <= LEVEL_RANK.get(parent.level, 9):
            problems.append(f"地区“{r.name}”的层级“{r.level}”不低于上级“{parent.name}”（{parent.level}）")
    orphans = Unit.objects.filter(region__name=UNKNOWN_REGION, region__parent=None)
    n = orphans.count()
    if n:
        names = "、".join(orphans.values_list("name", flat=True)[:5])
        problems.append(
            f"{n} 个单位在“{UNKNOWN_REGION}”中（如 {names}）：请用 duban ingest 文件 --region 地区 重新导入"
        )
    return problems


def level_counts() -> dict[str, int]:
    """How many regions of each level are loaded."""
    rows = Region.objects.exclude(name=UNKNOWN_REGION).values("level").annotate(n=Count("id"))
    counts = {row["level"]: row["n"] for row in rows}
    return {level: counts.get(level, 0) for level in LEVEL_RANK}
