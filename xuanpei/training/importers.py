"""Imports and exports of the training app (issue #12 items 1 and 3), on the core machinery.

`grid-officers` and `cadres` (`UnitPostImporter`): one row per post, columns 姓名,
身份证号, 所在单位/网格, 职务, 联系电话, 任职日期, 离任日期. A row is matched to the
on-duty post of (身份证号, unit, role); a row with a 离任日期 and no on-duty post
matches the ended post with the same 任职日期 (so an export of ended posts re-imports
unchanged). The person is the one `workforce.Person` with that ID number, created
when nobody has met them yet (`services_people`). The exporters write the same
columns: importing an export changes nothing.

`attendance` (`AttendanceImporter`, option `session`): who attended a session, with
姓名, 身份证号, 签到时间, 签退时间 and optionally 认定学时. Each row must name a known
person (by ID number, with the same name) who is on the session's roster, or, if the
session allows walk-ins, within the organiser's scope (then enrolled); the same
person twice is a duplicate; times lie within the session's sign-in window;
hours follow `services.credited_hours` / the session's hours (the rules of the QR
sign-in and of the organiser's list). Rows are written as `Attendance.Method.IMPORTED`;
an existing QR sign-in keeps its evidence (its times), a correction by the organiser
keeps its hours.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.exports import Exporter
from xuanpei.core.imports import Column, Importer, Row, register_exporter, register_importer
from xuanpei.core.imports.values import EXCEL_EPOCH, parse_date
from xuanpei.core.privacy import can_see_personal_data, display_phone
from xuanpei.core.scoping import UserScope
from xuanpei.core.validators import clean_phone, mask_id_number
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.importers import UnitIndex
from xuanpei.orgs.models import Unit
from xuanpei.training import services_people
from xuanpei.training.models import Attendance, Enrolment, TrainingSession, UnitPost
from xuanpei.training.services import _clean_hours, credited_hours
from xuanpei.workforce.models import Person


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def parse_id(text: str) -> str:
    try:
        return services_people.clean_id_number(text)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


def people_of(rows: list[Row]) -> dict[str, Person]:
    """The chunk's people by (normalised) ID number, in one query; bad numbers are the
    column parser's to report."""
    numbers = set()
    for row in rows:
        try:
            numbers.add(parse_id(row.text.get("id_number", "")))
        except ValidationError:
            continue
    return {p.id_number: p for p in Person.objects.filter(id_number__in=numbers)}


def optional(parse):
    """A column parser that reads an empty cell as None (the base parses blanks too)."""

    def parse_or_none(text: str):
        return parse(text) if text else None

    return parse_or_none


def unit_in_scope(user, unit: Unit) -> bool:
    """`UnitPost.SCOPE_UNIT = "unit"`: the unit lies in the user's subtree (None: the CLI)."""
    if user is None:
        return True
    scope = UserScope.of(user)
    if scope.everything:
        return True
    return bool(scope.unit_path) and unit.path.startswith(scope.unit_path)


class PostUnits:
    """Units a post may sit at, by name or path (东新城/甲街道), as the enterprise import
    reads 属地; departments and the district itself (cadres) by their names."""

    def __init__(self):
        self.index = UnitIndex()
        self.extra: dict[str, Unit] = {}
        for unit in Unit.objects.filter(depth=1) | Unit.objects.filter(kind=UnitKind.DEPARTMENT):
            for name in (unit.name, getattr(unit, "short_name", "")):
                if name:
                    self.extra.setdefault(_norm(name), unit)

    def resolve(self, text: str) -> Unit:
        found = self.index.candidates(text)
        if not found and _norm(text) in self.extra:
            return self.extra[_norm(text)]
        if len(found) > 1:
            # A whole path from the top beats the deeper units whose paths end with it
            # (东新城 is the new town, not a 村 named 东新城 below it).
            exact = [u for u in found if self.index.chains[u.pk] == self._parts(text)]
            found = exact if len(exact) == 1 else found
        if not found:
            raise ValidationError(
                _(
                    "未找到单位或网格“%(value)s”：请填写新城、镇街、村（社区）或部门的名称，"
                    "重名时写成路径，如 新城/街道/社区"
                )
                % {"value": text}
            )
        if len(found) > 1:
            paths = "、".join(self.index.path(u) for u in found)
            raise ValidationError(
                _("单位或网格“%(value)s”有重名：%(paths)s，请写成完整路径")
                % {"value": text, "paths": paths}
            )
        return found[0]

    def _parts(self, text: str) -> tuple[str, ...]:
        """The path's names as `UnitIndex.candidates` reads them (the district's dropped)."""
        parts = [_norm(p) for p in re.split(r"[/\\>]", text) if _norm(p)]
        if len(parts) > 1 and parts[0] in self.index.root_names:
            parts = parts[1:]
        return tuple(parts)

    def label(self, unit: Unit) -> str:
        if unit.pk in self.index.chains:
            return self.index.label(unit)
        return unit.name


