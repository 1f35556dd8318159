"""Who issued the plan: region, level (省/市/县) and the parent region whose plan it follows.

The region is the place name that opens the document titles ('邵阳市打好…', '新邵县实施…'); when no
title names one, the body's own references are used ('沅江市重点项目管理办法'). The parent is the
higher region the text defers to ('按照省、益阳市相关安排部署', '《邵阳市实施…总体方案》'); a
county-level 市 is told from a prefecture 市 by having such a parent city.
"""

from __future__ import annotations

import re
from collections import Counter

from duban.ingest.structure import Outline
from duban.ingest.text import Line, nospace

_PLACE = r"[\u4e00-\u9fff]{1,8}?(?:自治州|自治县|省|市|州|县|区)"
_NOT_PLACE = ("全", "本", "我", "各", "该", "城", "市", "县", "省", "区", "州")
_NOT_IN_PLACE = re.compile(r"[我本全各该其的和与及在对]|结合|按照|根据|落实|推进")
# a place name opening a title, followed by the words that open plan titles
_TITLE_REGION = re.compile(
    rf"^(?:20\d\d年)?({_PLACE})(?=人民政府|政府|打好|实施|关于|推进|开展|加快|落实|贯彻|20\d\d|[“\"《])"
)
# a place name in the body, used as the issuer's own name ('沅江市重点项目', '结合沅江市实际')
_BODY_REGION = re.compile(rf"({_PLACE})(?=人民政府|打好|实施|重点项目|实际)")
# a higher region the plan defers to: '按照省、益阳市…部署', '落实省委、娄底市委决策部署', '《邵阳市实施…方案》', '省、市关于'
_PARENT_CITY = [
    re.compile(r"省(?:委|政府)?[、,，]([\u4e00-\u9fff]{2,5}?(?:自治州|市|州))"),  # '省委、娄底市委'

    re.compile(rf"《({_PLACE})(?:人民政府|打好|实施|关于)"),
    re.compile(rf"(?:按照|根据|对标|落实)({_PLACE})"),
]
PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 "
    "海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
).split()
_MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}
_AUTONOMOUS = {"内蒙古": "自治区", "广西": "壮族自治区", "西藏": "自治区", "宁夏": "回族自治区", "新疆": "维吾尔自治区"}
_PROVINCE_RE = re.compile("|".join(sorted(PROVINCES, key=len, reverse=True)))


def _clean_place(name: str) -> str | None:
    """Drop names that are words, not places ('全市', '各县', '城区', '结合我市')."""
    stops = list(_NOT_IN_PLACE.finditer(name))
    if stops:
        name = name[stops[-1].end() :]  # '严格落实沅江市' -> '沅江市'
    if len(name) < 3 or name.startswith(_NOT_PLACE):
        return None
    return name


def region_of(titles: list[str], body: list[str]) -> str | None:
    """The issuing region: first place name opening a title, else the body's most named place."""
    for title in titles:
        m = _TITLE_REGION.match(nospace(title))
        if m and _clean_place(m.group(1)) == m.group(1):
            return m.group(1)
    counts = Counter(
        _clean_place(name) for text in body for name in _BODY_REGION.findall(text) if _clean_place(name)
    )
    return counts.most_common(1)[0][0] if counts else None


def parent_city(body: list[str], region: str) -> str | None:
    """The prefecture city the plan follows, when the text names one other than the region."""
    counts: Counter[str] = Counter()
    for text in body:
        for rx in _PARENT_CITY:
            for name in rx.findall(text):
                name = _clean_place(name) or ""
                if name and name != region and name.endswith(("市", "州")) and name not in region:
                    counts[name] += 1
    return counts.most_common(1)[0][0] if counts else None


def province_of(body: list[str]) -> str | None:
    """The province most named in the text ('湖南' -> '湖南省')."""
    counts = Counter(m for text in body for m in _PROVINCE_RE.findall(text))
    if not counts:
        return None
    name = counts.most_common(1)[0][0]
    if name in _MUNICIPALITIES:
        return name + "市"
    return name + _AUTONOMOUS.get(name, "省")


def level_of(region: str, parent: str | None) -> str:
    if region.endswith("省") or region.endswith("自治区"):
        return "省"
    if region.endswith(("县", "区", "自治县")):
        return "县"
    return "县" if parent else "市"  # a 市 under another 市 is county-level (沅江市 under 益阳市)


def detect(lines: list[Line], outline: Outline) -> dict:
    body = nospace("\n".join(ln.text for ln in lines if ln.text)).split("\n")
    region = region_of([d.title for d in outline.documents], body)
    if region is None:
        return {"region": None, "level": None, "parent": None}
    parent = None if region.endswith(("省", "自治区")) else parent_city(body, region)
    level = level_of(region, parent)
    if level == "市":
        parent = province_of(body)
    return {"region": region, "level": level, "parent": parent}
