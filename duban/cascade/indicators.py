"""Indicator names of targets, normalised so a county's target meets the city's. Pure logic.

Plans write the same indicator many ways: 地区生产总值 / GDP / 地区生产总值（GDP）; 规模以上工业增加值 /
规模工业增加值 / 规上工业增加值; 进出口总额 / 进出口 / 外贸进出口总额; 全市…/全县… prefixes. A name is
reduced to a key (NFKC, no quotes or brackets, no region or level prefix, a few word rewrites, then a
small synonym table); keys that are still different but nearly equal (difflib ratio ≥ 0.85, both at
least 4 characters, so 进口 never meets 进出口) are the same indicator too.

Targets are compared only when they measure the same thing the same way (:func:`measure_class`): a
growth rate against a growth rate, a share or level in % against the same; totals (亿元, 家, 个) are
never compared between levels, because a county's total is a part of the city's, not a rival of it.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

FUZZY_RATIO = 0.85
FUZZY_MIN_LEN = 4

# word rewrites applied inside a name, in order (regex, replacement)
_REWRITES = [
    (re.compile(r"[“”\"'‘’《》]"), ""),
    (re.compile(r"\((?:GDP|gdp)\)|\(R&D\)"), ""),
    (re.compile(r"(?i)GDP"), "地区生产总值"),
    (re.compile(r"(?<!地区)生产总值"), "地区生产总值"),
    (re.compile(r"规模以上工业|规上工业"), "规模工业"),
    (re.compile(r"^第?一产(?:业)?"), "第一产业"),
    (re.compile(r"^第?三产(?:业)?|^服务业"), "服务业"),
    (re.compile(r"研究与试验发展|研发\(R&D\)|R&D"), "研发"),
    (re.compile(r"社零总?额"), "社会消费品零售总额"),
    (re.compile(r"技术合同(?:交易)?(?:成交)?额"), "技术合同成交额"),
]
# the scope words that start a name and say where, not what
_SCOPE = re.compile(r"^全[省市州县区]")
# a trailing measure word: the measure is kept apart (Target.measure), the name is what is measured
_MEASURE_WORD = re.compile(r"(?:增长|增速|增幅|总量)$")
# whole keys that mean the same indicator -> canonical key
SYNONYMS = {
    "第一产业": "第一产业增加值",
    "服务业": "服务业增加值",
    "第三产业增加值": "服务业增加值",
    "进出口": "进出口总额",
    "外贸进出口总额": "进出口总额",
    "外贸进出口": "进出口总额",
    "固定资产投资额": "固定资产投资",
    "固投": "固定资产投资",
    "研发经费投入": "全社会研发经费投入",
    "研发投入": "全社会研发经费投入",
    "全社会研发投入": "全社会研发经费投入",
    "一般公共预算收入": "地方一般公共预算收入",
    "新增城镇就业": "城镇新增就业",
    "经济总量": "地区生产总值",
    "高新技术企业数": "高新技术企业",
}

RATE_MEASURES = {"增长", "增速"}
LOWER_IS_BETTER = ("以内", "以下", "不超过", "不高于", "控制在")


def indicator_key(name: str, places: tuple[str, ...] = ()) -> str:
    """The comparison key of an indicator name: '地区生产总值（GDP）增长' and 'GDP' give the same.

    ``places`` are region names to drop (邵阳市, 新邵县, 新邵) where they start the name.
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    for place in sorted(places, key=len, reverse=True):
        if place and s.startswith(place) and len(s) > len(place):
            s = s[len(place) :]
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    s = _SCOPE.sub("", s)
    s = _MEASURE_WORD.sub("", s) if len(_MEASURE_WORD.sub("", s)) >= 2 else s
    return SYNONYMS.get(s, s)


def same_indicator(a: str, b: str) -> bool:
    """Two keys (from :func:`indicator_key`) name the same indicator: equal or nearly equal."""
    if a == b:
        return True
    if min(len(a), len(b)) < FUZZY_MIN_LEN:
        return False
    return SequenceMatcher(None, a, b).ratio() >= FUZZY_RATIO


def measure_class(measure: str, measure_unit: str) -> str:
    """'rate' (growth in %), 'level' (a share or level in %), or 'total' (a quantity: not comparable)."""
    if measure_unit == "%" and measure in RATE_MEASURES:
        return "rate"
    if measure_unit in ("%", "个百分点") and measure not in RATE_MEASURES:
        return "level" if measure_unit == "%" else "points"
    return "total"


def lower_is_better(qualifier: str, measure: str) -> bool:
    """A ceiling (失业率控制在 5.5% 以内) rather than a floor."""
    return any(w in (qualifier or "") or w in (measure or "") for w in LOWER_IS_BETTER)


def compare(child_value: float, parent_value: float, lower_better: bool = False) -> str:
    """'weaker', 'equal' or 'stronger': the child's target against the parent's, same class."""
    if abs(child_value - parent_value) < 1e-9:
        return "equal"
    child_better = child_value < parent_value if lower_better else child_value > parent_value
    return "stronger" if child_better else "weaker"