# The person: one record per 身份证号 on the whole platform, the name must match it.
NAME_COLUMN = Column("name", "姓名", aliases=("人员姓名",), required=True)
ID_COLUMN = Column(
    "id_number",
    "身份证号",
    aliases=("身份证号码", "公民身份号码", "证件号码"),
    required=True,
    help=gettext_lazy("18位身份证号；同一身份证号在全平台只登记一个人员"),
)
UNIT_POST_COLUMNS = (
    NAME_COLUMN,
    ID_COLUMN,
    Column(
        "unit",
        "所在单位/网格",
        aliases=("所在单位", "所在网格", "单位或网格", "所属网格", "单位", "网格"),
        required=True,
        help=gettext_lazy("新城、镇街、村（社区）或部门的名称；重名时写成路径，如 新城/街道"),
    ),
    Column("title", "职务", aliases=("职位", "岗位")),
    Column(
        "phone",
        "联系电话",
        aliases=("电话", "手机", "手机号码", "联系方式"),
        parse=optional(clean_phone),
        help=gettext_lazy("手机或带区号的固定电话，如 029-88886666"),
    ),
    Column("start_date", "任职日期", aliases=("任职时间", "上岗日期"), parse=optional(parse_date)),
    Column("end_date", "离任日期", aliases=("离任时间",), parse=optional(parse_date)),
)
UNIT_POST_HEADERS = [c.header for c in UNIT_POST_COLUMNS]


class UnitPostImporter(Importer):
    """Upsert posts of one role by (身份证号, unit, role) on duty."""

    model = UnitPost
    key_field = ""  # (person, unit, role): matched in prepare/clean_row
    columns = UNIT_POST_COLUMNS
    role = ""

    def begin(self) -> None:
        self.units = PostUnits()
        self.seen: dict[tuple, int] = {}
        self.new_names: dict[str, tuple[str, int]] = {}

    clean_id_number = staticmethod(parse_id)

    def clean_unit(self, text: str) -> Unit:
        return self.units.resolve(text)

    def prepare(self, rows: list[Row]) -> None:
        self.people = people_of(rows)
        self.posts: dict[tuple[int, int], list[UnitPost]] = {}
        posts = UnitPost.objects.filter(person__in=self.people.values(), role=self.role)
        for post in posts.select_related("unit", "person").order_by("-end_date", "-pk"):
            self.posts.setdefault((post.person_id, post.unit_id), []).append(post)

    def clean_row(self, row: Row) -> None:
        data = row.data
        number, unit, name = data["id_number"], data["unit"], data["name"]
        data["name"] = name = services_people.normalize_name(name)
        if reason := services_people.unit_error(self.role, unit):
            return self.reject(row, "unit", reason)
        start, end = data.get("start_date"), data.get("end_date")
        person = self.people.get(number)
        if person is not None:
            if services_people.normalize_name(person.name) != name:
                return self.reject(row, "name", services_people.name_mismatch_error().messages[0])
            row.instance = self._match(person, unit, start, end)
            data["person"] = person
        else:  # a new person: every row naming this number must give the same name
            first = self.new_names.setdefault(number, (name, row.number))
            if first[0] != name:
                return self.reject(
                    row,
                    "name",
                    _("与第 %(row)d 行的身份证号相同而姓名不同，请核对") % {"row": first[1]},
                )
        data["role"] = self.role
        if row.instance is not None:
            key = ("post", row.instance.pk)
        else:
            key = (number, unit.pk) if end is None else (number, unit.pk, start, end)
        if key in self.seen:
            return self.reject(
                row,
                "id_number",
                _("与第 %(row)d 行是同一人员在同一单位的同一岗位，同一文件中不能出现两次")
                % {"row": self.seen[key]},
            )
        self.seen[key] = row.number
        stored_start = row.instance.start_date if row.instance else None
        stored_end = row.instance.end_date if row.instance else None
        start = start if "start_date" in data and "start_date" not in row.blank else stored_start
        end = end if "end_date" in data and "end_date" not in row.blank else stored_end
        if start and end and end < start:
            self.reject(row, "end_date", _("离任日期不能早于任职日期"))

    def _match(self, person, unit, start, end) -> UnitPost | None:
        posts = self.posts.get((person.pk, unit.pk), [])
        on_duty = [p for p in posts if p.end_date is None]
        if on_duty:
            return on_duty[0]
        if end is not None:
            ended = [p for p in posts if p.start_date == start]
            return next((p for p in ended if p.end_date == end), ended[0] if ended else None)
        return None

    def check_scope(self, rows: list[Row]) -> None:
        for row in rows:
            if not unit_in_scope(self.user, row.data["unit"]):
                self.reject(
                    row,
                    "unit",
                    _("单位或网格“%(value)s”不在您的管辖范围内")
                    % {"value": row.text.get("unit", "")},
                )

    def describe(self, row: Row) -> str:
        number = row.data.get("id_number", "")
        return f"{row.data.get('name', '')}（{mask_id_number(number)}）"

    def save_row(self, row: Row) -> None:
        """Through the post services (person found or created, rules, scope, audit)."""
        data = row.data
        if row.action == "created":
            row.target = services_people.create_unit_post(
                actor=self.user,
                role=self.role,
                unit=data["unit"],
                id_number=data["id_number"],
                name=data["name"],
                **{k: data.get(k) for k in services_people.POST_FIELDS},
            )
            return
        fields = {k: data[k] for k in row.changed if k in services_people.POST_FIELDS}
        row.target = services_people.update_unit_post(row.instance, actor=self.user, **fields)


