"""Import and export of the activity ledger and of new-media posts (issue #11 item 9).

Both follow the foundation's contract (docs/architecture.md, "The import and export
machinery"): Excel row numbers, the six counts, exit codes 0/1/2, a blank cell never
erases on update, （清空） clears, one audit batch per commit. Each exporter writes
its importer's columns with values the importer reads back to the same record, so
importing an export changes nothing.

Natural keys:
- media posts: the link (链接, unique): re-importing a sheet with new counts updates them;
- activities: 活动编号, the activity's id as the export writes it; blank = a new activity.
  Two activities of one unit on one day may share a title, so no text key is safe.

Imported activities are recorded as submitted for review (待审核), or as accepted
(已通过) when the importer is the reviewing unit, i.e. a unit above the activity's
unit, or the CLI without --user (docs/decisions.md).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.exports import Exporter
from xuanpei.core.imports import Column, Importer, Row, register_exporter, register_importer
from xuanpei.core.imports.values import choice_parser, parse_date, split_names
from xuanpei.core.permissions import is_district_admin
from xuanpei.core.scoping import UserScope
from xuanpei.core.validators import normalize_url, validate_url
from xuanpei.orgs.models import Unit
from xuanpei.plans.choices import PlanKind
from xuanpei.plans.models import Task
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import (
    FIVE_IN_FIELDS,
    Activity,
    ActivityForm,
    Audience,
    Channel,
    FiveIn,
    MediaKind,
    MediaPost,
    ReviewStatus,
)
from xuanpei.publicity.services_activities import established_error
from xuanpei.publicity.services_media import MAX_COUNT

MAX_PARTICIPANTS = 1_000_000


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


# --------------------------------------------------------------------------- parsers


_COUNT = re.compile(r"(?P<n>\d+(?:\.\d+)?)(?P<unit>[万wW]?)\+?")


def parse_count(text: str) -> int:
    """A count as people type it: 1234, 1,234, 1.2万 (12000), 10w+; blank is 0.

    Negative or fractional counts are refused with a Chinese reason.
    """
    text = _norm(text).replace(",", "")
    if not text:
        return 0
    if text.startswith("-"):
        raise ValidationError(_("不能为负数"), code="negative")
    match = _COUNT.fullmatch(text)
    if not match:
        raise ValidationError(
            _("“%(value)s”不是数字，请填写整数，如 1200 或 1.2万") % {"value": text},
            code="count",
        )
    value = float(match["n"]) * (10_000 if match["unit"] else 1)
    if not value.is_integer():
        raise ValidationError(_("“%(value)s”不是整数") % {"value": text}, code="count")
    if value > MAX_COUNT:
        raise ValidationError(
            _("“%(value)s”超过上限 %(max)d") % {"value": text, "max": MAX_COUNT}, code="count"
        )
    return int(value)


def parse_link(text: str) -> str:
    """An http(s) link, normalised as every form stores it."""
    url = normalize_url(text)
    validate_url(url)
    if len(url) > 500:
        raise ValidationError(_("链接不能超过 500 个字符"))
    return url


def parse_past_date(text: str):
    day = parse_date(text)
    if day > timezone.localdate():
        raise ValidationError(
            _("日期 %(day)s 晚于今天，只能登记已经发生的") % {"day": day.isoformat()}
        )
    return day


_TIME = re.compile(r"(?P<h>\d{1,2})[:：时](?P<m>\d{2})(?::(?P<s>\d{2}))?分?")


def parse_time(text: str):
    text = _norm(text)
    if not text:
        return None
    match = _TIME.fullmatch(text)
    if match and int(match["h"]) < 24 and int(match["m"]) < 60:
        return time(int(match["h"]), int(match["m"]))
    raise ValidationError(_("无法识别的时间“%(value)s”，请写成 09:30") % {"value": text})


def format_time(value) -> str:
    return value.strftime("%H:%M") if value else ""


_LINK_SEPARATORS = re.compile(r"[\s、，,；;]+")


def parse_links(text: str) -> str:
    """Media coverage links: one per line (also 、 ， ; separated), each http(s)."""
    links = [p for p in _LINK_SEPARATORS.split(text or "") if p]
    return "\n".join(parse_link(p) for p in links)


def canonical_links(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


FIVE_IN_WORDS = {_norm(str(label)).removeprefix("进"): value for value, label in FiveIn.choices}


def parse_five_in(text: str) -> list[str]:
    """企业、农村 (or 进企业、进农村) → the FiveIn values, in the fixed order."""
    found, unknown = set(), []
    for name in split_names(text):
        value = FIVE_IN_WORDS.get(_norm(name).removeprefix("进"))
        if value is None:
            unknown.append(name)
        else:
            found.add(value)
    if unknown:
        raise ValidationError(
            _("无法识别的五进类型“%(names)s”，可填：企业、农村、社区、学校、家庭")
            % {"names": "、".join(unknown)}
        )
    return [v for v in FiveIn.values if v in found]


def five_in_text(activity: Activity) -> str:
    return "、".join(str(FiveIn(v).label).removeprefix("进") for v in activity.five_in)


parse_channel = choice_parser(
    Channel,
    label=gettext_lazy("渠道"),
    extra={
        "公众号": "wechat",
        "微信": "wechat",
        "app": "app",
        "新闻客户端": "app",
        "网站": "portal",
        "门户": "portal",
        "政府网站": "portal",
        "报纸": "press",
        "电视": "press",
        "媒体": "press",
    },
)
_parse_kind = choice_parser(
    MediaKind,
    label=gettext_lazy("形式"),
    extra={"视频": "video", "短视频": "video", "广告": "psa", "公益": "psa", "推文": "post"},
)


def parse_kind(text: str) -> str:
    return _parse_kind(text) if text else MediaKind.POST


def parse_original(text: str) -> bool:
    key = _norm(text)
    if key in ("", "原创", "是", "原"):
        return True
    if key in ("转发", "转载", "否", "转"):
        return False
    raise ValidationError(_("请填写“原创”或“转发”"))


# --------------------------------------------------------------------------- units


class LedgerUnits:
    """Every unit by name and by path (东新城/甲街道), for 组织单位 / 发布单位 / 所在村/社区.

    Loaded once per import or export (a district has a few hundred units). A path may
    start with the district's name; a name shared by several units must be a path.
    """

    def __init__(self):
        units = list(Unit.objects.order_by("path"))
        names = {u.path: u.name for u in units}
        steplen = Unit.steplen
        self.chains: dict[int, tuple[str, ...]] = {}
        self.by_name: dict[str, list[Unit]] = {}
        self.roots = set()
        for unit in units:
            chain = tuple(
                _norm(names.get(unit.path[: steplen * depth], ""))
                for depth in range(1, unit.depth + 1)
            )
            self.chains[unit.pk] = chain
            self.by_name.setdefault(chain[-1], []).append(unit)
            if unit.depth == 1:
                self.roots.add(chain[0])

    def candidates(self, text: str) -> list[Unit]:
        parts = [_norm(p) for p in re.split(r"[/\\>]", text) if _norm(p)]
        if not parts:
            return []
        return [
            u
            for u in self.by_name.get(parts[-1], [])
            if list(self.chains[u.pk][-len(parts) :]) == parts
        ]

    def resolve(self, text: str, *, label: str) -> Unit:
        found = self.candidates(text)
        if not found:
            raise ValidationError(
                _("未找到%(label)s“%(value)s”：请填写单位名称，重名时写成路径，如 新城/街道")
                % {"label": label, "value": text}
            )
        if len(found) > 1:
            raise ValidationError(
                _("%(label)s“%(value)s”有重名：%(paths)s，请写成完整路径")
                % {"label": label, "value": text, "paths": "、".join(self.path(u) for u in found)}
            )
        return found[0]

    def path(self, unit: Unit) -> str:
        chain = self.chains.get(unit.pk, (unit.name,))
        return "/".join(chain[1:] if len(chain) > 1 else chain)

    def label(self, unit: Unit | None) -> str:
        """The unit's name when unambiguous, else its path: what `resolve` reads back."""
        if unit is None:
            return ""
        return unit.name if len(self.candidates(unit.name)) == 1 else self.path(unit)


