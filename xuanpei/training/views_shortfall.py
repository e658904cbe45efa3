"""The hours shortfall page (issue #12 §5): people below their legal minimum.

Totals per 属地 unit, sector and enterprise, each linking to the same page narrowed
to it, and the names below (name, enterprise, post, required, credited, missing),
paginated; an xlsx of the same. Numbers come from `training.shortfall` (one SQL
statement per table, scoped through `Post.objects.for_user`): an enterprise account
sees its own people only. A computed page is cached for a few minutes under the
data's fingerprint (`shortfall.data_version`), so that a district of a million
people answers at once after the first render.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from xuanpei.core.exports import write_sheet, xlsx_response
from xuanpei.core.scoping import UserScope, reaches
from xuanpei.core.views import ScopedViewMixin
from xuanpei.orgs.models import Enterprise, Sector, Unit
from xuanpei.training import shortfall
from xuanpei.training.choices import TrainingGroup, TrainingKind
from xuanpei.training.shortfall import Filters
from xuanpei.workforce.models import Person

CACHE_SECONDS = 300
PAGE_SIZE = 25
TOP_ENTERPRISES = 20
KIND_LABELS = dict(TrainingKind.choices)
GROUP_LABELS = dict(TrainingGroup.choices)
YEARS = (2000, 2100)


@dataclass
class Selection:
    """The page's query, validated: the filters and what they name."""

    filters: Filters
    unit: Unit | None
    enterprise: Enterprise | None
    sector: Sector | None
    errors: list[str]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def viewer_unit(user) -> Unit | None:
    """The unit whose subtree the unit breakdown starts from (departments and enterprise
    accounts: none — their enterprises sit anywhere)."""
    if user.unit_id and not user.unit.is_department:
        return user.unit
    if UserScope.of(user).everything:
        return Unit.objects.get_first_root_node()
    return None


def select(request) -> Selection:
    """Read year, group, unit, sector and enterprise from the query; a bad value is
    dropped with a Chinese message naming the field, never a 500."""
    get, user, errors = request.GET, request.user, []
    year = timezone.localdate().year
    if get.get("year"):
        given = _int(get["year"])
        if given is None or not YEARS[0] <= given <= YEARS[1]:
            errors.append(
                _("年度应为 %(lo)s—%(hi)s 之间的整数，已显示本年度")
                % dict(lo=YEARS[0], hi=YEARS[1])
            )
        else:
            year = given
    group = get.get("group", "")
    if group not in ("", *TrainingGroup.values):
        errors.append(_("人员类别无效，已显示全部人员"))
        group = ""
    unit = enterprise = sector = None
    if get.get("unit"):
        unit = Unit.objects.for_user(user, "view").filter(pk=_int(get["unit"]) or 0).first()
        if unit is None:
            errors.append(_("所选属地不存在或不在您的管辖范围内"))
    if get.get("enterprise"):
        pk = _int(get["enterprise"]) or 0
        enterprise = Enterprise.objects.for_user(user, "view").filter(pk=pk).first()
        if enterprise is None:
            errors.append(_("所选企业不存在或不在您的管辖范围内"))
    if get.get("sector"):
        sector = Sector.objects.filter(pk=_int(get["sector"]) or 0).first()
        if sector is None:
            errors.append(_("所选行业领域不存在"))
    filters = Filters(
        year=year,
        group=group,
        enterprise_id=enterprise.pk if enterprise else None,
        sector_id=sector.pk if sector else None,
        unit_path=unit.path if unit else "",
    )
    return Selection(filters, unit, enterprise, sector, errors)


def _cache_key(user, *parts) -> str:
    scope = UserScope.of(user)
    raw = json.dumps(
        [
            scope.everything,
            scope.unit_path,
            scope.department_id,
            scope.enterprise_id,
            getattr(user, "role", ""),
            user.is_superuser,
            shortfall.data_version(),
            *parts,
        ],
        default=str,
    )
    return "training:shortfall:" + hashlib.sha256(raw.encode()).hexdigest()


def _row_dict(r: shortfall.Row) -> dict:
    return {
        "name": r.name,
        "enterprise": r.enterprise,
        "enterprise_id": r.enterprise_id,
        "post_type": r.post_type,
        "group": str(GROUP_LABELS.get(r.group, r.group)),
        "kind": str(KIND_LABELS.get(r.kind, r.kind)),
        "required": r.required,
        "credited": r.credited,
        "shortfall": r.shortfall,
    }


def _total_dict(t: shortfall.Total) -> dict:
    return {
        "key": t.key,
        "label": t.label,
        "people": t.people,
        "below": t.below,
        "met": t.people - t.below,
        "shortfall": t.shortfall,
        "rate": round(100 * (t.people - t.below) / t.people, 1) if t.people else None,
    }


