"""Enterprise import and export (issue #2 point 8), on the core import machinery.

The export writes the template's columns in the template's order, with values
the importer reads back to the same record, so importing an export changes
nothing. Writes go through `orgs.services` (scope re-check and audit log).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.exports import Exporter
from xuanpei.core.imports import Column, Importer, Row, register_exporter, register_importer
from xuanpei.core.imports.values import choice_parser, split_names
from xuanpei.core.privacy import display_phone
from xuanpei.core.scoping import UserScope, scope_filter
from xuanpei.core.validators import clean_phones, normalize_code, uscc_error
from xuanpei.orgs.choices import TERRITORIAL_HOME_KINDS, EnterpriseScale, RiskLevel, UnitKind
from xuanpei.orgs.models import Enterprise, Sector, Unit
from xuanpei.orgs.services import ENTERPRISE_FIELDS, create_enterprise, update_enterprise


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def parse_uscc(text: str) -> str:
    code = normalize_code(text)
    reason = uscc_error(code)
    if reason:
        raise ValidationError(reason, code="uscc")
    return code


parse_scale = choice_parser(
    EnterpriseScale,
    label=gettext_lazy("规模"),
    strip_words=("企业",),
    extra={"大": "large", "中": "medium", "小": "small", "微": "micro"},
)
parse_risk = choice_parser(
    RiskLevel,
    label=gettext_lazy("风险等级"),
    strip_words=("风险", "等级", "色"),
    extra={"红": "major", "橙": "high", "黄": "general", "蓝": "low"},
)


class UnitIndex:
    """Territorial units by name and by path (东新城/甲街道), for the 属地 column.

    The tree is small (a district has a few hundred units), so it is loaded once
    per import or export and resolved in memory.
    """

    def __init__(self):
        units = list(Unit.objects.exclude(kind=UnitKind.DEPARTMENT).order_by("path"))
        names = {u.path: u.name for u in units}
        steplen = Unit.steplen
        self.chains: dict[int, tuple[str, ...]] = {}
        self.units: dict[int, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.depth < 2:
                continue  # the district itself is no enterprise's 属地
            chain = tuple(
                _norm(names.get(unit.path[: steplen * depth], ""))
                for depth in range(2, unit.depth + 1)
            )
            self.chains[unit.pk] = chain
            self.units[unit.pk] = unit
            self.by_name.setdefault(chain[-1], []).append(unit)
        self.root_names = {_norm(u.name) for u in units if u.depth == 1}

    def candidates(self, text: str) -> list[Unit]:
        parts = [_norm(p) for p in re.split(r"[/\\>]", text) if _norm(p)]
        if parts and parts[0] in self.root_names and len(parts) > 1:
            parts = parts[1:]
        if not parts:
            return []
        found = [u for u in self.by_name.get(parts[-1], []) if self._ends_with(u, parts)]
        if len(found) > 1:
            # A 村 named like a 镇街: the 镇街 or 新城 is the one people mean.
            homes = [u for u in found if u.kind in TERRITORIAL_HOME_KINDS]
            found = homes or found
        return found

    def _ends_with(self, unit: Unit, parts: list[str]) -> bool:
        chain = self.chains[unit.pk]
        return len(parts) <= len(chain) and list(chain[-len(parts) :]) == parts

    def resolve(self, text: str) -> Unit:
        found = self.candidates(text)
        if not found:
            raise ValidationError(
                _("未找到属地“%(value)s”：请填写镇街或新城的名称，重名时写成路径，如 新城/街道")
                % {"value": text}
            )
        if len(found) > 1:
            paths = "、".join(self.path(u) for u in found)
            raise ValidationError(
                _("属地“%(value)s”有重名：%(paths)s，请写成完整路径")
                % {"value": text, "paths": paths}
            )
        return found[0]

    def path(self, unit: Unit) -> str:
        return "/".join(self.chains.get(unit.pk, (unit.name,)))

    def label(self, unit: Unit) -> str:
        """The unit's name when it is unambiguous, else its path: what `resolve` reads back."""
        found = self.candidates(unit.name)
        return unit.name if [u.pk for u in found] == [unit.pk] else self.path(unit)


