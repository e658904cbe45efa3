"""一期一档 (issue #12 §4): one archive per session — roster, sign-in/out log, materials,
photos, summary, scores — as one zip with a printable sign-in sheet (PDF, CJK fonts) and
an index; `xuanpei training archive SESSION_ID --out FILE`."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from xuanpei.cli import main
from xuanpei.training import archive as archive_module
from xuanpei.training.archive import build_archive
from xuanpei.training.factories import EnrolmentFactory, TrainingSessionFactory, local
from xuanpei.training.models import Attendance, SessionFile
from xuanpei.training.services import correct_hours, mark_present, sign_in, sign_out
from xuanpei.training.signin_sheet import signin_sheet_pdf
from xuanpei.workforce.factories import PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

STARTS = local(2026, 3, 10, 9, 0)  # 09:00–12:00, 3.0 h; sign-in window 08:30–12:30
MEMBERS = {"index.html", "签到表.pdf", "签到记录.xlsx", "名单.xlsx", "小结.txt"}


@pytest.fixture
def session(district):
    return TrainingSessionFactory(
        title="东新城网格员安全培训（第一期）",
        kind="grid_officer",
        unit=district.town_a_unit,
        starts_at=STARTS,
        teacher="王老师",
        place="东新城便民服务中心二楼",
        summary="培训目的：提升网格员隐患排查能力。",
        created_by=district.town_a,
    )


@pytest.fixture
def people(district, session):
    """Three on the roster: 张三 and 李四 sign in by QR, 王五 is ticked by the organiser."""
    found = {}
    for name, id_number in [
        ("张三", "11010519491231002X"),
        ("李四", "110105194912310037"),
        ("王五", "110105194912310045"),
    ]:
        person = PersonFactory(name=name, id_number=id_number)
        PostFactory(person=person, enterprise=district.ent_a1)
        EnrolmentFactory(session=session, person=person)
        found[name] = person
    return found


@pytest.fixture
def attended(district, session, people):
    """Known times, IPs and devices, a sign-out and an audited correction."""
    token = session.sign_in_token
    sign_in(session, token=token, name="张三", id_tail="002X", now=local(2026, 3, 10, 8, 52),
            ip="10.1.2.3", agent="Mozilla/5.0 (iPhone) 张三的手机")  # fmt: skip
    sign_in(session, token=token, name="李四", id_tail="0037", now=local(2026, 3, 10, 9, 5),
            ip="10.1.2.4", agent="=HYPERLINK(\"http://evil\")")  # fmt: skip
    sign_out(session, token=token, name="张三", id_tail="002X", now=local(2026, 3, 10, 12, 1),
             ip="10.1.2.3", agent="Mozilla/5.0 (iPhone) 张三的手机")  # fmt: skip
    mark_present(session, people=[people["王五"]], actor=district.town_a)
    li = Attendance.objects.get(person=people["李四"])
    correct_hours(li, hours="2.5", reason="中途离场半小时", actor=district.town_a)
    return session


def open_zip(session, user=None) -> zipfile.ZipFile:
    tmp = build_archive(session, user=user)
    return zipfile.ZipFile(io.BytesIO(tmp.read()))


def sheet_rows(zf, member, sheet=None) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(zf.read(member)))
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    return list(ws.iter_rows(values_only=True))


# The archive's members ---------------------------------------------------------------------


def test_the_zip_holds_a_sign_in_log_row_for_every_attendance(attended, people):
    zf = open_zip(attended)
    header, *rows = sheet_rows(zf, "签到记录.xlsx")
    assert header[:11] == (
        "序号", "姓名", "身份证号", "签到方式", "签到时间", "签到IP",
        "签到设备", "签退时间", "签退IP", "签退设备", "认定学时",
    )  # fmt: skip
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == set(people) == {a.person.name for a in Attendance.objects.all()}
    zhang = by_name["张三"]
    assert zhang[3:10] == (
        "扫码签到",
        "2026-03-10 08:52:00",
        "10.1.2.3",
        "Mozilla/5.0 (iPhone) 张三的手机",
        "2026-03-10 12:01:00",
        "10.1.2.3",
        "Mozilla/5.0 (iPhone) 张三的手机",
    )
    # Present the whole session (signed in before 09:00, out after 12:00): its 3.0 hours.
    assert Decimal(str(zhang[10])) == Decimal("3.0")
    assert by_name["李四"][4] == "2026-03-10 09:05:00" and by_name["李四"][7] is None
    assert by_name["王五"][3] == "组织方勾选"


def test_a_correction_is_in_the_log_with_its_reason_and_who_made_it(attended, district):
    zf = open_zip(attended)
    by_name = {row[1]: row for row in sheet_rows(zf, "签到记录.xlsx")[1:]}
    assert Decimal(str(by_name["李四"][10])) == Decimal("2.5")
    assert by_name["李四"][11] == "中途离场半小时"
    header, *corrections = sheet_rows(zf, "签到记录.xlsx", "学时更正记录")
    assert header == ("更正时间", "操作人", "姓名", "身份证号", "原学时", "更正后学时", "原因")
    [li] = [row for row in corrections if row[2] == "李四"]
    assert li[1] in (district.town_a.get_full_name(), district.town_a.username)
    assert (li[4], li[5], li[6]) == ("0.0", "2.5", "中途离场半小时")


def test_no_cell_someone_typed_runs_as_a_formula(attended):
    zf = open_zip(attended)
    by_name = {row[1]: row for row in sheet_rows(zf, "签到记录.xlsx")[1:]}
    assert by_name["李四"][6] == '\'=HYPERLINK("http://evil")'


def test_member_names_are_chinese_and_flagged_utf8(attended):
    zf = open_zip(attended)
    names = set(zf.namelist())
    assert names == MEMBERS
    for info in zf.infolist():
        if not info.filename.isascii():
            assert info.flag_bits & 0x800, info.filename  # the UTF-8 name flag
    # Read back raw: the central directory carries the UTF-8 bytes of the names.
    raw = zf.fp.getvalue() if hasattr(zf.fp, "getvalue") else b""
    assert "签到记录.xlsx".encode() in raw


def test_the_roster_holds_everyone_with_posts_hours_and_exam_scores(attended, people):
    enrolment = attended.roster.get(person=people["王五"])
    enrolment.exam_score, enrolment.passed = Decimal("86.5"), True
    enrolment.save()
    zf = open_zip(attended)
    header, *rows = sheet_rows(zf, "名单.xlsx")
    assert header[:4] == ("序号", "姓名", "身份证号", "单位/岗位") and header[-2:] == (
        "考试成绩",
        "考试合格",
    )
    assert [row[1] for row in rows] == ["张三", "李四", "王五"]  # the roster's order
    wang = rows[2]
    assert wang[3].startswith("东城甲企业")
    assert (Decimal(str(wang[8])), wang[9]) == (Decimal("86.5"), "合格")


def test_a_post_outside_the_downloaders_scope_is_not_shown(session, district):
    person = PersonFactory(name="赵六")
    PostFactory(person=person, enterprise=district.ent_b1)  # 西新城's enterprise
    EnrolmentFactory(session=session, person=person)
    [town_a_row] = sheet_rows(open_zip(session, user=district.town_a), "名单.xlsx")[1:]
    assert town_a_row[1] == "赵六" and not town_a_row[3]
    [district_row] = sheet_rows(open_zip(session, user=district.district), "名单.xlsx")[1:]
    assert district_row[3].startswith(district.ent_b1.name)


def test_no_whole_id_number_leaves_in_the_archive(attended, people):
    zf = open_zip(attended)
    texts = [zf.read("index.html").decode(), zf.read("小结.txt").decode("utf-8-sig")]
    for member in ("签到记录.xlsx", "名单.xlsx"):
        texts += [str(cell) for row in sheet_rows(zf, member) for cell in row]
    for person in people.values():
        assert not any(person.id_number in text for text in texts)
    ids = {row[2] for row in sheet_rows(zf, "名单.xlsx")[1:]}
    assert "110***********002X" in ids  # the platform's mask: region and last 4


def test_materials_and_photos_go_in_their_folders_as_uploaded(attended):
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(photo, "JPEG")
    files = [
        (SessionFile.Purpose.PHOTO, "现场.jpg", "image", photo.getvalue()),
        (SessionFile.Purpose.PHOTO, "现场.jpg", "image", photo.getvalue()[::-1]),
        (SessionFile.Purpose.MATERIAL, "课件:隐患排查.pdf", "pdf", b"%PDF-1.4 course"),
        (SessionFile.Purpose.EXAM, "../../试卷.docx", "docx", b"PK exam"),
    ]
    for purpose, name, kind, data in files:
        item = SessionFile(session=attended, purpose=purpose, name=name, kind=kind, size=len(data))
        item.file.save("upload.bin", ContentFile(data), save=True)
    zf = open_zip(attended)
    assert zf.read("照片/现场.jpg") == photo.getvalue()
    assert zf.read("照片/现场(2).jpg") == photo.getvalue()[::-1]
    assert zf.read("资料/课件_隐患排查.pdf") == b"%PDF-1.4 course"  # no ":" in a file name
    [exam] = [n for n in zf.namelist() if n.startswith("考试材料/")]
    assert exam.count("/") == 1 and ".." not in exam and exam.endswith("试卷.docx")
    index = zf.read("index.html").decode()
    assert 'href="%E7%85%A7%E7%89%87/%E7%8E%B0%E5%9C%BA.jpg"' in index  # 照片/现场.jpg


def test_the_index_names_the_session_and_links_every_member(attended, district):
    zf = open_zip(attended)
    index = zf.read("index.html").decode()
    for text in ("东新城网格员安全培训（第一期）", "2026-03-10 09:00 至 12:00", "东新城",
                 "王老师", "网格员培训", "培训目的：提升网格员隐患排查能力。"):  # fmt: skip
        assert text in index
    for name in ("张三", "李四", "王五"):  # the people, with their attendance
        assert f"<td>{name}</td>" in index
    assert "<td>03-10 08:52</td>" in index
    from urllib.parse import quote

    for member in MEMBERS - {"index.html"}:
        assert f'href="{quote(member)}"' in index
    assert "小结" in zf.read("小结.txt").decode("utf-8-sig")


# The printable sheet ----------------------------------------------------------------------


def render_pages(pdf: bytes, tmp_path) -> list:
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(tmp_path / "sheet.pdf"), str(tmp_path / "page")],
        check=True,
    )
    return sorted(tmp_path.glob("page-*.png"))


def pdf_text(pdf: bytes, tmp_path) -> str:
    (tmp_path / "t.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.replace(" ", "")  # pdftotext spaces CJK text as it likes


def test_the_sign_in_sheet_renders_a4_with_the_cjk_font_embedded(attended, tmp_path):
    pdf = open_zip(attended).read("签到表.pdf")
    [page] = render_pages(pdf, tmp_path)
    image = Image.open(page).convert("L")
    width, height = image.size  # A4 at 60 dpi: 210 × 297 mm = 496 × 702 px
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1
    dark = sum(image.histogram()[:128])
    assert dark > 2000  # not blank: the header, the grid and the names are ink
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "sheet.pdf")], check=True, capture_output=True, text=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK-SC" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded (subset)
    text = pdf_text(pdf, tmp_path)
    for expected in ("签到表", "东新城网格员安全培训（第一期）", "东新城便民服务中心二楼", "张三",
                     "**************002X", "08:52", "12:01", "签名", "第1页/共1页"):  # fmt: skip
        assert expected in text
    assert "11010519491231002X" not in text


def test_a_long_roster_runs_over_pages_with_the_header_repeated(session, district, tmp_path):
    for n in range(70):
        EnrolmentFactory(session=session, person=PersonFactory(name=f"学员{n:02d}"))
    pdf = signin_sheet_pdf(session, user=district.town_a)
    pages = render_pages(pdf, tmp_path)
    assert len(pages) >= 3
    text = pdf_text(pdf, tmp_path)
    assert f"第{len(pages)}页/共{len(pages)}页" in text
    assert text.count("身份证号") == len(pages)  # the table's header row on every page
    assert "学员69" in text


def test_a_class_larger_than_one_sheet_gets_one_file_per_part(
    attended, district, client, monkeypatch, tmp_path
):
    monkeypatch.setattr(archive_module, "ROWS_PER_SHEET", 2)  # 3 people: parts of 2 and 1
    zf = open_zip(attended)
    parts = ["签到表-1（第1—2人）.pdf", "签到表-2（第3—3人）.pdf"]
    assert set(zf.namelist()) == MEMBERS - {"签到表.pdf"} | set(parts)
    first, second = (pdf_text(zf.read(p), tmp_path) for p in parts)
    assert "张三" in first and "李四" in first and "王五" not in first
    assert "王五" in second and "（第3—3人）" in second
    assert "应到3人，实到3人" in second  # the class's totals, not the part's
    from urllib.parse import quote

    index = zf.read("index.html").decode()
    assert all(f'href="{quote(p)}"' in index for p in parts)
    # The sheet alone would be several files: the page says so and sends to the session.
    client.force_login(district.town_a)
    response = client.get(reverse("training:session_signin_sheet", args=[attended.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:session_detail", args=[attended.pk])


def test_an_empty_roster_prints_a_sheet_that_says_so(session, district, tmp_path):
    text = pdf_text(signin_sheet_pdf(session, user=district.town_a), tmp_path)
    assert "名单为空" in text


# Pages and scope --------------------------------------------------------------------------


def test_the_organiser_downloads_the_zip(client, district, attended):
    client.force_login(district.town_a)
    response = client.get(reverse("training:session_archive", args=[attended.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(zf.namelist()) == MEMBERS


def test_the_district_prints_the_sign_in_sheet(client, district, attended):
    client.force_login(district.district)
    response = client.get(reverse("training:session_signin_sheet", args=[attended.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("persona", ["town_b", "department", "enterprise"])
@pytest.mark.parametrize("route", ["training:session_archive", "training:session_signin_sheet"])
def test_a_session_outside_scope_is_404(client, district, attended, persona, route):
    client.force_login(getattr(district, persona))
    assert client.get(reverse(route, args=[attended.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, attended):
    response = client.get(reverse("training:session_archive", args=[attended.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# The command ------------------------------------------------------------------------------


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main(["xuanpei", *args])
        code = 0
    except SystemExit as stopped:
        code = stopped.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_writes_the_archive(capsys, attended, tmp_path):
    out = tmp_path / "档案.zip"
    code, stdout, err = run(capsys, "training", "archive", str(attended.pk), "--out", str(out))
    assert code == 0, err
    assert "签到 3 人" in stdout
    assert set(zipfile.ZipFile(out).namelist()) == MEMBERS
    assert list(tmp_path.iterdir()) == [out]  # no partial file left beside it


def test_the_command_refuses_an_unknown_session_with_exit_2(capsys, attended, tmp_path):
    out = tmp_path / "x.zip"
    code, _, err = run(capsys, "training", "archive", str(attended.pk + 1000), "--out", str(out))
    assert code == 2
    assert f"没有编号为 {attended.pk + 1000} 的培训班次" in err
    assert not out.exists()


# Two runs of the CLI in one test: `xuanpei` closes its connections when a command ends,
# which on PostgreSQL ends a test transaction, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_the_command_with_user_keeps_to_that_users_scope(capsys, district, attended, tmp_path):
    out = tmp_path / "x.zip"
    args = ("training", "archive", str(attended.pk), "--out", str(out))
    code, _, err = run(capsys, *args, "--user", district.town_b.username)
    assert code == 2 and "不在该账号的范围内" in err and not out.exists()
    code, _, err = run(capsys, *args, "--user", district.town_a.username)
    assert code == 0, err and out.exists()


@pytest.mark.parametrize(
    "args, reason",
    [
        (["training", "archive", "abc", "--out", "{tmp}/x.zip"], "正整数"),
        (["training", "archive", "1"], "缺少必填参数"),
        (["training", "archive", "{pk}", "--out", "/nonexistent-dir/x.zip"], "不存在"),
        (["training", "archive", "{pk}", "--out", "{tmp}"], "目录"),
    ],
)
def test_the_command_answers_bad_arguments_in_one_chinese_line(
    capsys, attended, tmp_path, args, reason
):
    code, _, err = run(capsys, *(a.format(tmp=tmp_path, pk=attended.pk) for a in args))
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_a_two_day_session_shows_the_date_on_later_days(session, people, district, tmp_path):
    session.ends_at = session.starts_at + timedelta(days=1, hours=3)
    session.save()
    att = Attendance.objects.create(
        session=session,
        person=people["张三"],
        method=Attendance.Method.LIST,
        signed_in_at=local(2026, 3, 10, 8, 50),
        signed_out_at=local(2026, 3, 11, 12, 0),
    )
    assert att.pk
    text = pdf_text(signin_sheet_pdf(session, user=district.town_a), tmp_path)
    assert "08:50" in text and "03-1112:00" in text  # spaces dropped by pdf_text
    assert archive_module.session_facts(session)[1][1] == "2026-03-10 09:00 至 2026-03-11 12:00"
