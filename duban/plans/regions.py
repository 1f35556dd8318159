"""Regions in the database: loading a region list and finding the issuer of a document."""

from __future__ import annotations

from django.db import transaction

from duban.ingest import IngestError
from duban.plans.hunan import parse_region_list, short_name
from duban.plans.models import Region

UNKNOWN_REGION = "未识别地区"
_LEVEL_BY_SUFFIX = {
    "省": "省",
    "州": "市",
    "市": "市",
    "县": "县",
    "区": "县",
    "镇": "乡镇",
    "乡": "乡镇",
    "街道": "乡镇",
}


@transaction.atomic
def load_region_list(text: str, region_model=Region) -> int:
    """Create the province, its 市州 and their 县市区 from a region list; returns how many were new.

    ``region_model`` lets a data migration pass its historical model.
    """
    Region = region_model  # noqa: N806
    province_name, cities = parse_region_list(text)
    created = 0
    province, new = Region.objects.get_or_create(name=province_name, parent=None, defaults={"level": "省"})
    created += new
    for city_name, counties in cities:
        city, new = Region.objects.get_or_create(
            name=city_name, parent=province, defaults={"level": "市", "short_name": short_name(city_name)}
        )
        created += new
        for county in counties:
            _, new = Region.objects.get_or_create(
                name=county, parent=city, defaults={"level": "县", "short_name": short_name(county)}
            )
            created += new
    return created


def find_region(name: str | None) -> Region | None:
    """The region called ``name`` (full or short name); the higher level wins a tie."""
    if not name:
        return None
    rank = {"省": 0, "市": 1, "县": 2, "乡镇": 3}
    found = list(Region.objects.filter(name=name)) or list(Region.objects.filter(short_name=name))
    return min(found, key=lambda r: (rank.get(r.level, 9), r.pk)) if found else None


def level_of(name: str) -> str:
    for suffix, level in _LEVEL_BY_SUFFIX.items():
        if name.endswith(suffix):
            return level
    return "县"


def issuer_region(issuer: dict, override: str | None, path: str) -> Region:
    """The region a document belongs to: ``--region`` if given, else the issuer the parser read.

    A detected issuer missing from the region list is added (under its parent when the parser
    named one); an undetected one goes to the placeholder region 未识别地区; an unknown
    ``--region`` is an error, because a typo must not create a region.
    """
    if override:
        region = find_region(override)
        if region is None:
            raise IngestError(
                f"地区“{override}”不在地区清单中（unknown region; see duban load_regions）", path=path
            )
        return region
    name = issuer.get("region")
    if not name:  # still a plan: keep it, under a placeholder the user can correct with --region
        region, _ = Region.objects.get_or_create(name=UNKNOWN_REGION, parent=None, defaults={"level": "县"})
        return region
    region = find_region(name)
    if region is None:
        parent = find_region(issuer.get("parent"))
        level = issuer.get("level") or level_of(name)
        region = Region.objects.create(
            name=name, level=level if level in dict(Region.LEVELS) else "县", parent=parent
        )
    return region
