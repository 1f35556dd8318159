"""Templates for the synthetic province, read from the bundled sample plans (no database).

A synthetic region's plan copies the *shape* of a real one: its campaigns (仗/行动), their task
titles and texts, responsible units (with the same spellings and aliases the ingest would learn),
targets and task forces. The samples are parsed once by the real parser; names of the sample's
region are swapped for the synthetic region's when a plan is generated (:func:`rename`).

Which sample a region copies: a 市(州) the 邵阳市 plan (六仗); a county-level 市 the 沅江市 plan
(六仗 of a county-level city); any other county or district the 新邵县 plan (八大行动).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from duban.ingest.bundled import SAMPLES_DIR
from duban.ingest.pipeline import parse_file
from duban.plans.campaigns import campaign_kind, campaign_name
from duban.plans.unitnames import is_group, learn_aliases, level_char, localize

SAMPLES = Path(SAMPLES_DIR)
# sample file prefix -> (region, its short name, the parent city's short name)
SAMPLE_REGIONS = {
    "000": ("邵阳市", "邵阳", ""),
    "001": ("沅江市", "沅江", "益阳"),
    "003": ("新邵县", "新邵", "邵阳"),
}


@dataclass
class TaskShape:
    section: list[str]
    seq: str
    title: str
    text: str
    units: list[str]  # canonical unit names (sample region), in document order
    written: list[str]  # as the document wrote them
    leads: set[str]
    deadline: str


@dataclass
class TargetShape:
    indicator: str
    measure: str
    value: float
    unit: str
    qualifier: str
    text: str


@dataclass
class TeamShape:
    name: str
    office: str | None  # canonical unit name
    members: list[str]


@dataclass
class CampaignShape:
    name: str
    kind: str
    tasks: list[TaskShape] = field(default_factory=list)
    targets: list[TargetShape] = field(default_factory=list)
    teams: list[TeamShape] = field(default_factory=list)


@dataclass
class Template:
    """One sample plan reduced to what a synthetic region needs."""

    key: str
    region: str
    short: str
    parent_short: str
    level_char: str
    campaigns: list[CampaignShape]
    overall_targets: list[TargetShape]
    units: dict[str, list[str]]  # canonical name -> aliases (other spellings), sample region
    group_units: set[str]

    def rename(self, text: str, region: str, short: str, parent_short: str, level: str) -> str:
        """The sample's region names in ``text`` swapped for the synthetic region's."""
        out = text.replace(self.region, region).replace(self.short, short)
        if self.parent_short and parent_short:
            out = out.replace(self.parent_short, parent_short)
        if out.startswith(self.level_char) and level:
            out = level + out[1:]
        return out


def _file(key: str) -> Path:
    return next(SAMPLES.glob(f"{key}_*.txt"))


@cache
def load_template(key: str) -> Template:
    region, short, parent_short = SAMPLE_REGIONS[key]
    result = parse_file(str(_file(key)))
    prefix = level_char(region)
    issuers = (region, short)

    def local(name: str) -> str:
        return localize(name, region, prefix)

    written_all = {n for t in result.tasks for n in t.units} | {
        n for team in result.teams for n in ([team.office_at] if team.office_at else [])
    }
    locals_ = {n: local(n) for n in written_all if n}
    root = learn_aliases(set(locals_.values()))
    canonical = {w: root[loc] for w, loc in locals_.items()}
    units: dict[str, list[str]] = {}
    for w, c in sorted(canonical.items()):
        aliases = units.setdefault(c, [])
        for spelling in (w, locals_[w]):
            if spelling != c and spelling not in aliases:
                aliases.append(spelling)
    groups = {c for c in units if is_group(c)}

    campaigns: dict[str, CampaignShape] = {}
    overall: list[TargetShape] = []

    def campaign_of(plan_title: str) -> CampaignShape | None:
        name = campaign_name(plan_title, issuers)
        if name is None:
            return None
        return campaigns.setdefault(name, CampaignShape(name, campaign_kind(name)))

    for doc in result.documents:
        campaign_of(doc.title)
    for t in result.tasks:
        c = campaign_of(t.plan)
        pairs: dict[str, str] = {}  # canonical -> first spelling, in document order
        for n in t.units:
            if n in canonical:
                pairs.setdefault(canonical[n], n)
        if c is None or not pairs:
            continue
        leads = {canonical[n] for n in t.lead_units if n in canonical} or {next(iter(pairs))}
        c.tasks.append(
            TaskShape(
                list(t.section), t.seq or "", t.title, t.text or t.title, list(pairs), list(pairs.values()),
                leads, t.deadline or "",
            )
        )  # fmt: skip
    for t in result.targets:
        shape = TargetShape(t.indicator, t.measure, float(t.value), t.unit or "", t.qualifier or "", t.text)
        c = campaign_of(t.plan)
        (c.targets if c else overall).append(shape)
    for team in result.teams:
        c = campaign_of(team.plan)
        if c is None:
            continue
        office = canonical.get(team.office_at or "")
        members = [canonical[m] for m in team.members if m in canonical]
        c.teams.append(TeamShape(team.name, office, members))
    kept = [c for c in campaigns.values() if c.tasks]
    return Template(key, region, short, parent_short, prefix, kept, overall, units, groups)


def template_for(region_name: str, level: str) -> Template:
    """Which sample a region copies (see the module docstring)."""
    if level == "市":
        return load_template("000")
    return load_template("001" if region_name.endswith("市") else "003")