@register_importer
class GridOfficerImporter(UnitPostImporter):
    name = "grid-officers"
    label = gettext_lazy("网格员")
    noun = gettext_lazy("网格员岗位")
    role = UnitPost.Role.GRID_OFFICER


@register_importer
class CadreImporter(UnitPostImporter):
    name = "cadres"
    label = gettext_lazy("干部")
    noun = gettext_lazy("干部岗位")
    role = UnitPost.Role.CADRE


class UnitPostExporter(Exporter):
    """Posts of one role in the import's columns. ID numbers and phones whole for the CLI
    and for users who may see them (each whole ID logged); masked for everyone else."""

    model = UnitPost
    headers = UNIT_POST_HEADERS
    role = ""

    def queryset(self):
        return super().queryset().filter(role=self.role)

    def prepare(self, qs):
        self.units = PostUnits()
        self.whole = self.user is None or can_see_personal_data(self.user)
        return qs.filter(role=self.role).select_related("person", "unit")

    def rows(self, qs):
        from xuanpei.workforce.privacy import log_id_access

        seen = []  # whole ID numbers delivered to a user are logged (workforce.privacy)
        for post in self.prepare(qs).iterator(chunk_size=self.chunk_size):
            yield self.row(post)
            if self.whole and self.user is not None:
                seen.append(post.person)
                if len(seen) >= self.chunk_size:
                    log_id_access(self.user, seen, via="export")
                    seen = []
        if seen:
            log_id_access(self.user, seen, via="export")

    def row(self, post: UnitPost) -> list:
        idn = post.person.id_number
        return [
            post.person.name,
            idn if self.whole else mask_id_number(idn),
            self.units.label(post.unit),
            post.title,
            post.phone if self.user is None else display_phone(post.phone, self.user),
            post.start_date,
            post.end_date,
        ]


@register_exporter
class GridOfficerExporter(UnitPostExporter):
    name = "grid-officers"
    label = gettext_lazy("网格员")
    role = UnitPost.Role.GRID_OFFICER


@register_exporter
class CadreExporter(UnitPostExporter):
    name = "cadres"
    label = gettext_lazy("干部")
    role = UnitPost.Role.CADRE


# Attendance -------------------------------------------------------------------------------

_MOMENT = re.compile(
    r"(?:(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?\s*[T ]?\s*)?"
    r"(?P<h>\d{1,2})\s*[:：时]\s*(?P<mi>\d{1,2})(?:\s*[:：分]\s*(?P<s>\d{1,2})(?:\.\d+)?)?\s*[分秒]?"
)
_SERIAL_MOMENT = re.compile(r"\d{5}\.\d+|0?\.\d+")


