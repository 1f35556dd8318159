"""Region tables (CSV or JSON) for any province, down to 乡镇（街道）.

The built-in list (:mod:`duban.plans.hunan`, ``duban load_regions``) stops at 县市区; a table adds a
whole other province or the townships of a county, because 各乡镇（街道、中心） can only be expanded
when the county's townships are known. One row per region::

    code,name,short_name,level,parent
    360000,江西省,,省,
    360100,南昌市,,市,360000
    ,酿溪镇,,乡镇,湖南省/邵阳市/新邵县

``code`` (optional, e.g. the 行政区划代码) only lets later rows name their parent; ``parent`` is a
code of an earlier row or the path of a region already loaded (names or short names joined by
``/``; a unique name alone is enough); empty for a province. ``level`` is 省 / 市 / 县 / 乡镇
(the long labels 市（州）, 县（市、区）, 乡镇（街道） are accepted). JSON: a list of objects with the
same keys. Loading is one transaction: a bad row changes nothing; rows already present are kept.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.db import transaction

from duban.plans.hunan import short_name as ethnic_short_name
from duban.plans.models import Region

LEVEL_RANK = {"省": 0, "市": 1, "县": 2, "乡镇": 3}
_LEVEL_ALIASES = {label: code for code, label in Region.LEVELS} | {
    "市州": "市",
    "县市区": "县",
    "区县": "县",
    "乡": "乡镇",
    "镇": "乡镇",
    "街道": "乡镇",
    "乡镇街道": "乡镇",
}
COLUMNS = ("code", "name", "short_name", "level", "parent")


class RegionFileError(ValueError):
    """A bad row; the message names the row and the problem, in Chinese."""


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    short_name: str
    level: str
    parent: str


def _clean(value) -> str:
    return str(value if value is not None else "").strip()


def parse_region_table(text: str, fmt: str) -> list[RegionRow]:
    """Rows of a CSV (``fmt='csv'``) or JSON (``fmt='json'``) region table; checks each row alone."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise RegionFileError(f"JSON 格式错误（第 {e.lineno} 行）：{e.msg}") from None
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise RegionFileError('JSON 地区表应为对象列表：[{"name": …, "level": …, "parent": …}, …]')
        raw = [(i + 1, d) for i, d in enumerate(data)]
        where = "第 {} 项"
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        missing = {"name", "level", "parent"} - set(reader.fieldnames or ())
        if missing:
            raise RegionFileError(f"CSV 表头缺少列：{'、'.join(sorted(missing))}（应为 {','.join(COLUMNS)}）")
        raw = [(reader.line_num, d) for d in reader]
        where = "第 {} 行"
    else:
        raise RegionFileError(f"不支持的地区表格式“{fmt}”：请用 .csv 或 .json")
    rows = []
    for line, d in raw:
        row = RegionRow(line, *(_clean(d.get(k)) for k in COLUMNS))
        if not row.name:
            raise RegionFileError(f"{where.format(line)}：缺少名称（name）")
        level = _LEVEL_ALIASES.get(row.level, row.level)
        if level not in LEVEL_RANK:
            raise RegionFileError(
                f"{where.format(line)}：“{row.name}”的层级“{row.level}”不对，应为 省、市、县 或 乡镇"
            )
        if level != "省" and not row.parent:
            raise RegionFileError(f"{where.format(line)}：“{row.name}”缺少上级（parent）")
        rows.append(RegionRow(line, row.code, row.name, row.short_name, level, row.parent))
    if not rows:
        raise RegionFileError("地区表是空的")
    return rows


def find_region_path(path: str) -> Region | None:
    """The region named by ``湖南省/邵阳市/新邵县`` (names or short names), or by one unique name."""
    parts = [p.strip() for p in path.replace("／", "/").split("/") if p.strip()]
    if not parts:
        return None
    candidates = list(Region.objects.filter(name=parts[-1])) or list(
        Region.objects.filter(short_name=parts[-1])
    )
    regions = {r.pk: r for r in Region.objects.all()} if len(parts) > 1 else {}

    def ancestors_match(region: Region) -> bool:
        node = region
        for want in reversed(parts[:-1]):
            node = regions.get(node.parent_id)
            if node is None or want not in (node.name, node.short_name):
                return False
        return True

    found = [r for r in candidates if ancestors_match(r)]
    return found[0] if len(found) == 1 else None


@transaction.atomic
def load_region_table(rows: list[RegionRow]) -> tuple[int, int]:
    """Create the regions of ``rows`` in order; returns (new, already present).

    Raises :class:`RegionFileError` (and nothing is written) on an unknown parent, a level not
    below its parent's, or a region already loaded at another level.
    """
    by_code: dict[str, Region] = {}
    created = existing = 0
    for row in rows:
        where = f"第 {row.line} 行（{row.name}）"
        parent = None
        if row.parent:
            parent = by_code.get(row.parent) or find_region_path(row.parent)
            if parent is None:
                raise RegionFileError(
                    f"{where}：找不到上级“{row.parent}”（应为前面某行的 code，或已载入地区的名称路径，如 湖南省/邵阳市）"
                )
            if LEVEL_RANK[row.level] <= LEVEL_RANK[parent.level]:
                raise RegionFileError(
                    f"{where}：层级“{row.level}”不低于上级“{parent.name}”的层级“{parent.level}”"
                )
        short = row.short_name or ethnic_short_name(row.name)
        region, new = Region.objects.get_or_create(
            name=row.name, parent=parent, defaults={"level": row.level, "short_name": short}
        )
        if not new and region.level != row.level:
            raise RegionFileError(
                f"{where}：已载入的同名地区层级是“{region.level}”，与表中“{row.level}”不一致"
            )
        created += new
        existing += not new
        if row.code:
            by_code[row.code] = region
    return created, existing