def unit_scope_error(user, unit: Unit) -> str:
    """Why `user` may not record for `unit` ("" when allowed)."""
    if user is None:
        return ""
    scope = UserScope.of(user)
    if scope.everything:
        return ""
    if scope.enterprise_id:
        if user.enterprise.unit_id == unit.pk:
            return ""
        return _("企业只能登记本企业（属地 %(unit)s）的记录") % {"unit": user.enterprise.unit.name}
    if scope.unit_path and unit.path.startswith(scope.unit_path):
        return ""
    return _("单位“%(value)s”不在您的管辖范围内") % {"value": unit.name}


# --------------------------------------------------------------------------- media posts


MEDIA_COLUMNS = (
    Column(
        "unit",
        "发布单位",
        aliases=("单位", "单位名称", "发布主体"),
        required=True,
        help=gettext_lazy("单位名称，重名时写成路径，如 东新城/甲街道；企业填写其属地"),
    ),
    Column(
        "channel",
        "渠道",
        aliases=("发布渠道", "平台", "发布平台"),
        required=True,
        parse=parse_channel,
        choices=lambda: [str(label) for _v, label in Channel.choices],
    ),
    Column("account", "账号", aliases=("账号名称", "公众号名称"), required=True, normalize=False),
    Column(
        "kind",
        "形式",
        aliases=("类型", "发布形式"),
        parse=parse_kind,
        choices=lambda: [str(label) for _v, label in MediaKind.choices],
        help=gettext_lazy("图文、文章、微视频、公益广告；留空为图文"),
    ),
    Column("title", "标题", aliases=("文章标题", "作品标题"), required=True, normalize=False),
    Column(
        "url",
        "链接",
        aliases=("网址", "链接地址", "URL"),
        required=True,
        parse=parse_link,
        help=gettext_lazy("http(s) 链接，每条发布唯一；已存在的链接将更新该条"),
    ),
    Column(
        "published_on",
        "发布日期",
        aliases=("日期", "发布时间"),
        required=True,
        parse=parse_past_date,
    ),
    Column(
        "is_original",
        "原创/转发",
        aliases=("原创", "是否原创"),
        parse=parse_original,
        choices=("原创", "转发"),
        help=gettext_lazy("原创或转发；留空为原创"),
    ),
    Column(
        "views",
        "阅读量",
        aliases=("阅读数", "播放量", "阅读/播放量"),
        parse=parse_count,
        help=gettext_lazy("整数，可写 1.2万；留空为 0，更新时留空不改原值"),
    ),
    Column("likes", "点赞数", aliases=("点赞", "点赞量"), parse=parse_count),
    Column("shares", "转发数", aliases=("转发", "转发量", "分享数"), parse=parse_count),
)


