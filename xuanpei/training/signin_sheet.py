"""The printable sign-in sheet of a session (签到表, issue #12 §4): A4, CJK fonts embedded.

Rendered by WeasyPrint from `training/archive_signin_sheet.html`: a header with the
session's title, time and place (repeated at the top of every page), the roster in
a table (序号, 姓名, 单位/岗位, 身份证号 masked to the last 4 characters, 签到时间,
签退时间, 认定学时, and an empty 签名 column for hand signatures) whose header row
repeats on every page, page numbers at the foot. Before the class the time columns
are empty and the sheet is the paper fallback; after it they carry the QR sign-ins.

The font is Noto Sans CJK SC (fonts-noto-cjk, see README), subset and embedded by
WeasyPrint. Nothing is fetched while rendering: the template has no external
resources and every URL is refused, so a value typed by someone cannot reach out.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from xuanpei.training import archive as archive_module
from xuanpei.training.archive import Archive, collect, id_tail, session_facts

PDF_CONTENT_TYPE = "application/pdf"


def _time(moment, day) -> str:
    """HH:MM on the session's first day, else MM-DD HH:MM (a two-day class)."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H:%M}" if local.date() == day else f"{local:%m-%d %H:%M}"


def sheet_rows(archive: Archive, rows=None) -> list[dict]:
    day = timezone.localtime(archive.session.starts_at).date()
    result = []
    for row in archive.rows if rows is None else rows:
        a = row.attendance
        result.append(
            {
                "number": row.number,
                "name": row.person.name,
                "post": row.post,
                "id_tail": id_tail(row.person.id_number),
                "signed_in": _time(a.signed_in_at, day) if a else "",
                "signed_out": _time(a.signed_out_at, day) if a else "",
                "hours": a.hours_credited if a and (a.signed_in_at or a.hours_credited) else "",
            }
        )
    return result


def render_html(archive: Archive, *, rows=None, part: str = "") -> str:
    """The sheet's HTML: every person of `archive`, or `rows` of them (one `part`)."""
    session = archive.session
    facts = dict(session_facts(session))
    return render_to_string(
        "training/archive_signin_sheet.html",
        {
            "session": session,
            "when": facts.get("培训时间", ""),
            "place": facts.get("地点", ""),
            "organiser": facts.get("组织单位", ""),
            "teacher": session.teacher,
            "rows": sheet_rows(archive, rows),
            "part": part,
            "archive": archive,
            "printed": timezone.localtime(),
        },
    )


def _refuse(url, *args, **kwargs):
    raise ValueError(f"signin sheet: fetching {url!r} is not allowed")


def write_signin_sheet(archive: Archive, target, *, rows=None, part: str = "") -> None:
    """Render the sheet (or one part of it) as PDF into the binary file object `target`."""
    from weasyprint import HTML

    html = render_html(archive, rows=rows, part=part)
    HTML(string=html, url_fetcher=_refuse).write_pdf(target)


def signin_sheet_pdf(session, *, user) -> bytes | None:
    """The sheet alone (printed before the class), a few hundred KB; None when the class
    is larger than one sheet file (`ROWS_PER_SHEET`): its parts are in the archive."""
    from weasyprint import HTML

    archive = collect(session, user=user)
    if len(archive.rows) > archive_module.ROWS_PER_SHEET:
        return None
    return HTML(string=render_html(archive), url_fetcher=_refuse).write_pdf()


def sheet_filename(session) -> str:
    from xuanpei.training.archive import local_text, safe_name

    return (
        f"{safe_name(session.title, '培训')}-签到表-{local_text(session.starts_at, '%Y%m%d')}.pdf"
    )