COLUMNS = (
    Column(
        "name",
        "企业名称",
        aliases=("单位名称", "企业(单位)名称", "生产经营单位名称", "名称"),
        required=True,
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        aliases=("信用代码", "社会信用代码", "统一信用代码", "统一代码", "USCC"),
        required=True,
        help=gettext_lazy("18位，按 GB 32100-2015 校验；已存在的代码将更新该企业"),
    ),
    Column(
        "unit",
        "属地",
        aliases=("属地单位", "所属镇街", "所在镇街", "属地镇街", "镇街", "所属单位"),
        required=True,
        help=gettext_lazy("企业所在镇街或新城的名称；重名时写成路径，如 东新城/甲街道"),
    ),
    Column(
        "departments",
        "行业主管部门",
        aliases=("主管部门", "行业主管", "监管部门", "行业监管部门"),
    ),
    Column(
        "sector",
        "行业领域",
        aliases=("行业", "行业类别", "所属行业"),
        required=True,
        choices=lambda: list(Sector.objects.values_list("name", flat=True)),
    ),
    Column(
        "scale",
        "规模",
        aliases=("企业规模",),
        parse=parse_scale,
        choices=lambda: [str(label) for _v, label in EnterpriseScale.choices],
    ),
    Column(
        "risk_level",
        "风险等级",
        aliases=("安全风险等级", "风险级别"),
        parse=parse_risk,
        choices=lambda: [str(label) for _v, label in RiskLevel.choices],
    ),
    Column("address", "地址", aliases=("企业地址", "注册地址", "经营地址")),
    Column("legal_representative", "法定代表人", aliases=("法人", "法人代表")),
    Column("safety_contact", "安全负责人", aliases=("安全管理负责人", "联系人")),
    Column(
        "safety_phone",
        "联系电话",
        aliases=("电话", "手机", "手机号码", "联系方式"),
        help=gettext_lazy("手机或带区号的固定电话，如 029-88886666；多个号码用“、”分隔"),
        parse=clean_phones,
    ),
)
HEADERS = [c.header for c in COLUMNS]


