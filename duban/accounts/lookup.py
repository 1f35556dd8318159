"""Finding the unit, region and campaign a command-line user names for an account's scope.

A typo must not silently attach an account to the wrong unit: an unknown name is an error that
lists the nearest known names (containing it, or by shared characters in order).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from django.contrib.auth import get_user_model

from duban.ingest.text import norm_key
from duban.plans.models import Campaign, Region, Unit, UnitAlias
from duban.plans.regions import find_region
from duban.plans.unitnames import level_char, localize

NEAR_COUNT = 5
NEAR_SCORE = 0.5


class LookupProblem(ValueError):
    """A name that finds nothing, or too much; the message (Chinese) says what to type instead."""


def near_names(word: str, names, count: int = NEAR_COUNT) -> list[str]:
    """The known ``names`` closest to ``word``: containing it, contained in it, or similar."""
    key = norm_key(word)
    scored = []
    for name in set(names):
        score = SequenceMatcher(None, key, name).ratio()
        if key and (key in name or name in key):
            score += 1.0
        if score >= NEAR_SCORE:
            scored.append((-score, len(name), name))
    return [name for _, _, name in sorted(scored)[:count]]


def _suggest(what: str, word: str, names) -> str:
    near = near_names(word, names)
    hint = f"，是否指：{'、'.join(near)}" if near else ""
    return f"找不到{what}“{word}”{hint}"


def get_region(name: str | None) -> Region | None:
    """The region called ``name`` (full or short name); None for no name."""
    if not name:
        return None
    key = norm_key(name)
    region = find_region(key)
    if region is None:  # '沅江' for 沅江市, when only one region starts so
        found = list(Region.objects.filter(name__startswith=key)[:2])
        region = found[0] if len(found) == 1 else None
    if region is None:
        raise LookupProblem(_suggest("地区", name, Region.objects.values_list("name", flat=True)))
    return region


def get_unit(name: str, region: Region | None = None) -> Unit:
    """The unit called ``name`` (canonical name or an alias, as the plans write it) in ``region``.

    Without a region the name must be unambiguous across regions; a bare department name
    ('发改委') is read as the region's own ('市发改委') the way plans are read.
    """
    key = norm_key(name or "")
    if not key:
        raise LookupProblem("请指定单位（--unit）")
    units = Unit.objects.select_related("region")
    aliases = UnitAlias.objects.select_related("unit__region")
    if region is not None:
        units, aliases = units.filter(region=region), aliases.filter(region=region)
        spellings = {key, localize(key, region.name, level_char(region.name, region.level))}
    else:
        spellings = {key}
    found = {u.pk: u for u in units.filter(name__in=spellings)}
    found.update({a.unit_id: a.unit for a in aliases.filter(name__in=spellings)})
    if len(found) == 1:
        return next(iter(found.values()))
    if len(found) > 1:
        where = "、".join(sorted(f"{u.region.name}的{u.name}" for u in found.values()))
        raise LookupProblem(f"单位“{name}”在多个地区都有（{where}），请用 --region 指定地区")
    known = [*units.values_list("name", flat=True), *aliases.values_list("name", flat=True)]
    scope = f"{region.name}的" if region is not None else ""
    raise LookupProblem(_suggest(f"{scope}单位", name, known))


def get_campaign(name: str, region: Region | None = None) -> Campaign:
    """The campaign (仗/行动) called ``name``, or the one whose name contains it."""
    key = norm_key(name or "")
    if not key:
        raise LookupProblem("专班办公室请用 --campaign 指定所属的仗（行动）")
    campaigns = Campaign.objects.select_related("region")
    if region is not None:
        campaigns = campaigns.filter(region=region)
    found = list(campaigns.filter(name=key)) or list(campaigns.filter(name__contains=key))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = "、".join(f"{c.region.name}{c.name}" for c in found[:8])
        raise LookupProblem(f"“{name}”对应多个仗（行动）：{names}；请写全名或用 --region 指定地区")
    raise LookupProblem(_suggest("仗（行动）", name, campaigns.values_list("name", flat=True)))


def get_user(username: str):
    """The account called ``username``."""
    User = get_user_model()  # noqa: N806
    user = User.objects.filter(username=username).first()
    if user is None:
        raise LookupProblem(_suggest("账号", username, User.objects.values_list("username", flat=True)))
    return user
