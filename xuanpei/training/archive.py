"""一期一档 (issue #12 §4): one session's whole archive as one zip.

    index.html        the session (title, dates, organiser, task, teacher, hours,
                      summary, counts) and a link to every other member
    签到表.pdf         the printable sign-in sheet (`signin_sheet.py`)
    签到记录.xlsx      every attendance with its sign-in/out time, IP, device and method;
                      a second sheet with every audited correction of credited hours
    名单.xlsx          the roster with posts, attendance, credited hours and exam scores
    小结.txt           the summary (purpose, content, result) as plain text
    资料/ 照片/ 考试材料/  the session's files (`SessionFile` by purpose), as uploaded

Streamed, never held twice: the zip is written member by member into a file
object (the view's temporary file, the command's output), each spreadsheet through
a temporary file, each stored upload copied in blocks. A photo or a PDF is stored
as is (already compressed), the rest deflated. Member names are Chinese; Python's
zipfile sets the UTF-8 flag for them, so every unzip tool shows them right.

ID numbers are masked in every member (the sheet shows the last 4 characters, the
trainee's own confirmation at sign-in; the spreadsheets the policy's mask): an
archive leaves the platform, so no whole number goes into it whoever downloads.

`user` is the person downloading (None: the system, the command without --user);
the posts shown beside each name are those the user may see.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.exports import write_xlsx
from xuanpei.core.validators import mask_id_number
from xuanpei.training.models import Attendance, Enrolment, SessionFile, TrainingSession, UnitPost
from xuanpei.workforce.models import Post

_BLOCK = 1 << 16
# Already compressed: stored as they are (deflating a JPEG costs time and saves nothing).
_STORED_KINDS = frozenset({"image", "pdf", "docx", "xlsx"})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')

FOLDERS = {
    SessionFile.Purpose.MATERIAL: "资料",
    SessionFile.Purpose.PHOTO: "照片",
    SessionFile.Purpose.EXAM: "考试材料",
}
SIGNIN_SHEET = "签到表.pdf"
# People per sign-in sheet file: 500 rows are ~21 A4 pages, which WeasyPrint lays out in
# about 300 MB; a larger class (an enterprise's 全员 or online training) gets several
# files of this many people each, so memory stays bounded whatever the headcount.
ROWS_PER_SHEET = 500
SIGNIN_LOG = "签到记录.xlsx"
ROSTER = "名单.xlsx"
SUMMARY = "小结.txt"
INDEX = "index.html"

LOG_HEADERS = [
    "序号",
    "姓名",
    "身份证号",
    "签到方式",
    "签到时间",
    "签到IP",
    "签到设备",
    "签退时间",
    "签退IP",
    "签退设备",
    "认定学时",
    "学时更正原因",
]
CORRECTION_HEADERS = ["更正时间", "操作人", "姓名", "身份证号", "原学时", "更正后学时", "原因"]
ROSTER_HEADERS = [
    "序号",
    "姓名",
    "身份证号",
    "单位/岗位",
    "名单来源",
    "签到时间",
    "签退时间",
    "认定学时",
    "考试成绩",
    "考试合格",
]


def local_text(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def id_tail(id_number: str) -> str:
    """The last 4 characters behind asterisks: what a trainee confirms at sign-in."""
    return "*" * max(len(id_number) - 4, 0) + id_number[-4:] if id_number else ""


def safe_name(name: str, fallback: str = "文件") -> str:
    """A file name fit for a zip member and a download (no path, no control characters)."""
    cleaned = _UNSAFE.sub("_", name or "").strip(" ._")
    return cleaned[:120] or fallback


def archive_filename(session: TrainingSession) -> str:
    """培训名称-一期一档-20260310.zip"""
    day = local_text(session.starts_at, "%Y%m%d")
    return f"{safe_name(session.title, '培训')}-一期一档-{day}.zip"


@dataclass
class Row:
    """One person of the session: on the roster, present, or both."""

    number: int
    person: object
    enrolment: Enrolment | None = None
    attendance: Attendance | None = None
    post: str = ""

    @property
    def hours(self) -> Decimal | None:
        return self.attendance.hours_credited if self.attendance else None


@dataclass
class Archive:
    """What the archive's members are built from, read once."""

    session: TrainingSession
    rows: list[Row]
    files: list[SessionFile] = field(default_factory=list)

    @property
    def attended(self) -> int:
        return sum(1 for r in self.rows if r.attendance)  # signed in, ticked or imported

    @property
    def signed_out(self) -> int:
        return sum(1 for r in self.rows if r.attendance and r.attendance.signed_out_at)

    @property
    def enrolled(self) -> int:
        return sum(1 for r in self.rows if r.enrolment)

    @property
    def total_hours(self) -> Decimal:
        return sum((r.hours or Decimal(0) for r in self.rows), Decimal(0))