@register_importer
class MediaPostImporter(Importer):
    """Upsert media posts by link; counts imported again later update the same rows."""

    name = "media-posts"
    label = gettext_lazy("新媒体发布")
    noun = gettext_lazy("发布")
    model = MediaPost
    key_field = "url"
    columns = MEDIA_COLUMNS
    # Written set-based (core.imports.bulk); cells parsed once per distinct text.
    bulk_write = True
    memo_columns = ("unit", "channel", "kind", "published_on", "is_original")

    def begin(self) -> None:
        self.units = LedgerUnits()

    def clean_unit(self, text: str) -> Unit:
        return self.units.resolve(text, label=_("发布单位"))

    def existing_queryset(self, qs):
        return qs.select_related("unit", "enterprise")

    def check_scope(self, rows: list[Row]) -> None:
        enterprise = getattr(self.user, "enterprise", None) if self.user else None
        for row in rows:
            unit = row.data.get("unit") or (row.instance.unit if row.instance else None)
            if unit is None:
                continue
            reason = unit_scope_error(self.user, unit)
            if reason:
                self.reject(row, "unit", reason)
            elif enterprise is not None and row.instance is None:
                row.data["enterprise"] = enterprise

    def describe(self, row: Row) -> str:
        return str(row.data.get("title") or (row.instance.title if row.instance else ""))


@register_exporter
class MediaPostExporter(Exporter):
    name = "media-posts"
    label = gettext_lazy("新媒体发布")
    model = MediaPost
    headers = [c.header for c in MEDIA_COLUMNS]

    def prepare(self, qs):
        self.units = LedgerUnits()
        return qs.select_related("unit")

    def row(self, obj: MediaPost) -> list:
        return [
            self.units.label(obj.unit),
            str(obj.get_channel_display()),
            obj.account,
            str(obj.get_kind_display()),
            obj.title,
            obj.url,
            obj.published_on.isoformat(),
            "原创" if obj.is_original else "转发",
            obj.views,
            obj.likes,
            obj.shares,
        ]


# --------------------------------------------------------------------------- activities


def parse_code(text: str) -> int | None:
    text = _norm(text)
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise ValidationError(_("活动编号应为导出文件中的数字编号；新增的活动请留空"))
    return int(text)


