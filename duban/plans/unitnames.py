"""Unit names: canonical form, group units and abbreviation aliases. Pure logic, no database.

Plans name the same unit many ways: 市发展和改革委员会 = 市发展改革委 = 市发改委; a county plan writes
县科技和工业信息化局, 县科工局 and bare 科工局. The rules here are general (never a list of names):

- a name is *localised* to the issuer: the issuer's own name as a prefix becomes its level character
  (邵阳市财政局 -> 市财政局) and a bare department name gets it (科工局 -> 县科工局);
- an abbreviation is an in-order character subsequence of the full name, with the same level prefix,
  the same first character after it, and the same final character class (局, 委/委员会, 办/办公室 …);
- the fullest name of a cluster is its canonical name; every other spelling is an alias.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from duban.ingest.text import norm_key

LEVEL_CHARS = "省市州县区乡镇"

# final words -> class; longer words first so 委员会 wins over 会
_FINAL_CLASSES = [
    ("管理委员会", "委"),
    ("委员会", "委"),
    ("管委会", "委"),
    ("委", "委"),
    ("办公室", "办"),
    ("办", "办"),
    ("局", "局"),
    ("中心", "中心"),
    ("分公司", "公司"),
    ("公司", "公司"),
    ("支行", "行"),
    ("分行", "行"),
    ("银行", "行"),
]
# names of government bodies: the only names localised from 邵阳市X to 市X
_GOVERNMENT_BODY = re.compile(r"(?:局|委|办|委员会|办公室|部|政府|中心)$")
# "the office of X" (市政府办, 县委办): X is a body of its own, so the full name must be X + 办公室
_OFFICE_OF_BODY = re.compile(r"(?:政府|委|人大|政协)$")
# a department name that a plan may write without its level character
_BARE_DEPARTMENT = re.compile(r"^[\u4e00-\u9fff]{1,5}(?:局|委|办|委员会|办公室)$")
_GROUP = re.compile(
    r"^(?:各|相关|有关)|各(?:县|乡|镇|区|市|成员|相关|有关|事项|负有|级|部门|单位)|相关(?:成员|部门|单位)"
    r"|其[它他]成员单位|成员单位$"
)


def is_group(name: str) -> bool:
    """A placeholder for many units (各县市区人民政府, 各乡镇（街道）, 市安委会相关成员单位)."""
    return bool(_GROUP.search(norm_key(name)))


def level_char(region_name: str | None, level: str | None = None) -> str:
    """The character a region's own units start with: 邵阳市 -> 市, 新邵县 -> 县, 北塔区 -> 区."""
    if region_name and region_name[-1] in LEVEL_CHARS:
        return region_name[-1]
    return {"省": "省", "市": "市", "县": "县", "乡镇": "镇"}.get(level or "", "")


def localize(name: str, region_name: str | None = None, prefix: str = "") -> str:
    """The name as the issuer's own unit: no spaces, issuer name -> level char, bare name prefixed.

    >>> localize("邵阳市财政局", "邵阳市", "市"), localize("科工局", "新邵县", "县")
    ('市财政局', '县科工局')
    """
    key = norm_key(name)
    if (
        region_name
        and len(key) > len(region_name)
        and key.startswith(region_name)
        and _GOVERNMENT_BODY.search(key)
    ):
        key = level_char(region_name) + key[len(region_name) :]
    stem = region_name[:-1] if region_name and region_name[-1] in LEVEL_CHARS else region_name
    if (
        prefix
        and _BARE_DEPARTMENT.match(key)
        and not any(c in LEVEL_CHARS for c in key)
        and not (stem and stem in key)
        and not is_group(key)
    ):
        key = prefix + key
    return key


def final_class(name: str) -> str:
    return _split_final(name)[1]


def _split_final(name: str) -> tuple[str, str]:
    """(content, final class): 市发展和改革委员会 -> ('市发展和改革', '委')."""
    for word, cls in _FINAL_CLASSES:
        if name.endswith(word):
            return name[: -len(word)], cls
    return name[:-1], name[-1:]


def _match_form(name: str) -> str:
    """Spelling used for comparison only: 人民政府 and 政府 are the same word in unit names."""
    return name.replace("人民政府", "政府")


def _split_prefix(name: str) -> tuple[str, str]:
    """(level prefix, body): 市发改委 -> ('市', '发改委'); 邵阳经开区管委会 -> ('邵阳', '经开区管委会')."""
    if name and name[0] in LEVEL_CHARS:
        return name[0], name[1:]
    return name[:2], name[2:]


def _subsequence_span(short: str, full: str) -> int | None:
    """Width of ``full`` covered by ``short`` as an in-order subsequence (None if it is not one)."""
    pos, first = -1, None
    for ch in short:
        pos = full.find(ch, pos + 1)
        if pos < 0:
            return None
        if first is None:
            first = pos
    return pos - (first or 0) + 1


def abbreviation_span(short: str, full: str) -> int | None:
    """How tightly ``short`` abbreviates ``full``: the width of the full name's words (before the
    final 局/委/办 …) that the abbreviation's characters cover; smaller is tighter. None if it does not.

    >>> abbreviation_span("市发改委", "市发展和改革委员会") is not None
    True
    >>> abbreviation_span("市发改委", "市财政局") is None
    True
    """
    s, f = _match_form(short), _match_form(full)
    if len(s) >= len(f) or len(s) < 3 or final_class(s) != final_class(f):
        return None
    sp, sb = _split_prefix(s)
    fp, fb = _split_prefix(f)
    if sp != fp or not sb or not fb or sb[0] != fb[0]:
        return None
    content = _split_final(s)[0]
    if _OFFICE_OF_BODY.search(content) and _split_final(f)[0] != content:
        return None
    short_content, full_content = _split_final(sb)[0], _split_final(fb)[0]
    if not short_content:
        return None
    return _subsequence_span(short_content, full_content)


def _bucket(name: str) -> tuple[str, str, str]:
    prefix, body = _split_prefix(_match_form(name))
    return prefix, body[:1], final_class(_match_form(name))


def learn_aliases(names: Iterable[str], fixed: Iterable[str] = ()) -> dict[str, str]:
    """Map every name to the canonical name of its cluster (itself when it abbreviates nothing).

    ``names`` are localised names. A name joins the fullest name it abbreviates; when it abbreviates
    several, the tightest match wins, and a tie leaves it alone (no guessing). ``fixed`` names (units
    confirmed by hand) stay canonical: they never become an alias of a fuller name.
    """
    fixed = set(fixed)
    uniq = sorted({n for n in names if n} | fixed, key=lambda n: (-len(n), n))
    buckets: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    parent: dict[str, str] = {}
    for name in uniq:  # longest first, so every candidate full name is already placed
        best, best_span, tie = None, None, False
        if name not in fixed and not is_group(name):
            for full in buckets[_bucket(name)]:
                span = abbreviation_span(name, full)
                if span is None:
                    continue
                if best_span is None or span < best_span:
                    best, best_span, tie = full, span, False
                elif span == best_span and parent[full] != parent[best]:
                    tie = True
        parent[name] = parent[best] if best and not tie else name
        if not is_group(name):
            buckets[_bucket(name)].append(name)
    return parent