def _posts(session: TrainingSession, user) -> dict[int, str]:
    """单位/岗位 per person: an on-duty post at the organising enterprise first, then any
    enterprise post, then a post at a unit (the organiser's first); only posts `user` sees."""
    # Subqueries, not lists of ids: an online class may have thousands of people.
    people = Q(person_id__in=Enrolment.objects.filter(session=session).values("person_id")) | Q(
        person_id__in=Attendance.objects.filter(session=session).values("person_id")
    )
    enterprise_posts = Post.objects.filter(people, end_date__isnull=True)
    unit_posts = UnitPost.objects.filter(people, end_date__isnull=True)
    if user is not None:
        enterprise_posts = enterprise_posts.for_user(user, "view")
        unit_posts = unit_posts.for_user(user, "view")
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for post in enterprise_posts.select_related("enterprise", "post_type").order_by("pk"):
        rank = 0 if post.enterprise_id == session.enterprise_id else 1
        found[post.person_id].append((rank, f"{post.enterprise.name} {post.post_type.name}"))
    for post in unit_posts.select_related("unit").order_by("pk"):
        rank = 2 if post.unit_id == session.unit_id else 3
        title = post.title or post.get_role_display()
        found[post.person_id].append((rank, f"{post.unit.name} {title}"))
    return {pid: min(posts, key=lambda p: p[0])[1] for pid, posts in found.items()}


def collect(session: TrainingSession, *, user) -> Archive:
    """The roster in its order, then anyone present who is not on it; files by purpose."""
    enrolments = list(
        Enrolment.objects.filter(session=session).select_related("person").order_by("pk")
    )
    attendances = {
        a.person_id: a
        for a in Attendance.objects.filter(session=session)
        .select_related("person")
        .order_by("signed_in_at", "pk")
    }
    rows: list[Row] = []
    seen: set[int] = set()
    for enrolment in enrolments:
        seen.add(enrolment.person_id)
        rows.append(
            Row(
                len(rows) + 1,
                enrolment.person,
                enrolment=enrolment,
                attendance=attendances.get(enrolment.person_id),
            )
        )
    for person_id, attendance in attendances.items():
        if person_id not in seen:
            rows.append(Row(len(rows) + 1, attendance.person, attendance=attendance))
    posts = _posts(session, user)
    for row in rows:
        row.post = posts.get(row.person.pk, "")
    files = list(SessionFile.objects.filter(session=session).order_by("purpose", "pk"))
    return Archive(session=session, rows=rows, files=files)


def _log_rows(archive: Archive):
    attended = [r for r in archive.rows if r.attendance]
    attended.sort(key=lambda r: (r.attendance.signed_in_at is None, r.attendance.signed_in_at))
    for number, row in enumerate(attended, 1):
        a = row.attendance
        yield [
            number,
            row.person.name,
            mask_id_number(row.person.id_number),
            a.get_method_display(),
            local_text(a.signed_in_at),
            a.sign_in_ip or "",
            a.sign_in_agent,
            local_text(a.signed_out_at),
            a.sign_out_ip or "",
            a.sign_out_agent,
            a.hours_credited,
            a.correction_reason,
        ]


