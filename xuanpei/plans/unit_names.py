"""Unit names as a plan writes them ↔ units of the tree: the template loader, and the
attachment tables' 牵头单位/配合单位 cells in both directions (`importers.py`).

A plan writes "区应急管理局" or "应急管理局", "住建局" or "住房和城乡建设局", a path when two
units share a name ("沣河新城/某街道"), and group words: "各新城" is every new town,
"各行业部门" every department, "各镇街" every town and street. Names are looked up inside
one issuer's subtree, in memory (a district has a few hundred units): one query.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit

GROUPS: dict[str, tuple[str, ...]] = {
    "各新城": (UnitKind.NEW_TOWN,),
    "各行业部门": (UnitKind.DEPARTMENT,),
    "各部门": (UnitKind.DEPARTMENT,),
    "区级各部门": (UnitKind.DEPARTMENT,),
    "各镇街": (UnitKind.TOWN, UnitKind.SUBDISTRICT),
    "各镇（街道）": (UnitKind.TOWN, UnitKind.SUBDISTRICT),
}
# Written back as the group word when a cell names every one of them.
COMPRESSED_GROUPS = ("各新城", "各行业部门")

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


def norm(text: str) -> str:
    """How names are compared: NFKC (full-width → half-width), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


_ALIAS_OF = {norm(name): {norm(n) for n in group} for group in ALIASES for name in group}


class UnitIndex:
    """The units of one issuer's subtree, searchable by the names plans use."""

    def __init__(self, root: Unit):
        self.root = root
        units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
        names = {u.path: u.name for u in units}
        self.units = [u for u in units if u.pk != root.pk]
        self.chains: dict[int, tuple[str, ...]] = {}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        step, top = Unit.steplen, max(root.depth, 2)  # the district's own name is left out
        for unit in units:
            self.chains[unit.pk] = tuple(
                norm(names.get(unit.path[: step * depth], ""))
                for depth in range(min(top, unit.depth), unit.depth + 1)
            )
            for key in {norm(unit.name), norm(unit.short_name)} - {""}:
                self.by_name[key].append(unit)
        self.groups = {
            norm(word): [u for u in self.units if u.kind in kinds] for word, kinds in GROUPS.items()
        }

    def group(self, name: str) -> list[Unit] | None:
        """The members of a group word ("各新城"), or None when `name` is not one."""
        return self.groups.get(norm(name))

    def _variants(self, name: str) -> list[str]:
        """The name as written, without the district's own name or "区", and its aliases."""
        forms = [name]
        for prefix in (norm(self.root.name), "区"):
            if name.startswith(prefix) and len(name) > len(prefix):
                forms.append(name[len(prefix) :])
        for form in list(forms):
            forms += sorted(_ALIAS_OF.get(form, ()))
        return list(dict.fromkeys(forms))

    def find(self, text: str) -> list[Unit]:
        """Every unit a name or path stands for (several when a bare name is shared)."""
        parts = [norm(p) for p in re.split(r"[/\\>]", text) if norm(p)]
        if not parts:
            return []
        for form in self._variants(parts[-1]):
            found = self.by_name.get(form, [])
            if len(parts) > 1:
                found = [
                    u for u in found if list(self.chains[u.pk][-len(parts) : -1]) == parts[:-1]
                ]
            if found:
                return list(found)
        return []

    def resolve(self, name: str) -> list[Unit]:
        """The units `name` stands for; [] when nothing (or nothing unambiguous) matches.

        A group word gives its members; a shared name, the one nearest the top if it is
        alone at its level (a 新城 over a 村 of the same name), else nothing: no guessing."""
        members = self.group(name)
        if members is not None:
            return members
        found = self.find(name)
        if not found:
            return []
        top = min(u.depth for u in found)
        nearest = [u for u in found if u.depth == top]
        return nearest if len(nearest) == 1 else []

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

    def label(self, unit: Unit) -> str:
        """The unit's name when it is unambiguous, else its path: what `find` reads back."""
        if [u.pk for u in self.find(unit.name)] == [unit.pk]:
            return unit.name
        return "/".join(self.chains.get(unit.pk, (unit.name,)))

    def text(self, units, others: Iterable[str] = (), *, leads=frozenset()) -> str:
        """Units as a cell: group words for whole groups, then names, joined with 、.

        In the cooperating column a group word means the group less its lead units
        (应急管理局 leads, 各行业部门 cooperate), so `leads` are left out of each group.
        """
        pks = {u.pk for u in units}
        words = []
        for word in COMPRESSED_GROUPS:
            members = {u.pk for u in self.groups[norm(word)]} - set(leads)
            if len(members) > 1 and members <= pks:
                words.append(word)
                pks -= members
        rest = [self.label(u) for u in sorted(units, key=lambda u: u.path) if u.pk in pks]
        return "、".join([*words, *rest, *others])