ACTIVITY_COLUMNS = (
    Column(
        "code",
        "活动编号",
        aliases=("编号", "ID"),
        parse=parse_code,
        help=gettext_lazy("留空为新增；填写导出文件中的编号则更新该活动"),
    ),
    Column("title", "活动名称", aliases=("活动主题", "名称"), required=True, normalize=False),
    Column(
        "unit",
        "组织单位",
        aliases=("单位", "举办单位", "主办单位"),
        required=True,
        help=gettext_lazy("单位名称，重名时写成路径，如 东新城/甲街道；企业填写其属地"),
    ),
    Column("held_on", "活动日期", aliases=("日期",), required=True, parse=parse_past_date),
    Column("start_time", "开始时间", parse=parse_time, help=gettext_lazy("如 09:30")),
    Column("end_time", "结束时间", parse=parse_time, help=gettext_lazy("如 11:30")),
    Column("place", "活动地点", aliases=("地点",), required=True, normalize=False),
    Column(
        "locality",
        "所在村/社区",
        aliases=("村/社区", "所在村社区", "村社区"),
        help=gettext_lazy("活动所在的村、社区（或镇街），须在组织单位的辖区内"),
    ),
    Column(
        "five_in",
        "五进",
        aliases=("五进类型",),
        parse=parse_five_in,
        fields=("five_in", *FIVE_IN_FIELDS.values()),
        help=gettext_lazy("企业、农村、社区、学校、家庭，可多选，用“、”分隔"),
    ),
    Column("audiences", "宣传对象", aliases=("对象",)),
    Column("forms", "活动形式", aliases=("形式",)),
    Column("participants", "参与人数", aliases=("人数", "参加人数"), parse=parse_count),
    Column(
        "campaigns",
        "宣传主题活动",
        aliases=("主题活动",),
        help=gettext_lazy("活动当年的宣传主题活动名称，如 安全生产月；多个用“、”分隔"),
    ),
    Column(
        "tasks",
        "对应计划任务",
        aliases=("计划任务", "任务编号"),
        help=gettext_lazy("活动当年计划的任务编号，如 三(一)5；多个用“、”分隔"),
    ),
    Column("summary", "活动简介", aliases=("简介", "活动内容"), normalize=False),
    Column(
        "media_links",
        "媒体报道链接",
        aliases=("报道链接",),
        parse=parse_links,
        help=gettext_lazy("http(s) 链接，多个换行或用“、”分隔"),
    ),
)


def _is_reviewer(user, unit: Unit) -> bool:
    """The reviewing unit (the unit's parent, as services_activities.reviewer_unit), the
    district admin, or the CLI acting for the bureau."""
    if user is None or user.is_superuser or is_district_admin(user):
        return True
    if not user.unit_id:
        return False
    return unit.path[: -Unit.steplen] == user.unit.path