class ShortfallAccessMixin(ScopedViewMixin):
    """People are the rows; the shortfall reads them through their posts' scope."""

    queryset = Person.objects.all()

    def tables(self, sel: Selection) -> dict:
        """The totals of the page (cached with the data's fingerprint)."""
        user, f = self.request.user, sel.filters
        key = _cache_key(user, "tables", f)
        found = cache.get(key)
        if found is not None:
            return found
        base = sel.unit or viewer_unit(user)
        found = shortfall.breakdown(user, f, unit_depth=base.depth + 1 if base else None)
        tables = {
            "total": _total_dict(found.total),
            "by_sector": [_total_dict(t) for t in found.by_sector],
            "by_enterprise": [_total_dict(t) for t in found.by_enterprise],
            "by_unit": [],
        }
        if base is not None and not UserScope.of(user).enterprise_id:
            tables["by_unit"] = [_total_dict(t) for t in found.by_unit]
            units = dict(
                Unit.objects.filter(path__in=[t["key"] for t in tables["by_unit"]]).values_list(
                    "path", "pk"
                )
            )
            for t in tables["by_unit"]:
                t["unit_id"] = units.get(t["key"])
                t["own_level"] = base is not None and t["key"] == base.path
        cache.set(key, tables, CACHE_SECONDS)
        return tables


class _Names:
    """The people below their minimum as a sequence Django's Paginator can slice."""

    def __init__(self, user, f: Filters, count: int):
        self.user, self.f, self._count = user, f, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, item):
        start, stop = item.start or 0, item.stop or self._count
        key = _cache_key(self.user, "names", self.f, start, stop)
        found = cache.get(key)
        if found is None:
            found = [
                _row_dict(r)
                for r in shortfall.rows(self.user, self.f, limit=stop - start, offset=start)
            ]
            cache.set(key, found, CACHE_SECONDS)
        return found


class ShortfallView(ShortfallAccessMixin, generic.TemplateView):
    template_name = "training/shortfall.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sel = select(self.request)
        for error in sel.errors:
            messages.warning(self.request, error)
        tables = self.tables(sel)
        paginator = Paginator(
            _Names(self.request.user, sel.filters, tables["total"]["below"]), PAGE_SIZE
        )
        page = paginator.get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            sel=sel,
            year=sel.filters.year,
            group=sel.filters.group,
            groups=TrainingGroup.choices,
            sectors=Sector.objects.order_by("sort_order", "name"),
            total=tables["total"],
            by_unit=tables["by_unit"],
            by_sector=tables["by_sector"],
            by_enterprise=tables["by_enterprise"][:TOP_ENTERPRISES],
            more_enterprises=max(0, len(tables["by_enterprise"]) - TOP_ENTERPRISES),
            page_obj=page,
            names=page.object_list,
            query_string=params.urlencode(),
            base_query=self._base_query(sel),
            can_export=reaches(self.request.user, Person, "export"),
            is_enterprise=bool(UserScope.of(self.request.user).enterprise_id),
        )
        return ctx

    @staticmethod
    def _base_query(sel: Selection) -> str:
        """The query kept by a drill-down link (year and group; it sets its own filter)."""
        from urllib.parse import urlencode

        keep = {"year": sel.filters.year}
        if sel.filters.group:
            keep["group"] = sel.filters.group
        return urlencode(keep)


class ShortfallExportView(ShortfallAccessMixin, generic.View):
    """The names below their minimum and the three breakdowns, one sheet each."""

    action = "export"
    title = gettext_lazy("学时未达标人员")

    def get(self, request, *args, **kwargs):
        sel = select(request)
        f, user = sel.filters, request.user
        names = shortfall.rows(user, f)
        tables = self.tables(sel)
        sheets = [
            (_("按属地"), tables["by_unit"]),
            (_("按行业领域"), tables["by_sector"]),
            (_("按企业"), tables["by_enterprise"]),
        ]

        def write(fh):
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            write_sheet(
                book,
                [
                    _("姓名"),
                    _("企业"),
                    _("岗位"),
                    _("人员类别"),
                    _("培训要求"),
                    _("应修学时"),
                    _("已修学时"),
                    _("缺少学时"),
                ],
                (
                    [
                        r.name,
                        r.enterprise,
                        r.post_type,
                        str(GROUP_LABELS.get(r.group, r.group)),
                        str(KIND_LABELS.get(r.kind, r.kind)),
                        r.required,
                        r.credited,
                        r.shortfall,
                    ]
                    for r in names
                ),
                title=str(self.title),
                widths=(12, 32, 18, 16, 16, 10, 10, 10),
            )
            for title, rows in sheets:
                write_sheet(
                    book,
                    [_("名称"), _("人数"), _("未达标人数"), _("达标率（%）"), _("缺少学时合计")],
                    (
                        [t["label"], t["people"], t["below"], t["rate"], t["shortfall"]]
                        for t in rows
                    ),
                    title=title,
                    widths=(32, 10, 12, 12, 14),
                )
            book.save(fh)

        return xlsx_response(write, f"{self.title}-{f.year}.xlsx")
