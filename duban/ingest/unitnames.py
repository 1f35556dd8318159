"""Pass: what each unit name of a document stands for — one unit, a group, or a shorthand.

The parse keeps names verbatim (the gold schema and the source text agree), and this pass says,
within the document, what a name means so the store never makes a unit of something that is not:

* group units ('各县市区人民政府', '其他相关职能部门', '市直相关单位', '各镇（街道、中心）',
  '13条重点产业链和2个特色产业专班'): several bodies under one phrase; they never report or rank as one;
* shorthand ('卫健', '住建', '教育', '住建局'): resolved to the document's one full name that it
  abbreviates ('市卫健局', '市住房和城乡建设局'), else left unresolved for the office to map;
* spelling variants of one unit ('益阳市南洞庭湖…管理局' / '益阳南洞庭湖…管理局',
  '市住建和城乡建设局' / '市住房和城乡建设局'): merged into the name the document uses most.

Rules are about the shape of names only (no list of a region's units).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from duban.ingest.model import ParseResult
from duban.ingest.text import nospace
from duban.ingest.units import _ENDS_UNIT

# several bodies: '各…', '相关…', '其他…', '市直…', '…成员单位', '…部门' (a kind, not a name),
# a level word alone ('镇（街道、中心）', '街道'), counted things ('13条重点产业链和2个…专班')
_GROUP = re.compile(
    r"^(?:各|相关|有关|其他|其它|全市|全县|全区|[市县区]直)"
    r"|.各(?!族)"
    r"|(?:成员单位|部门|单位|机构|企业)$"
    r"|^(?:乡镇|镇|乡|街道|社区|村|园区|中心)(?:[（(][^（()）]*[)）])?$"
    r"|\d+\s*(?:条|个|家|项|大)"
)
_PREFIX = re.compile(r"^(?:中共)?[市县区省州]")
_BRACKETED_END = re.compile(r"[（(][^（()）]*[)）]$")
_PLACE_END = re.compile(r"(?:机场|港|站|场|园|基地|银行|医院|学校|大学)$")  # bodies named by a place
MIN_VARIANT = 7  # one differing character merges only names at least this long


@lru_cache(maxsize=4096)
def is_group(name: str) -> bool:
    return bool(_GROUP.search(nospace(name)))


def _core(name: str) -> str:
    return _PREFIX.sub("", nospace(name))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _one_char_apart(a: str, b: str) -> bool:
    return len(a) == len(b) >= MIN_VARIANT and sum(x != y for x, y in zip(a, b, strict=True)) == 1 and a[:2] == b[:2]


def _abbreviation(a: str, b: str) -> bool:
    """'市卫健委' / '市卫生健康委', '市交通局' / '市交通运输局': the same prefix, first word and ending,
    the shorter one's characters in order in the longer — but not a body under it ('市公安局' /
    '市公安局交警支队' starts with the whole shorter name)."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 4 or long.startswith(short) or short[:2] != long[:2] or short[-1] != long[-1]:
        return False
    if long.startswith(short[:-1]) and _ENDS_UNIT.search(short[:-1]):  # '市政府办' / '市政府金融办'
        return False
    return _is_subsequence(short, long)


def _region_variant(a: str, b: str) -> bool:
    """'益阳市南洞庭湖…' / '益阳南洞庭湖…': the same name with and without a 市/县 after the place."""
    if abs(len(a) - len(b)) != 1 or min(len(a), len(b)) < MIN_VARIANT:
        return False
    long, short = (a, b) if len(a) > len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(2, 4) if long[i] in "市县区")


def resolve(result: ParseResult) -> dict[str, str]:
    """Annotate the tasks (``groups``, ``unresolved``) and return {name as written: the unit it is}
    for every shorthand and variant the document resolves."""
    counts: Counter[str] = Counter()
    for t in result.tasks:
        counts.update(t.units)  # names come without white space from units.py
    for team in result.teams:
        counts.update(nospace(u) for u in [*team.members, *([team.office_at] if team.office_at else [])])
    names = [n for n in counts if n and not is_group(n)]
    # full names: a unit ending and a place ('市…', '益阳…管理局'), not a bare '住建局'
    full = [n for n in names if _ENDS_UNIT.search(n) and (_PREFIX.match(n) or len(n) >= MIN_VARIANT)]
    alias: dict[str, str] = {}
    # variants: the name the document uses most stands for the others (every rule needs the same
    # first two characters, so only names that share them are compared)
    buckets: dict[str, list[str]] = {}
    for n in full:
        buckets.setdefault(n[:2], []).append(n)
    for bucket in buckets.values():
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if not (_one_char_apart(a, b) or _region_variant(a, b) or _abbreviation(a, b)):
                    continue
                keep, drop = (a, b) if (counts[a], len(a)) >= (counts[b], len(b)) else (b, a)
                alias.setdefault(drop, keep)
    for k in list(alias):  # chains: a -> b -> c
        seen = {k}
        while alias[k] in alias and alias[k] not in seen:
            seen.add(alias[k])
            alias[k] = alias[alias[k]]
    canon = [(_core(n), n) for n in full if n not in alias]
    full_set = set(full)
    unresolved: set[str] = set()
    for n in names:
        if n in alias or n in full_set:
            continue
        # shorthand: a name without its place prefix or without a unit ending ('卫健', '住建局', '县林业')
        c = _core(n)
        if not c:
            continue
        hits = [(k, f) for k, f in canon if k[:1] == c[0] and (k.startswith(c) or _is_subsequence(c, k))]
        if len(hits) > 1:  # '卫健' -> '市卫健局' rather than '市卫生健康委' as well: a plain prefix wins
            hits = [(k, f) for k, f in hits if k.startswith(c)] or hits
        hits = [f for _, f in hits]
        if len(hits) == 1:
            alias[n] = hits[0]
        elif not _ENDS_UNIT.search(_BRACKETED_END.sub("", n)) and not _PLACE_END.search(n):
            unresolved.add(n)
    for t in result.tasks:
        t.groups = [u for u in t.units if is_group(u)]
        t.unresolved = [u for u in t.units if u in unresolved] if unresolved else []
    return {k: v for k, v in alias.items() if k != v}
