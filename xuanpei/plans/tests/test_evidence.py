"""Evidence files (issue #4 §3, "Bad input"): the content decides, not the extension; size,
hostile names, thumbnails upright by EXIF, nothing half-stored, served only through scope."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xuanpei.plans import evidence, services
from xuanpei.plans.choices import ReportStatus
from xuanpei.plans.factories import AssignmentFactory, PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Evidence, ProgressReport

pytestmark = pytest.mark.django_db

# File builders (also used by test_reports*.py) ----------------------------------------------


def png_bytes(size=(40, 30), colour=(200, 30, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(40, 20), orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def office_bytes(main_part: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    kind = "macroEnabled.main+xml" if macros else "main+xml"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types>{kind}</Types>')
        archive.writestr(main_part, "<xml/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 10)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def report(district):
    year = timezone.localdate().year
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=year), title="佐证测试任务")
    TargetFactory(task=task, value=Decimal("1"))
    assignment = AssignmentFactory(task=task, unit=district.town_a_unit)
    return services.save_report(
        assignment, actor=district.town_a, period_key=str(year), summary="已开展宣传活动"
    )


def message_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# Content checks --------------------------------------------------------------------------


def test_an_exe_renamed_jpg_is_refused_with_its_name_and_what_it_really_is():
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("现场照片.jpg", b"MZ\x90\x00" + b"\x00" * 200))
    text = message_of(exc)
    assert "现场照片.jpg" in text and "可执行程序" in text and "扩展名" in text


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(settings):
    settings.EVIDENCE_MAX_MB = 1
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF\n"
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("培训通知.pdf", big))
    text = message_of(exc)
    assert "培训通知.pdf" in text and "1 MB" in text and "超过" in text


def test_the_size_limit_comes_from_the_environment_with_a_default_of_20_mb():
    assert settings.EVIDENCE_MAX_MB == 20
    assert evidence.max_bytes() == 20 * 1024 * 1024


def test_a_fake_pdf_is_refused():
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("签到表.pdf", "这不是PDF文件，只是文字".encode()))
    text = message_of(exc)
    assert "签到表.pdf" in text and "PDF" in text and "文本" in text


def test_a_truncated_pdf_is_refused_as_broken():
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("半截.pdf", b"%PDF-1.4\n1 0 obj"))
    assert "已损坏" in message_of(exc)


def test_an_image_that_is_not_an_image_is_refused():
    # Starts like a JPEG, then garbage: Pillow cannot decode it.
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("破图.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 50))
    assert "破图.jpg" in message_of(exc)


def test_a_real_docx_and_xlsx_pass_but_a_renamed_xlsx_or_a_macro_document_do_not():
    assert (
        evidence.check_file(upload("方案.docx", office_bytes("word/document.xml"))).kind == "docx"
    )
    assert evidence.check_file(upload("台账.xlsx", office_bytes("xl/workbook.xml"))).kind == "xlsx"
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("方案.docx", office_bytes("xl/workbook.xml")))
    assert "Excel" in message_of(exc)
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("宏.docx", office_bytes("word/document.xml", macros=True)))
    assert "宏" in message_of(exc)
    with pytest.raises(ValidationError):
        evidence.check_file(upload("旧版.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 100))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../x.php", "x.php"),
        ("C:\\Users\\张三\\照片.JPG", "照片.JPG"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("a<b>:c.pdf", "a_b__c.pdf"),
        ("...", "未命名文件"),
    ],
)
def test_hostile_names_are_cleaned_for_display(raw, shown):
    assert evidence.clean_name(raw) == shown


def test_a_very_long_or_non_utf8_name_is_shortened_or_replaced_keeping_the_extension():
    long = evidence.clean_name("很" * 300 + ".png")
    assert len(long) == evidence.MAX_NAME_LENGTH and long.endswith(".png")
    assert evidence.clean_name(b"\xff\xfe\xfa.pdf").endswith(".pdf")


def test_a_php_file_is_refused_whatever_it_contains():
    with pytest.raises(ValidationError) as exc:
        evidence.check_file(upload("../../x.php", png_bytes()))
    text = message_of(exc)
    assert "x.php" in text and "../" not in text and "类型不支持" in text


# Storage, thumbnails ----------------------------------------------------------------------


def test_a_real_small_png_is_stored_under_a_generated_name_with_a_jpeg_thumbnail(district, report):
    [item] = evidence.attach_evidence(
        report, [upload("../../活动照片.png", png_bytes((800, 600)))], actor=district.town_a
    )
    item.refresh_from_db()
    assert (item.name, item.kind) == ("活动照片.png", "image")
    assert item.file.name.startswith("evidence/") and ".." not in item.file.name
    assert "活动照片" not in item.file.name
    with Image.open(item.thumbnail.path) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) == evidence.THUMBNAIL_SIZE and thumb.size == (480, 360)


def test_a_transparent_png_gets_a_white_background_thumbnail(district, report):
    [item] = evidence.attach_evidence(
        report,
        [upload("标志.png", png_bytes(colour=(0, 0, 0, 0), mode="RGBA"))],
        actor=district.town_a,
    )
    with Image.open(item.thumbnail.path) as thumb:
        assert thumb.convert("RGB").getpixel((5, 5))[0] > 240


def test_the_thumbnail_respects_the_exif_orientation(district, report):
    # A landscape 40×20 picture the camera marks "rotate 90°": upright it is portrait.
    [item] = evidence.attach_evidence(
        report, [upload("竖拍.jpg", jpeg_bytes((40, 20), orientation=6))], actor=district.town_a
    )
    with Image.open(item.thumbnail.path) as thumb:
        assert thumb.size == (20, 40)


def test_pdfs_and_office_files_get_no_thumbnail(district, report):
    items = evidence.attach_evidence(
        report,
        [upload("通知.pdf", pdf_bytes()), upload("方案.docx", office_bytes("word/document.xml"))],
        actor=district.town_a,
    )
    assert [(i.kind, bool(i.thumbnail)) for i in items] == [("pdf", False), ("docx", False)]


def test_one_bad_file_rejects_the_whole_upload_and_nothing_is_stored(district, report):
    files = [upload("好照片.png", png_bytes()), upload("坏文件.jpg", b"MZ" + b"\x00" * 64)]
    with pytest.raises(ValidationError) as exc:
        evidence.attach_evidence(report, files, actor=district.town_a)
    assert "坏文件.jpg" in message_of(exc) and "好照片.png" not in message_of(exc)
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_files_stored_in_a_transaction_that_rolls_back_are_removed(district, report):
    with pytest.raises(RuntimeError), evidence.atomic_with_files():
        evidence.attach_evidence(report, [upload("照片.png", png_bytes())], actor=district.town_a)
        assert len(stored_files()) == 2  # the photo and its thumbnail
        raise RuntimeError("something after the files failed")
    assert stored_files() == []
    assert not Evidence.objects.exists()


def test_only_the_reporting_unit_attaches_evidence_and_only_to_a_draft(district, report):
    with pytest.raises(PermissionDenied):
        evidence.attach_evidence(report, [upload("a.png", png_bytes())], actor=district.town_b)
    with pytest.raises(PermissionDenied):
        evidence.attach_evidence(
            report, [upload("a.png", png_bytes())], actor=district.town_a_viewer
        )
    services.submit_report(report, actor=district.town_a)
    with pytest.raises(ValidationError):
        evidence.attach_evidence(report, [upload("a.png", png_bytes())], actor=district.town_a)
    assert not Evidence.objects.exists()


def test_removing_evidence_of_a_draft_deletes_the_row_and_its_files_after_commit(
    district, report, django_capture_on_commit_callbacks
):
    [item] = evidence.attach_evidence(report, [upload("a.png", png_bytes())], actor=district.town_a)
    with django_capture_on_commit_callbacks(execute=True):
        evidence.remove_evidence(item, actor=district.town_a)
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_evidence_of_a_submitted_report_cannot_be_removed(district, report):
    [item] = evidence.attach_evidence(report, [upload("a.png", png_bytes())], actor=district.town_a)
    services.submit_report(report, actor=district.town_a)
    with pytest.raises(ValidationError):
        evidence.remove_evidence(item, actor=district.town_a)
    assert Evidence.objects.filter(pk=item.pk).exists()


# Serving ------------------------------------------------------------------------------------


def test_the_download_carries_the_chinese_name_and_outsiders_get_404(client, district, report):
    [photo, pdf] = evidence.attach_evidence(
        report,
        [upload("现场 照片.png", png_bytes()), upload("培训签到表.pdf", pdf_bytes())],
        actor=district.town_a,
    )
    client.force_login(district.district)
    response = client.get(reverse("plans:evidence_download", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E5%9F%B9%E8%AE%AD%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf" in disposition
    assert b"".join(response.streaming_content) == pdf_bytes()
    response = client.get(reverse("plans:evidence_download", args=[photo.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "image/png"
    thumb = client.get(reverse("plans:evidence_thumbnail", args=[photo.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert client.get(reverse("plans:evidence_thumbnail", args=[pdf.pk])).status_code == 404
    for outsider in (district.town_b, district.department, district.enterprise):
        client.force_login(outsider)
        for name in ("plans:evidence_download", "plans:evidence_thumbnail"):
            assert client.get(reverse(name, args=[photo.pk])).status_code == 404


def test_evidence_is_never_exposed_under_a_public_media_url(client, district, report):
    [item] = evidence.attach_evidence(report, [upload("a.png", png_bytes())], actor=district.town_a)
    client.force_login(district.town_a)
    page = client.get(reverse("plans:assignment_detail", args=[report.assignment_id]))
    body = page.content.decode()
    assert reverse("plans:evidence_thumbnail", args=[item.pk]) in body
    assert item.file.name not in body and item.thumbnail.name not in body
    assert client.get("/media/" + item.file.name).status_code == 404


def test_the_delete_button_removes_a_draft_file_and_comes_back(client, district, report):
    [item] = evidence.attach_evidence(report, [upload("a.png", png_bytes())], actor=district.town_a)
    client.force_login(district.town_a_viewer)
    url = reverse("plans:evidence_delete", args=[item.pk])
    assert client.post(url).status_code == 403
    client.force_login(district.town_b)
    assert client.post(url).status_code == 404
    client.force_login(district.town_a)
    edit = reverse("plans:report_edit", args=[report.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == edit
    assert not Evidence.objects.filter(pk=item.pk).exists()
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
