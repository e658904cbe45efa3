"""Unit names as a plan writes them → units of the tree (the template loader; reusable
by anything that reads 牵头单位/配合单位 as text).

A plan writes "区应急管理局" or "应急管理局", "住建局" or "住房和城乡建设局", and group
words: "各新城" is every new town, "各行业部门" every department, "各镇街" every town and
street. Names are looked up inside one district's subtree, in memory (a district has a
few hundred units), so resolving a whole plan costs one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit

GROUPS: dict[str, tuple[str, ...]] = {
    "各新城": (UnitKind.NEW_TOWN,),
    "各行业部门": (UnitKind.DEPARTMENT,),
    "各部门": (UnitKind.DEPARTMENT,),
    "各镇街": (UnitKind.TOWN, UnitKind.SUBDISTRICT),
    "各镇（街道）": (UnitKind.TOWN, UnitKind.SUBDISTRICT),
}

# Names in common use for the same department (either may be the one in the tree).
ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"应急管理局", "应急局"}),
    frozenset({"住房和城乡建设局", "住建局"}),
    frozenset({"卫生健康局", "卫健局"}),
    frozenset({"市场监督管理局", "市场监管局"}),
    frozenset({"文化和旅游局", "文旅局"}),
    frozenset({"发展和改革局", "发改局"}),
    frozenset({"交通运输局", "交通局"}),
    frozenset({"农业农村局", "农业局"}),
)
_ALIAS_OF = {name: group for group in ALIASES for name in group}


class UnitIndex:
    """The units of one district (its subtree), searchable by the names plans use."""

    def __init__(self, root: Unit):
        self.root = root
        self.units = [u for u in Unit.objects.filter(path__startswith=root.path) if u != root]
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.units:
            self.by_name[unit.name].append(unit)

    def _variants(self, name: str) -> list[str]:
        """The name as written, without the district's own name or "区", and their aliases."""
        bare = name.strip()
        forms = [bare]
        for prefix in (self.root.name, "区"):
            if bare.startswith(prefix) and len(bare) > len(prefix):
                forms.append(bare[len(prefix) :])
        for form in list(forms):
            forms += sorted(_ALIAS_OF.get(form, ()))
        return list(dict.fromkeys(forms))

    def resolve(self, name: str) -> list[Unit]:
        """The units `name` stands for; [] when nothing (or nothing unambiguous) matches."""
        kinds = GROUPS.get(name.strip())
        if kinds is not None:
            return [u for u in self.units if u.kind in kinds]
        for form in self._variants(name):
            found = self.by_name.get(form)
            if not found:
                continue
            top = min(u.depth for u in found)
            nearest = [u for u in found if u.depth == top]
            # Two units of the same name at the same level: don't guess.
            return nearest if len(nearest) == 1 else []
        return []

    def resolve_all(self, names: Iterable[str]) -> tuple[list[Unit], list[str]]:
        """(units in the order named, without repeats; the names that matched nothing)."""
        units: dict[int, Unit] = {}
        missing: list[str] = []
        for name in names:
            found = self.resolve(name)
            if not found:
                missing.append(name)
            for unit in found:
                units.setdefault(unit.pk, unit)
        return list(units.values()), missing
