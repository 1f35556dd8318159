"""Group units (泛指单位) resolved to the concrete units they stand for.

A city plan assigns a task to 各县市区人民政府; a county plan to 各乡镇（街道、中心）or to 各成员单位 of
its task force. Reporting needs the members, one obligation each:

- **child-region groups** (各县市区人民政府, 各县市区, 各县市人民政府, 各乡镇（街道、中心）, 各市州人民政府…):
  the 人民政府 units of the child regions of the group's region whose names end in one of the
  level words written (县 / 市 / 区 / 州 / 乡 / 镇 / 街道 / 中心). The text is taken literally:
  各县市人民政府 is the counties and county-level cities without the districts, 各县市区 is all three.
  A child region without its government unit gets one (``confirmed=False``, audited).
- **task-force groups** (各成员单位, 市…领导小组（各）成员单位): the member units of that task force —
  a named one of the group's region, or, for a bare 各成员单位, the task force of ``plan`` (or of the
  nearest ancestor plan in the same document that has one).
- groups that do not say who (相关县市区人民政府, 各相关部门, 各事项涉及单位): no members; a person
  must pick them.
"""

from __future__ import annotations

import re

from duban.ingest.text import norm_key
from duban.plans.models import Plan, Region, TaskForce, Unit, UnitAlias
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


def government_units(regions: list[Region]) -> list[Unit]:
    """The 人民政府 unit of every region, in order; missing ones are created (audited, unconfirmed)."""
    from duban.cascade.actions import do_create_government_units  # actions import this module

    wanted = {r.pk: government_name(r) for r in regions}
    found: dict[int, Unit] = {}
    for u in Unit.objects.filter(region__in=regions, name__in=set(wanted.values())):
        if wanted[u.region_id] == u.name:
            found[u.region_id] = u
    for a in UnitAlias.objects.filter(region__in=regions, name__in=set(wanted.values())).select_related(
        "unit"
    ):
        if wanted[a.region_id] == a.name:
            found.setdefault(a.region_id, a.unit)
    missing = [r for r in regions if r.pk not in found]
    if missing:
        found.update({u.region_id: u for u in do_create_government_units(missing)})
    return [found[r.pk] for r in regions]


def _team_of(plan: Plan | None) -> TaskForce | None:
    """The task force of ``plan`` or of its nearest ancestor in the same document."""
    seen = set()
    while plan is not None and plan.pk not in seen:
        seen.add(plan.pk)
        team = TaskForce.objects.filter(plan=plan).order_by("order").first()
        if team is not None:
            return team
        parent = plan.parent
        plan = parent if parent is not None and parent.source_document_id == plan.source_document_id else None
    return None


def _named_team(team_name: str, region: Region) -> TaskForce | None:
    """The task force of ``region`` that ``team_name`` (市打好…工作专班, as written) names."""
    key = localize(team_name, region.name, level_char(region.name, region.level))
    body = key[1:] if key[:1] == level_char(region.name, region.level) else key
    if len(body) < 4:
        return None
    for team in TaskForce.objects.filter(plan__region=region).order_by("plan_id", "order"):
        if norm_key(team.name).endswith(body):
            return team
    return None


def _members(team: TaskForce) -> list[Unit]:
    rows = team.memberships.select_related("unit").order_by("order")
    return [m.unit for m in rows if not m.unit.is_group]


def members_of(group_unit: Unit, *, plan: Plan | None = None) -> list[Unit]:
    """The concrete units a group unit stands for (see the module docstring), in a stable order.

    ``plan`` is the plan whose task names the group; it is needed only for a bare 各成员单位.
    A unit that is not a group stands for itself; a group that does not say who gives [].
    """
    if not group_unit.is_group:
        return [group_unit]
    name = norm_key(group_unit.name)
    words = region_group_words(name)
    if words:
        children = [
            r
            for r in Region.objects.filter(parent_id=group_unit.region_id).order_by("id")
            if r.name.endswith(words)
        ]
        return government_units(children)
    if _UNSPECIFIC.search(name):
        return []
    m = _TEAM_GROUP.match(name)
    if m:
        team_name = m["team"]
        team = _named_team(team_name, group_unit.region) if team_name else _team_of(plan)
        return _members(team) if team is not None else []
    return []