def corrections(archive: Archive) -> list[list]:
    """Every audited change of an attendance's credited hours or its reason, oldest first."""
    people = {r.attendance.pk: r.person for r in archive.rows if r.attendance}
    if not people:
        return []
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Attendance),
            # A subquery, not a list: an online class may have thousands of attendances.
            object_id__in=Attendance.objects.filter(session=archive.session).values("pk"),
            action=LogEntry.Action.UPDATE,
        )
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    result = []
    for entry in entries:
        changes = entry.changes_dict or {}
        if "hours_credited" not in changes and "correction_reason" not in changes:
            continue
        person = people[entry.object_id]
        old, new = changes.get("hours_credited", [None, None])
        reason = changes.get("correction_reason", [None, ""])[1]
        actor = entry.actor
        who = (actor.get_full_name() or actor.username) if actor else _("系统")
        result.append(
            [
                local_text(entry.timestamp),
                who,
                person.name,
                mask_id_number(person.id_number),
                "" if old in (None, "None") else old,
                "" if new in (None, "None") else new,
                "" if reason in (None, "None") else reason,
            ]
        )
    return result


def write_signin_log(archive: Archive, target) -> int:
    """签到记录.xlsx: the attendance log, and the corrections sheet."""
    from openpyxl import Workbook

    from xuanpei.core.exports import write_sheet

    workbook = Workbook(write_only=True)
    count = write_sheet(
        workbook,
        LOG_HEADERS,
        _log_rows(archive),
        title="签到记录",
        widths=(6, 10, 22, 12, 20, 16, 40, 20, 16, 40, 10, 30),
    )
    write_sheet(
        workbook,
        CORRECTION_HEADERS,
        corrections(archive),
        title="学时更正记录",
        widths=(20, 14, 10, 22, 10, 12, 40),
    )
    workbook.save(target)
    return count


def _passed(enrolment: Enrolment | None) -> str:
    if enrolment is None or enrolment.passed is None:
        return ""
    return _("合格") if enrolment.passed else _("不合格")


def write_roster(archive: Archive, target) -> int:
    """名单.xlsx: everyone of the session with attendance, hours and exam results."""
    rows = (
        [
            row.number,
            row.person.name,
            mask_id_number(row.person.id_number),
            row.post,
            row.enrolment.get_source_display() if row.enrolment else _("未列入名单"),
            local_text(row.attendance.signed_in_at) if row.attendance else "",
            local_text(row.attendance.signed_out_at) if row.attendance else "",
            row.hours if row.hours is not None else "",
            row.enrolment.exam_score
            if row.enrolment and row.enrolment.exam_score is not None
            else "",
            _passed(row.enrolment),
        ]
        for row in archive.rows
    )
    return write_xlsx(
        ROSTER_HEADERS, rows, target, title="名单", widths=(6, 10, 22, 36, 14, 20, 20, 10, 10, 10)
    )


def session_facts(session: TrainingSession) -> list[tuple[str, str]]:
    """The session's header lines (index and sheet), label → value, blanks left out."""
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    when = f"{start:%Y-%m-%d %H:%M} 至 {end:%H:%M}"
    if start.date() != end.date():
        when = f"{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}"
    organiser = session.enterprise.name if session.enterprise_id else session.unit.name
    place = session.place
    if session.online:
        place = f"{place}（线上）" if place else _("线上")
    facts = [
        (_("培训类型"), session.get_kind_display()),
        (_("培训时间"), when),
        (_("地点"), place),
        (_("组织单位"), organiser),
        (_("对应计划任务"), str(session.task) if session.task_id else ""),
        (_("授课人"), session.teacher),
        (_("合作单位"), session.partner),
        (_("培训机构"), session.institution.name if session.institution_id else ""),
        (_("学时"), f"{session.hours}"),
        (_("培训对象"), session.audience),
        (
            _("计划人数"),
            "" if session.planned_headcount is None else str(session.planned_headcount),
        ),
        (_("状态"), session.get_status_display()),
    ]
    return [(label, value) for label, value in facts if value]


def sheet_parts(archive: Archive) -> list[tuple[str, str, list[Row]]]:
    """(member name, part label, rows): one 签到表.pdf, or one file per ROWS_PER_SHEET people."""
    rows, size = archive.rows, ROWS_PER_SHEET
    if len(rows) <= size:
        return [(SIGNIN_SHEET, "", rows)]
    parts = []
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        label = _("第%(a)d—%(b)d人") % {"a": chunk[0].number, "b": chunk[-1].number}
        parts.append((f"签到表-{len(parts) + 1}（{label}）.pdf", label, chunk))
    return parts


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}({n}).{ext}" if ext else f"{stem}({n})"
    taken.add(candidate)
    return candidate


