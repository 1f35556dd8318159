"""Group units (泛指单位) resolved to the concrete units they stand for.

A city plan assigns a task to 各县市区人民政府; a county plan to 各乡镇（街道、中心）or to 各成员单位 of
its task force. Reporting needs the members, one obligation each:

- **child-region groups** (各县市区人民政府, 各县市区, 各县市人民政府, 各乡镇（街道、中心）, 各市州人民政府…):
  the 人民政府 units of the child regions of the group's region whose names end in one of the
  level words written (县 / 市 / 区 / 州 / 乡 / 镇 / 街道 / 中心). The text is taken literally:
  各县市人民政府 is the counties and county-level cities without the districts, 各县市区 is all three.
  A child region without its government unit gets one (``confirmed=False``, audited) when
  :func:`duban.plans.members.members_of` expands the group.
- **task-force groups** (各成员单位, 市…领导小组（各）成员单位): the member units of that task force —
  a named one of the group's region, or, for a bare 各成员单位, the task force of ``plan`` (or of the
  nearest ancestor plan in the same document that has one).
- groups that do not say who (相关县市区人民政府, 各相关部门, 各事项涉及单位): no members; a person
  must pick them.
"""

from __future__ import annotations

import re

from duban.ingest.text import norm_key
from duban.plans.models import Region
from duban.plans.unitnames import level_char, localize

# the level words a child-region group may list, longest first (街道 before 道)
_LEVEL_WORDS = ("街道", "中心", "县", "市", "区", "州", "乡", "镇")
_REGION_GROUP = re.compile(
    r"^各(?P<words>[县市区州乡镇街道中心()、和及]+?)(?:人民政府|政府)?(?:主要负责人|负责人)?$"
)
_TEAM_GROUP = re.compile(r"^(?P<team>.*?)(?:各|全体)?成员单位$")
_UNSPECIFIC = re.compile(r"相关|有关|涉及|负有")


def region_group_words(name: str) -> tuple[str, ...]:
    """The level words of a child-region group ('各县市区人民政府' -> ('县', '市', '区')); () if not one."""
    m = _REGION_GROUP.match(norm_key(name))
    if not m:
        return ()
    rest, words = re.sub(r"[()、和及]", "", m["words"]), []
    while rest:
        word = next((w for w in _LEVEL_WORDS if rest.startswith(w)), None)
        if word is None:
            return ()
        words.append(word)
        rest = rest[len(word) :]
    return tuple(words)


def government_name(region: Region) -> str:
    """The name of a region's government as the region's own plans write it (县人民政府 for 新邵县)."""
    return localize(f"{region.name}人民政府", region.name, level_char(region.name, region.level))
