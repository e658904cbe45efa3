"""Counts of units and enterprises for the home dashboard, all within the user's scope.

Every number comes from `for_user`, so a dashboard never counts what its reader
could not open. A handful of grouped queries, whatever the size of the district.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.readings import scope_reader
from xuanpei.core.scoping import UserScope
from xuanpei.orgs.choices import RiskLevel, UnitKind
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.orgs.readings import ORGS

# Bootstrap colours for the four levels of domain.md §9: 红/橙/黄/蓝.
RISK_COLOURS = {
    RiskLevel.MAJOR: "#dc3545",
    RiskLevel.HIGH: "#fd7e14",
    RiskLevel.GENERAL: "#ffc107",
    RiskLevel.LOW: "#0d6efd",
}
UNIT_KIND_GROUPS = [
    (gettext_lazy("新城"), (UnitKind.NEW_TOWN,)),
    (gettext_lazy("镇街"), (UnitKind.TOWN, UnitKind.SUBDISTRICT)),
    (gettext_lazy("村/社区"), (UnitKind.VILLAGE, UnitKind.COMMUNITY)),
    (gettext_lazy("行业部门"), (UnitKind.DEPARTMENT,)),
]


def _group_depth(user) -> int | None:
    """The tree level the dashboard groups by: the level below the user's unit.

    The district (and a superuser) sees its new towns, a new town its 镇街; a
    department's enterprises sit anywhere, so it sees them by new town. An
    enterprise account has nothing to group.
    """
    scope = UserScope.of(user)
    if scope.everything:
        return 2
    if scope.enterprise_id or not scope.unit_path:
        return None
    if scope.department_id:
        return 2
    return len(scope.unit_path) // Unit.steplen + 1


def enterprise_dashboard(user) -> dict:
    """Totals, risk levels, counts per unit (with chart data), sectors and departments:
    made once per scope until an enterprise or unit changes (orgs.readings)."""
    reader = f"{scope_reader(user, Enterprise)}/{scope_reader(user, Unit)}"
    return ORGS.cached("home-enterprises", reader, (), lambda: _enterprise_dashboard(user))


def _enterprise_dashboard(user) -> dict:
    enterprises = Enterprise.objects.for_user(user)
    rows = list(
        enterprises.order_by()
        .values("unit__path", "is_active", "risk_level")
        .annotate(n=Count("pk"))
    )
    total = sum(r["n"] for r in rows)
    active = sum(r["n"] for r in rows if r["is_active"])
    risk_counts = defaultdict(int)
    for r in rows:
        if r["is_active"]:
            risk_counts[r["risk_level"]] += r["n"]
    risks = [
        {
            "value": level,
            "label": label,
            "count": risk_counts.get(level, 0),
            "colour": RISK_COLOURS[level],
        }
        for level, label in RiskLevel.choices
    ]
    unrated = risk_counts.get("", 0)

    groups = _groups(user, rows)
    return {
        "total": total,
        "active": active,
        "closed": total - active,
        "risks": risks,
        "unrated": unrated,
        "groups": groups,
        "chart": {
            "labels": [g["label"] for g in groups],
            "active": [g["active"] for g in groups],
            "closed": [g["closed"] for g in groups],
            "series": [_("在营"), _("已关闭")],
        },
        "sectors": list(
            enterprises.filter(is_active=True)
            .order_by()
            .values("sector__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "sector__name")[:8]
        ),
        "departments": _departments(user, enterprises),
        "unit_kinds": _unit_kinds(user),
    }


def _groups(user, rows) -> list[dict]:
    depth = _group_depth(user)
    if depth is None:
        return []
    width = depth * Unit.steplen
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"active": 0, "closed": 0})
    for r in rows:
        path = r["unit__path"]
        key = path[:width] if len(path) >= width else path  # sits above the grouping level
        counts[key]["active" if r["is_active"] else "closed"] += r["n"]

    visible = Unit.objects.for_user(user)
    scope = UserScope.of(user)
    if scope.department_id:
        # A department sees enterprises, not the towns they sit in: name the towns
        # of its own enterprises only, and don't link to a town it cannot filter by.
        units = Unit.objects.filter(path__in=counts.keys())
        linkable = set()
    else:
        units = visible.filter(path__in=counts.keys()) | visible.filter(depth=depth).territorial()
        linkable = None
    list_url = reverse("orgs:enterprise_list")
    groups = []
    for unit in units.order_by("path"):
        c = counts.get(unit.path, {"active": 0, "closed": 0})
        label = unit.name if unit.depth == depth else _("%(name)s（本级）") % {"name": unit.name}
        link = linkable is None or unit.pk in linkable
        groups.append(
            {
                "unit": unit,
                "label": label,
                "active": c["active"],
                "closed": c["closed"],
                "total": c["active"] + c["closed"],
                # A 本级 row counts the unit's own enterprises; the list filter takes
                # a whole subtree, so it gets no link rather than a wrong one.
                "url": f"{list_url}?unit={unit.pk}"
                if link and unit.depth == depth and not unit.is_department
                else "",
            }
        )
    return groups


def _departments(user, enterprises) -> list[dict]:
    """Enterprises per supervising department, for readers who see the whole district."""
    if not UserScope.of(user).everything:
        return []
    rows = (
        enterprises.filter(is_active=True, departments__isnull=False)
        .order_by()
        .values("departments__pk", "departments__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "departments__name")
    )
    list_url = reverse("orgs:enterprise_list")
    return [
        {
            "name": r["departments__name"],
            "count": r["n"],
            "url": f"{list_url}?department={r['departments__pk']}",
        }
        for r in rows
    ]


def _unit_kinds(user) -> list[dict]:
    rows = dict(Unit.objects.for_user(user).order_by().values_list("kind").annotate(n=Count("pk")))
    result = []
    for label, kinds in UNIT_KIND_GROUPS:
        n = sum(rows.get(k, 0) for k in kinds)
        if n:
            result.append({"label": label, "count": n})
    return result