@register_importer
class EnterpriseImporter(Importer):
    """Upsert enterprises by USCC; the user's scope decides which units and records it may write."""

    name = "enterprises"
    label = gettext_lazy("企业")
    model = Enterprise
    key_field = "uscc"
    columns = COLUMNS

    def begin(self) -> None:
        self.unit_index = UnitIndex()
        self.sectors = {}
        for sector in Sector.objects.prefetch_related("default_departments"):
            self.sectors[_norm(sector.name)] = sector
            self.sectors[_norm(sector.code).upper()] = sector
        self.departments = {}
        for dept in Unit.objects.filter(kind=UnitKind.DEPARTMENT):
            for name in (dept.name, dept.short_name):
                if name:
                    self.departments[_norm(name)] = dept

    clean_uscc = staticmethod(parse_uscc)

    def clean_unit(self, text: str) -> Unit:
        return self.unit_index.resolve(text)

    def clean_sector(self, text: str) -> Sector:
        sector = self.sectors.get(_norm(text)) or self.sectors.get(_norm(text).upper())
        if sector is None:
            raise ValidationError(_("未知的行业领域“%(value)s”") % {"value": text})
        return sector

    def clean_departments(self, text: str) -> list[Unit]:
        names = split_names(text)
        unknown = [n for n in names if _norm(n) not in self.departments]
        if unknown:
            raise ValidationError(
                _("未找到行业主管部门：%(names)s") % {"names": "、".join(unknown)}
            )
        return list(
            {self.departments[_norm(n)].pk: self.departments[_norm(n)] for n in names}.values()
        )

    def existing_queryset(self, qs):
        # unit and sector by name for the preview's old → new
        return qs.select_related("unit", "sector").prefetch_related("departments")

    def check_scope(self, rows: list[Row]) -> None:
        """One query for the chunk: which target units lie in the user's territory."""
        for row in rows:
            if row.instance is None and not row.data.get("departments"):
                # 管行业必须管安全: a new enterprise gets its sector's usual supervisors.
                sector = row.data["sector"]
                row.data["departments"] = list(sector.default_departments.all())
        if self.user is None:
            return
        scope = UserScope.of(self.user)
        if scope.everything:
            return
        territory = scope_filter(Unit, scope)
        unit_ids = {row.data["unit"].pk for row in rows}
        allowed = set()
        if territory is not None and unit_ids:
            allowed = set(
                Unit.objects.filter(territory, pk__in=unit_ids).values_list("pk", flat=True)
            )
        for row in rows:
            if row.data["unit"].pk in allowed:
                continue
            # 行业监管: a department may write the enterprises it supervises, wherever they sit.
            if "departments" in row.data:
                departments = row.data["departments"]
            else:
                departments = list(row.instance.departments.all()) if row.instance else []
            if scope.department_id and scope.department_id in {d.pk for d in departments}:
                continue
            self.reject(
                row,
                "unit",
                _("属地“%(value)s”不在您的管辖范围内") % {"value": row.text.get("unit", "")},
            )

    def describe(self, row: Row) -> str:
        return f"{row.data.get('name', '')}（{row.data.get('uscc', '')}）"

    def column_help(self, column: Column) -> str:
        if column.key == "sector":
            names = "、".join(Sector.objects.values_list("name", flat=True))
            return _("可填：%(names)s") % {"names": names}
        if column.key == "departments":
            names = "、".join(
                Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("name", flat=True)
            )
            return _(
                "部门名称，多个用“、”分隔；新企业留空时按行业领域的默认主管部门。可填：%(names)s"
            ) % {"names": names}
        if column.key == "scale":
            return _("可填：%(v)s") % {
                "v": "、".join(str(lbl) for _v, lbl in EnterpriseScale.choices)
            }
        if column.key == "risk_level":
            return _("可填：重大、较大、一般、低（可带“风险”和颜色，如 重大风险（红））")
        return column.help

    def save_row(self, row: Row) -> None:
        """Through the enterprise services: they re-check scope and record the audit log."""
        departments = row.m2m.get("departments")
        if row.action == "created":
            fields = {k: v for k, v in row.data.items() if k in ENTERPRISE_FIELDS}
            row.target = create_enterprise(actor=self.user, departments=departments or [], **fields)
            return
        fields = {k: row.data[k] for k in row.changed if k in ENTERPRISE_FIELDS}
        row.target = update_enterprise(
            row.instance,
            actor=self.user,
            departments=departments if "departments" in row.changed else None,
            **fields,
        )


@register_exporter
class EnterpriseExporter(Exporter):
    """The enterprise list as the import template's columns."""

    name = "enterprises"
    label = gettext_lazy("企业")
    model = Enterprise
    headers = HEADERS

    def prepare(self, qs):
        self.unit_index = UnitIndex()
        self.labels: dict[int, str] = {}
        return qs.select_related("unit", "sector").prefetch_related("departments")

    def unit_label(self, unit: Unit) -> str:
        if unit.pk not in self.labels:
            self.labels[unit.pk] = self.unit_index.label(unit)
        return self.labels[unit.pk]

    def row(self, obj: Enterprise) -> list:
        return [
            obj.name,
            obj.uscc,
            self.unit_label(obj.unit),
            "、".join(sorted(d.name for d in obj.departments.all())),
            obj.sector.name,
            obj.get_scale_display() if obj.scale else "",
            obj.get_risk_level_display() if obj.risk_level else "",
            obj.address,
            obj.legal_representative,
            obj.safety_contact,
            # The CLI (no user) exports whole; pages follow the one personal-data policy.
            obj.safety_phone if self.user is None else display_phone(obj.safety_phone, self.user),
        ]