def file_members(archive: Archive) -> list[tuple[str, SessionFile]]:
    """(member name, file) for every stored upload, names unique within their folder."""
    taken: set[str] = set()
    members = []
    for item in archive.files:
        folder = FOLDERS.get(item.purpose, "资料")
        members.append((_unique(f"{folder}/{safe_name(item.name)}", taken), item))
    return members


def summary_text(archive: Archive) -> str:
    session = archive.session
    lines = [session.title, ""]
    lines += [f"{label}：{value}" for label, value in session_facts(session)]
    lines += ["", _("培训内容"), session.content or _("（未填写）")]
    lines += ["", _("培训小结"), session.summary or _("（未填写）"), ""]
    return "\r\n".join(lines)  # Notepad on the office PCs shows \n-only files as one line


def _index(archive: Archive, members, missing: set[str], generated: datetime) -> str:
    links = [(name, _("签到表（可打印）") + label) for name, label, _rows in sheet_parts(archive)]
    links += [
        (SIGNIN_LOG, _("签到记录（签到签退时间、IP、设备、学时更正）")),
        (ROSTER, _("名单及考试成绩")),
        (SUMMARY, _("培训小结")),
    ]
    files = [
        {
            "href": quote(name),
            "name": name,
            "purpose": item.get_purpose_display(),
            "size": item.size,
            "missing": name in missing,
        }
        for name, item in members
    ]
    return render_to_string(
        "training/archive_index.html",
        {
            "session": archive.session,
            "facts": session_facts(archive.session),
            "archive": archive,
            "documents": [{"href": quote(n), "name": n, "label": label} for n, label in links],
            "files": files,
            "generated": timezone.localtime(generated),
        },
    )


def _info(name: str, moment: datetime, *, stored: bool = False) -> zipfile.ZipInfo:
    local = timezone.localtime(moment)
    info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _stored(item: SessionFile) -> bool:
    return bool(item.file.name) and item.file.storage.exists(item.file.name)


def _copy_into(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source) -> None:
    with zf.open(info, "w", force_zip64=True) as member:
        shutil.copyfileobj(source, member, _BLOCK)


def _spreadsheet_into(zf, name, writer, archive, moment) -> None:
    with tempfile.TemporaryFile() as tmp:
        writer(archive, tmp)
        tmp.seek(0)
        _copy_into(zf, _info(name, moment, stored=True), tmp)  # an xlsx is a zip already


def write_archive(session: TrainingSession, target, *, user) -> Archive:
    """Write the session's zip into the binary file object `target`; returns what it held."""
    from xuanpei.training.signin_sheet import write_signin_sheet

    now = timezone.now()
    archive = collect(session, user=user)
    members = file_members(archive)
    missing = {name for name, item in members if not _stored(item)}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_info(INDEX, now), _index(archive, members, missing, now).encode("utf-8"))
        for name, label, rows in sheet_parts(archive):
            with zf.open(_info(name, now, stored=True), "w", force_zip64=True) as member:
                write_signin_sheet(archive, member, rows=rows, part=label)
        _spreadsheet_into(zf, SIGNIN_LOG, write_signin_log, archive, now)
        _spreadsheet_into(zf, ROSTER, write_roster, archive, now)
        zf.writestr(_info(SUMMARY, now), summary_text(archive).encode("utf-8-sig"))
        for name, item in members:
            if name in missing:
                continue  # lost from storage: the index lists it as missing
            with item.file.open("rb") as source:
                _copy_into(zf, _info(name, now, stored=item.kind in _STORED_KINDS), source)
    return archive


def build_archive(session: TrainingSession, *, user):
    """The zip in an anonymous temporary file, at position 0 (the caller closes it)."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller (a FileResponse)
    try:
        write_archive(session, tmp, user=user)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return tmp