@register_importer
class ActivityImporter(Importer):
    """Create activities (blank 活动编号) or update them by 活动编号."""

    name = "activities"
    label = gettext_lazy("宣传活动")
    noun = gettext_lazy("活动")
    model = Activity
    key_field = ""  # the 活动编号 is matched in prepare/clean_row (blank means new)
    columns = ACTIVITY_COLUMNS
    # Written set-based (core.imports.bulk); cells of these columns are parsed once per
    # distinct text.
    bulk_write = True
    memo_columns = (
        "code", "unit", "held_on", "start_time", "end_time", "locality", "five_in",
        "audiences", "forms", "participants", "campaigns", "tasks",
    )  # fmt: skip

    def begin(self) -> None:
        self.units = LedgerUnits()
        self.audience_names = {_norm(a.name): a for a in Audience.objects.all()}
        self.form_names = {_norm(f.name): f for f in ActivityForm.objects.all()}
        campaigns = Campaign.objects.all()
        tasks = Task.objects.select_related("plan")
        if self.user is not None:
            campaigns = campaigns.for_user(self.user, "view")
            tasks = tasks.for_user(self.user, "view")
        self.campaigns: dict[str, list[Campaign]] = {}
        for c in campaigns:
            self.campaigns.setdefault(_norm(c.name), []).append(c)
        self.tasks: dict[str, list[Task]] = {}
        for t in tasks:
            self.tasks.setdefault(_norm(t.number), []).append(t)
        self.seen_codes: dict[int, int] = {}
        self.year_names: dict[tuple, tuple[list, list[str]]] = {}

    def prepare(self, rows: list[Row]) -> None:
        codes = set()
        for row in rows:
            text = _norm(row.text.get("code", ""))
            if text.isdigit() and len(text) <= 12:
                codes.add(int(text))
        self.visible = {}
        self.hidden = set()
        if codes:
            qs = (
                self.queryset()
                .filter(pk__in=codes)
                .prefetch_related("campaigns", "tasks", "audiences", "forms")
            )
            self.visible = {a.pk: a for a in qs.select_related("unit", "locality")}
            self.hidden = (
                set(Activity.objects.filter(pk__in=codes).values_list("pk", flat=True))
                - self.visible.keys()
            )

    clean_code = staticmethod(parse_code)

    def clean_unit(self, text: str) -> Unit:
        return self.units.resolve(text, label=_("组织单位"))

    def clean_locality(self, text: str) -> Unit | None:
        return self.units.resolve(text, label=_("所在村/社区")) if text else None

    def _dictionary(self, text: str, table: dict, label: str) -> list:
        names = split_names(text)
        unknown = [n for n in names if _norm(n) not in table]
        if unknown:
            raise ValidationError(
                _("未知的%(label)s：%(names)s，可填：%(allowed)s")
                % {
                    "label": label,
                    "names": "、".join(unknown),
                    "allowed": "、".join(o.name for o in table.values()),
                }
            )
        return list({table[_norm(n)].pk: table[_norm(n)] for n in names}.values())

    def clean_audiences(self, text: str) -> list:
        return self._dictionary(text, self.audience_names, _("宣传对象"))

    def clean_forms(self, text: str) -> list:
        return self._dictionary(text, self.form_names, _("活动形式"))

    def clean_participants(self, text: str) -> int:
        value = parse_count(text)
        if value > MAX_PARTICIPANTS:
            raise ValidationError(
                _("参与人数 %(n)d 超过合理上限 %(max)d，请核对")
                % {"n": value, "max": MAX_PARTICIPANTS}
            )
        return value

    def clean_campaigns(self, text: str) -> list[str]:
        return split_names(text)

    def clean_tasks(self, text: str) -> list[str]:
        return split_names(text)

    def clean_row(self, row: Row) -> None:
        code = row.data.get("code")
        if code is not None:
            if code in self.hidden:
                return self.reject(
                    row, "code", _("该活动编号的宣传活动不在您的管辖范围内，不能导入或修改")
                )
            if code not in self.visible:
                return self.reject(row, "code", _("活动编号 %(code)d 不存在") % {"code": code})
            if code in self.seen_codes:
                return self.reject(
                    row,
                    "code",
                    _("与第 %(row)d 行的活动编号重复，同一文件中不能出现两次")
                    % {"row": self.seen_codes[code]},
                )
            self.seen_codes[code] = row.number
            row.instance = self.visible[code]
        instance = row.instance
        held_on = row.data.get("held_on") or (instance.held_on if instance else None)
        unit = row.data.get("unit") or (instance.unit if instance else None)
        if reason := established_error(unit, held_on):
            self.reject(row, "held_on", reason)
        year = held_on.year if held_on else None
        if "five_in" in row.data:
            chosen = set(row.data["five_in"])
            for value, field in FIVE_IN_FIELDS.items():
                row.data[field] = value in chosen
        if "campaigns" in row.text:
            row.data["campaigns"] = self._resolve_year(
                row, "campaigns", self.campaigns, year, lambda c: c.year, _("宣传主题活动")
            )
        if "tasks" in row.text:
            row.data["tasks"] = self._resolve_year(
                row, "tasks", self.tasks, year, lambda t: t.plan.year, _("计划任务")
            )
        if (
            instance is not None
            and "media_links" in row.data
            and row.data["media_links"] == canonical_links(instance.media_links)
        ):
            row.data["media_links"] = instance.media_links  # same links, stored spelling
        start = row.data.get("start_time", instance.start_time if instance else None)
        end = row.data.get("end_time", instance.end_time if instance else None)
        if start and end and end < start:
            self.reject(row, "end_time", _("结束时间不能早于开始时间"))

    def _resolve_year(self, row, key, table, year, year_of, label) -> list:
        names = tuple(row.data.get(key) or ())
        memo = (key, names, year)
        if memo not in self.year_names:  # a file repeats the same few names: once each
            self.year_names[memo] = self._find_year(names, key, table, year, year_of, label)
        found, errors = self.year_names[memo]
        for message in errors:
            self.reject(row, key, message)
        return list({o.pk: o for o in found}.values())

    def _find_year(self, names, key, table, year, year_of, label) -> tuple[list, list[str]]:
        found, errors = [], []
        for name in names:
            options = table.get(_norm(name), [])
            same = [o for o in options if year_of(o) == year]
            if len(same) > 1 and key == "tasks":
                same = [o for o in same if o.plan.kind == PlanKind.DISTRICT] or same
            if len(same) == 1:
                found.append(same[0])
            elif len(same) > 1:
                errors.append(
                    _("%(label)s“%(name)s”有重名，请核对") % {"label": label, "name": name}
                )
            elif options:
                errors.append(
                    _("%(label)s“%(name)s”不是%(year)s年的，活动只能对应当年的")
                    % {"label": label, "name": name, "year": year}
                )
            else:
                errors.append(_("未找到%(label)s“%(name)s”") % {"label": label, "name": name})
        return found, errors

    def check_scope(self, rows: list[Row]) -> None:
        enterprise = getattr(self.user, "enterprise", None) if self.user else None
        now = timezone.now()
        for row in rows:
            instance = row.instance
            unit = row.data.get("unit") or (instance.unit if instance else None)
            reason = unit_scope_error(self.user, unit)
            if reason:
                self.reject(row, "unit", reason)
                continue
            locality = row.data.get("locality", instance.locality if instance else None)
            if locality is not None and not locality.path.startswith(unit.path):
                self.reject(
                    row,
                    "locality",
                    _("“%(place)s”不在组织单位“%(unit)s”的辖区内")
                    % {"place": locality.name, "unit": unit.name},
                )
                continue
            if enterprise is not None and row.data.get("locality"):
                self.reject(row, "locality", _("企业登记的活动不填写所在村/社区（以企业属地计）"))
                continue
            row.reviewer = _is_reviewer(self.user, unit)
            if instance is None:
                if enterprise is not None:
                    row.data["enterprise"] = enterprise
                row.data.update(self._review_fields(row.reviewer, now))

    def _review_fields(self, reviewer: bool, now) -> dict:
        """What an imported (new or corrected) activity is: submitted, or accepted when
        the importer reviews it (docs/decisions.md)."""
        fields = {"submitted_at": now, "submitted_by": self.user}
        if reviewer:
            fields.update(status=ReviewStatus.ACCEPTED, reviewed_at=now, reviewed_by=self.user)
        else:
            fields["status"] = ReviewStatus.SUBMITTED
        return fields

    def _refuse_locked(self, row: Row) -> None:
        """Beside the field rules: as on the pages (services_activities.can_edit), only a
        draft or returned activity changes; a corrected one is submitted again."""
        super()._refuse_locked(row)
        if not row.changed or not row.ok:
            return
        if row.instance.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
            self.reject(
                row,
                "code",
                _("活动“%(title)s”%(status)s，只有草稿或已退回的活动可以修改")
                % {"title": row.instance.title, "status": row.instance.get_status_display()},
            )
            return
        for name, value in self._review_fields(
            getattr(row, "reviewer", False), timezone.now()
        ).items():
            setattr(row.target, name, value)
            row.changed.append(name)

    def describe(self, row: Row) -> str:
        title = row.data.get("title") or (row.instance.title if row.instance else "")
        return f"{row.instance.pk}·{title}" if row.instance else str(title)


@register_exporter
class ActivityExporter(Exporter):
    name = "activities"
    label = gettext_lazy("宣传活动")
    model = Activity
    headers = [c.header for c in ACTIVITY_COLUMNS]

    def prepare(self, qs):
        self.units = LedgerUnits()
        return qs.select_related("unit", "locality").prefetch_related(
            "audiences", "forms", "campaigns", "tasks"
        )

    def row(self, obj: Activity) -> list:
        return [
            str(obj.pk),
            obj.title,
            self.units.label(obj.unit),
            obj.held_on.isoformat(),
            format_time(obj.start_time),
            format_time(obj.end_time),
            obj.place,
            self.units.label(obj.locality),
            five_in_text(obj),
            "、".join(a.name for a in obj.audiences.all()),
            "、".join(f.name for f in obj.forms.all()),
            obj.participants,
            "、".join(c.name for c in sorted(obj.campaigns.all(), key=lambda c: c.pk)),
            "、".join(t.number for t in sorted(obj.tasks.all(), key=lambda t: t.pk)),
            obj.summary,
            canonical_links(obj.media_links),
        ]