def parse_moment(text: str, *, day) -> datetime:
    """A sign-in time as people write it: 2026-03-10 09:05, 2026/3/10 9:05:30, 9:05 (on
    `day`, the session's first day), or an Excel date-time serial (46091.378…); aware, in
    the project's time zone. Raises ValidationError with a Chinese reason."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    match = _MOMENT.fullmatch(text)
    moment = None
    if match:
        try:
            on = (
                datetime(int(match["y"]), int(match["mo"]), int(match["d"])).date()
                if match["y"]
                else day
            )
            moment = datetime.combine(
                on, time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
            )
        except ValueError:
            raise ValidationError(_("时间“%(value)s”不存在") % {"value": text}) from None
    elif _SERIAL_MOMENT.fullmatch(text):
        serial = float(text)
        whole = int(serial)
        on = EXCEL_EPOCH + timedelta(days=whole) if whole else day
        seconds = round((serial - whole) * 86400)
        moment = datetime.combine(on, time()) + timedelta(seconds=min(seconds, 86399))
    if moment is None:
        raise ValidationError(
            _("无法识别的时间“%(value)s”，请写成 2026-03-10 09:05 或 09:05") % {"value": text}
        )
    return timezone.make_aware(moment)


def format_moment(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


ARCHIVED_MESSAGE = gettext_lazy("该培训班次已归档，不能再导入签到记录")


def resolve_session(value, user) -> TrainingSession:
    """The session an option names; ValueError unless `user` organises it (may change it)."""
    try:
        session = TrainingSession.objects.get(pk=int(str(value).strip()))
    except (TypeError, ValueError, TrainingSession.DoesNotExist):
        raise ValueError(_("没有编号为 %(v)s 的培训班次") % {"v": value}) from None
    if user is not None and not TrainingSession.objects.in_scope(user, session.pk, "change"):
        raise ValueError(_("没有编号为 %(v)s 的培训班次") % {"v": value})
    return session


def organiser_people(session: TrainingSession):
    """People the organiser could have put on the roster (`services_sessions.enrollable_people`
    of the user who created the session): the walk-ins an attendance sheet may add."""
    from xuanpei.training.services_sessions import enrollable_people

    organiser = session.created_by
    return enrollable_people(organiser) if organiser else Person.objects.none()


ATTENDANCE_COLUMNS = (
    NAME_COLUMN,
    ID_COLUMN,
    Column(
        "signed_in_at",
        "签到时间",
        aliases=("签到",),
        help=gettext_lazy("如 2026-03-10 09:05；只写 09:05 时按培训开始当天"),
    ),
    Column("signed_out_at", "签退时间", aliases=("签退",)),
    Column(
        "hours_credited",
        "认定学时",
        aliases=("学时",),
        help=gettext_lazy("可不填：按签到、签退时间计算（封顶为本期学时）；都不填时按本期学时认定"),
    ),
)


@register_importer
class AttendanceImporter(Importer):
    """A session's attendance from a sheet (`--session ID`)."""

    name = "attendance"
    label = gettext_lazy("签到记录")
    noun = gettext_lazy("签到记录")
    model = Attendance
    key_field = ""  # the person, within the session: matched in prepare/clean_row
    columns = ATTENDANCE_COLUMNS
    options_supported = ("session",)
    # The import pages hand templates the class: never instantiate it without a session.
    do_not_call_in_templates = True

    def __init__(self, *, user=None, remote_addr=None, options=None):
        super().__init__(user=user, remote_addr=remote_addr, options=options)
        if "session" not in self.options:
            raise ValueError(_("导入签到记录须指定培训班次（--session 编号）"))
        self.session = resolve_session(self.options["session"], user)
        if self.session.status == TrainingSession.Status.ARCHIVED:
            raise ValueError(ARCHIVED_MESSAGE)

    def begin(self) -> None:
        self.day = timezone.localtime(self.session.starts_at).date()
        self.seen: dict[int, int] = {}

    def queryset(self):
        return super().queryset().filter(session=self.session)

    clean_id_number = staticmethod(parse_id)

    def clean_signed_in_at(self, text: str):
        return parse_moment(text, day=self.day) if text else None

    clean_signed_out_at = clean_signed_in_at

    def clean_hours_credited(self, text: str):
        if not text:
            return None
        try:
            return _clean_hours(self.session, text)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def prepare(self, rows: list[Row]) -> None:
        self.people = people_of(rows)
        people = list(self.people.values())
        self.enrolled = set(
            Enrolment.objects.filter(session=self.session, person__in=people).values_list(
                "person_id", flat=True
            )
        )
        self.existing = {
            a.person_id: a
            for a in Attendance.objects.filter(session=self.session, person__in=people)
        }
        self.walk_ins = set()
        if self.session.allow_walk_ins and people:
            self.walk_ins = set(
                organiser_people(self.session)
                .filter(pk__in=[p.pk for p in people])
                .values_list("pk", flat=True)
            )

    def clean_row(self, row: Row) -> None:
        data, session = row.data, self.session
        person = self.people.get(data["id_number"])
        if person is None:
            return self.reject(row, "id_number", _("身份证号不存在"))
        if services_people.normalize_name(person.name) != services_people.normalize_name(
            data["name"]
        ):
            return self.reject(row, "name", _("姓名与身份证号不符，请核对"))
        if person.pk not in self.enrolled:
            if not session.allow_walk_ins:
                return self.reject(
                    row,
                    "id_number",
                    _("该人员不在本期培训名单上，本期培训不允许名单外人员签到，请先加入名单"),
                )
            if person.pk not in self.walk_ins:
                return self.reject(
                    row,
                    "id_number",
                    _("该人员不在本期培训名单上，也不在组织方的管辖范围内（如其他企业的人员）"),
                )
        if person.pk in self.seen:
            return self.reject(
                row,
                "id_number",
                _("与第 %(row)d 行是同一人员，同一文件中不能出现两次")
                % {"row": self.seen[person.pk]},
            )
        self.seen[person.pk] = row.number
        row.instance = self.existing.get(person.pk)
        row.enrol = person.pk not in self.enrolled
        data.update(session=session, person=person)
        if row.instance is None:
            data["method"] = Attendance.Method.IMPORTED
        self._clean_times(row)
        if row.ok:
            self._clean_hours(row)

    def _clean_times(self, row: Row) -> None:
        data, instance, session = row.data, row.instance, self.session
        if instance is not None and instance.method == Attendance.Method.QR:
            # A QR sign-in's times are its evidence: the file does not replace them.
            for key in ("signed_in_at", "signed_out_at"):
                data.pop(key, None)
                row.blank.add(key)
        for key in ("signed_in_at", "signed_out_at"):
            moment = data.get(key)
            if moment and not session.sign_in_opens_at <= moment <= session.sign_in_closes_at:
                self.reject(
                    row,
                    key,
                    _("时间%(at)s不在本期培训的签到时段（%(opens)s至%(closes)s）内")
                    % {
                        "at": format_moment(moment),
                        "opens": format_moment(session.sign_in_opens_at),
                        "closes": format_moment(session.sign_in_closes_at),
                    },
                )
        came, left = self._times(row)
        if came and left and left < came:
            self.reject(row, "signed_out_at", _("签退时间不能早于签到时间"))

    def _times(self, row: Row):
        data, instance = row.data, row.instance

        def value(key):
            if key in data and key not in row.blank:
                return data[key]
            return getattr(instance, key) if instance is not None else None

        return value("signed_in_at"), value("signed_out_at")

    def _clean_hours(self, row: Row) -> None:
        data, instance, session = row.data, row.instance, self.session
        given = data.get("hours_credited")
        if instance is not None and instance.correction_reason:
            if given is not None and given != instance.hours_credited:
                self.reject(
                    row,
                    "hours_credited",
                    _("该人员的学时已由组织方更正为%(hours)s（%(reason)s），请通过更正学时修改")
                    % {"hours": instance.hours_credited, "reason": instance.correction_reason},
                )
            data.pop("hours_credited", None)
            row.blank.add("hours_credited")
            return
        if given is not None:
            return
        came, left = self._times(row)
        if came and left:
            data["hours_credited"] = credited_hours(session, came, left)
        elif instance is None:
            data["hours_credited"] = Decimal(session.hours)  # as the organiser's list credits
        else:
            data.pop("hours_credited", None)
            return
        row.blank.discard("hours_credited")  # a computed value, not a blank to keep

    def describe(self, row: Row) -> str:
        return f"{row.data.get('name', '')}（{mask_id_number(row.data.get('id_number', ''))}）"

    def save_row(self, row: Row) -> None:
        if getattr(row, "enrol", False):
            Enrolment.objects.get_or_create(
                session=self.session,
                person=row.data["person"],
                defaults={"source": Enrolment.Source.IMPORTED},
            )
        super().save_row(row)
