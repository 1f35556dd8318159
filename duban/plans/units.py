"""Resolving unit names written in a document to the region's units, learning aliases on the way."""

from __future__ import annotations

from collections.abc import Iterable

from duban.ingest.errors import IngestError
from duban.ingest.text import norm_key
from duban.plans.models import Region, Unit, UnitAlias
from duban.plans.unitnames import is_group, learn_aliases, level_char, localize

NAME_MAX = Unit._meta.get_field("name").max_length


class UnitDirectory:
    """The units of one region by every spelling seen so far; resolves and learns new spellings.

    Loads the region's units and aliases once (two queries); new units and aliases are written by
    :meth:`resolve`; a stored unit is never renamed by it.
    """

    def __init__(self, region: Region):
        self.region = region
        self.prefix = level_char(region.name, region.level)
        self.units: dict[str, Unit] = {u.name: u for u in Unit.objects.filter(region=region)}
        self.by_spelling: dict[str, Unit] = dict(self.units)
        self.alias_names: set[str] = set()
        for alias in UnitAlias.objects.filter(region=region).select_related("unit"):
            self.by_spelling.setdefault(alias.name, alias.unit)
            self.alias_names.add(alias.name)
        self.new_units: list[Unit] = []
        self.new_aliases: list[UnitAlias] = []
        self.fuller_names: list[tuple[str, str]] = []  # (stored name, fuller name written) kept as alias

    def _key(self, written: str) -> str:
        return norm_key(written)[:NAME_MAX]

    def _local(self, key: str) -> str:
        return localize(key, self.region.name, self.prefix)[:NAME_MAX]

    def knows(self, written: str) -> bool:
        """Is ``written`` already a name or alias of one of the region's units (nothing to learn)?"""
        key = self._key(written)
        return bool(key) and (key in self.by_spelling or self._local(key) in self.by_spelling)

    def assign(self, written: str, unit: Unit) -> None:
        """Read ``written`` as ``unit`` from now on (a person's choice, e.g. in the import wizard):
        its local spelling becomes a manual alias. A spelling that already means another unit, or a
        unit of another region, is refused (IngestError) rather than silently re-pointed."""
        if unit.region_id != self.region.pk:
            raise IngestError(f"单位“{unit.name}”不属于{self.region.name}，不能用于“{written}”")
        key = self._key(written)
        if not key:
            return
        local = self._local(key)
        for spelling in (key, local):
            current = self.by_spelling.get(spelling)
            if current is not None and current.pk != unit.pk:
                raise IngestError(f"“{written}”已是单位“{current.name}”的名称或别名，不能再对应“{unit.name}”")
        if local != unit.name and local not in self.alias_names:
            alias = UnitAlias.objects.create(
                region=self.region, name=local, unit=unit, origin=UnitAlias.MANUAL
            )
            self.alias_names.add(local)
            self.new_aliases.append(alias)
        self.by_spelling[local] = unit
        self.by_spelling[key] = unit

    def resolve(self, names: Iterable[str]) -> dict[str, Unit]:
        """{written name: Unit} for every non-empty name; creates what is missing."""
        written = {n: self._key(n) for n in names if n and self._key(n)}
        pending = {
            self._local(k)
            for k in written.values()
            if k not in self.by_spelling and self._local(k) not in self.by_spelling
        }
        if pending:
            self._place(pending)
        out = {}
        for name, key in written.items():
            unit = self.by_spelling.get(key) or self.by_spelling[self._local(key)]
            self._alias(key, unit)
            out[name] = unit
        return out

    def _place(self, pending: set[str]) -> None:
        """Attach every new local name to an existing unit or a new one (the fullest spelling)."""
        known = [n for n, u in self.units.items() if not u.is_group]
        fixed = [n for n, u in self.units.items() if u.confirmed]
        root_of = learn_aliases([*pending, *known], fixed=fixed)
        # an existing unit whose name abbreviates a new, fuller name keeps its name: an import never
        # renames a stored unit (the office renames it by hand); the fuller name becomes an alias
        for name in known:
            root = root_of.get(name, name)
            if root != name and root in pending and root not in self.by_spelling:
                self.by_spelling[root] = self.units[name]
                self.fuller_names.append((name, root))
        for local in sorted(pending, key=len, reverse=True):
            root = root_of.get(local, local)
            unit = self.units.get(root) or self.by_spelling.get(root)
            if unit is None:
                unit = Unit.objects.create(region=self.region, name=root, is_group=is_group(root))
                self.units[root] = unit
                self.by_spelling[root] = unit
                self.new_units.append(unit)
            self.by_spelling[local] = unit
            self._alias(local, unit)

    def _alias(self, spelling: str, unit: Unit) -> None:
        """Record ``spelling`` as a learned alias of ``unit`` unless the spelling is already taken.

        A spelling that already names a unit or is an alias (perhaps set by hand) keeps its meaning.
        """
        if spelling == unit.name or spelling in self.alias_names or spelling in self.units:
            return
        alias = UnitAlias.objects.create(
            region=self.region, name=spelling, unit=unit, origin=UnitAlias.LEARNED
        )
        self.alias_names.add(spelling)
        self.by_spelling[spelling] = unit
        self.new_aliases.append(alias)


def resolve_units(region: Region, names: Iterable[str]) -> dict[str, Unit]:
    """Convenience for one-off lookups (admin actions, tests)."""
    return UnitDirectory(region).resolve(names)
