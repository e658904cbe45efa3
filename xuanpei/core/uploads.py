"""One checker for every uploaded photo and file (issue #4 §3, lifted to core in issue #11).

A file is accepted only when its content is what its name says: photos JPG/PNG,
PDF, DOCX and XLSX, recognised by their magic bytes (and, for Office files, by
the parts inside the zip), not by the extension alone. Each file is at most
`settings.EVIDENCE_MAX_MB` (or the limit the caller passes). Names are cleaned for
display (no path, no control or direction characters, a bounded length); a photo
gets a thumbnail while it is checked (the decode proves the image).

`check_file(upload, clean_photo=True)` also re-encodes a photo: EXIF and every other
metadata block (GPS location, camera serial) dropped after turning it upright, and a
photo whose longer side exceeds PHOTO_MAX_SIDE downscaled to it. The plans app's
evidence and the publicity ledger's photos both go through here; each app keeps its
own storage and use cases.

Nothing is half-written: `atomic_with_files()` opens a transaction and deletes
every file stored inside it when it rolls back (Django has no on-rollback hook,
so the files stored are tracked in a context variable; `remember_stored(name)`).
"""

from __future__ import annotations

import io
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from xuanpei.core.archives import ArchiveError, check_archive

IMAGE, PDF, DOCX, XLSX = "image", "pdf", "docx", "xlsx"
# Extension → the kind its content must be.
EXTENSIONS = {"jpg": IMAGE, "jpeg": IMAGE, "png": IMAGE, "pdf": PDF, "docx": DOCX, "xlsx": XLSX}
ACCEPT = ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"  # the file input's accept attribute
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The part an Office file of each kind must contain.
OFFICE_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
MAX_FILES_PER_UPLOAD = 20
MAX_NAME_LENGTH = 120
MAX_IMAGE_PIXELS = 80_000_000  # a 108-megapixel phone photo is refused, a 50 MP one is not
THUMBNAIL_SIZE = 480  # px, the longer side; shown at 240 px on high-density screens
PHOTO_MAX_SIDE = 2560  # px: a cleaned photo's longer side (a phone's 4000 px → 2560)
PHOTO_QUALITY = 85
_SNIFF_BYTES = 8192
# Directories of uploads held between a form and its confirmation (`register_held_dir`):
# a confirmation never made leaves its file there; `xuanpei cleanup` removes it after
# IMPORT_UPLOAD_RETENTION_HOURS, like an import upload never committed.
HELD_DIRS: list[str] = []
_WINDOWS_RESERVED = set('<>:"|?*')


def register_held_dir(directory: str) -> None:
    """Let an app name a directory of held uploads for the daily clean-up."""
    if directory not in HELD_DIRS:
        HELD_DIRS.append(directory)


def kind_label(kind: str) -> str:
    return {
        IMAGE: _("JPG/PNG 图片"),
        PDF: _("PDF 文件"),
        DOCX: _("Word 文档（DOCX）"),
        XLSX: _("Excel 表格（XLSX）"),
    }.get(kind, kind)


def max_bytes() -> int:
    """The size limit of one uploaded file (`EVIDENCE_MAX_MB`, every module's uploads)."""
    return int(getattr(settings, "EVIDENCE_MAX_MB", 20)) * 1024 * 1024


# Names ------------------------------------------------------------------------------


def clean_name(raw) -> str:
    """The name to show and to offer on download: the last path part of what the browser
    sent, without control, format or direction characters (U+202E can disguise
    `gpj.exe` as `exe.jpg`), Windows-reserved characters replaced, at most
    MAX_NAME_LENGTH characters with the extension kept."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        "_" if ch in _WINDOWS_RESERVED else ch
        for ch in name
        if unicodedata.category(ch)[0] != "C"  # Cc, Cf, Cs (lone surrogates), Co, Cn
    )
    name = name.strip(" .")
    if not name:
        name = _("未命名文件")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# Content checks -----------------------------------------------------------------------


@dataclass
class CheckedFile:
    """An upload whose content was recognised: what to store and how to show it."""

    upload: object
    name: str
    ext: str  # normalised: "jpg", "png", "pdf", "docx", "xlsx"
    kind: str
    size: int
    thumbnail: bytes | None = None  # a JPEG, made while checking (a decode proves the image)
    # The bytes to store instead of the upload (a cleaned photo); None: store the upload.
    content: bytes | None = None

    def open(self):
        """A readable file at its start: the cleaned bytes, or the upload itself."""
        if self.content is not None:
            return io.BytesIO(self.content)
        self.upload.seek(0)
        return self.upload


def _read_head_tail(upload, size: int) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(max(0, size - _SNIFF_BYTES))
    tail = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    return head, tail


def describe(head: bytes) -> str:
    """What the first bytes of a file look like, for the message when they are not allowed."""
    if head.startswith(b"MZ"):
        return _("Windows 可执行程序")
    if head.startswith(b"\x7fELF"):
        return _("可执行程序")
    if head.startswith(b"\xff\xd8\xff"):
        return _("JPG 图片")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _("PNG 图片")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("GIF 图片")
    if b"%PDF-" in head[:1024]:
        return _("PDF 文件")
    if head.startswith(b"PK\x03\x04"):
        return _("压缩包")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("旧版 Office 文件或加密文件")
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return _("压缩包")
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<?php", b"<script")):
        return _("网页或脚本")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return _("未知格式")
    return _("文本")


def _image_format(upload) -> tuple[str, int, int]:
    """Open and verify an image with Pillow; ("JPEG"|"PNG"|…, width, height)."""
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(upload) as img:
            fmt, (width, height) = img.format, img.size
            img.verify()
    upload.seek(0)
    return fmt, width, height


def _check_image(upload, name: str, head: bytes) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        ext = "jpg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        ext = "png"
    else:
        raise ValidationError(_mismatch(name, IMAGE, head))
    try:
        fmt, width, height = _image_format(upload)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            _("文件“%(name)s”的图片像素过多，请缩小后再上传") % {"name": name}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(_broken(name, IMAGE)) from None
    if fmt not in ("JPEG", "MPO", "PNG"):  # MPO: a JPEG with a second frame (some cameras)
        raise ValidationError(_mismatch(name, IMAGE, head))
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("文件“%(name)s”的图片尺寸过大（%(w)d×%(h)d 像素），请缩小后再上传")
            % {"name": name, "w": width, "h": height}
        )
    return ext


def _check_pdf(name: str, head: bytes, tail: bytes) -> None:
    if b"%PDF-" not in head[:1024]:
        raise ValidationError(_mismatch(name, PDF, head))
    if b"%%EOF" not in tail:
        raise ValidationError(_broken(name, PDF))


def _check_office(upload, name: str, kind: str, head: bytes) -> None:
    if not head.startswith(b"PK\x03\x04"):
        raise ValidationError(_mismatch(name, kind, head))
    upload.seek(0)
    try:
        check_archive(upload, name=name)  # a zip bomb, before anything unpacks it (issue #9)
    except ArchiveError as exc:
        raise ValidationError(exc.message) from None
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            types = archive.getinfo("[Content_Types].xml")
            if types.file_size > 1024 * 1024:
                raise zipfile.BadZipFile("oversized [Content_Types].xml")
            content_types = archive.read(types).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError):
        raise ValidationError(_broken(name, kind)) from None
    finally:
        upload.seek(0)
    if OFFICE_MAIN_PART[kind] not in names:
        other = next((k for k, part in OFFICE_MAIN_PART.items() if part in names), None)
        actual = kind_label(other) if other else _("压缩包")
        raise ValidationError(
            _("文件“%(name)s”的内容不是%(expected)s（实际为%(actual)s），请勿修改扩展名后上传")
            % {"name": name, "expected": kind_label(kind), "actual": actual}
        )
    if "macroEnabled" in content_types or any(n.endswith("vbaProject.bin") for n in names):
        raise ValidationError(
            _("文件“%(name)s”含有宏，不能上传；请另存为不含宏的文件") % {"name": name}
        )


def _mismatch(name: str, kind: str, head: bytes) -> str:
    return _("文件“%(name)s”的内容不是%(expected)s（实际为%(actual)s），请勿修改扩展名后上传") % {
        "name": name,
        "expected": kind_label(kind),
        "actual": describe(head),
    }


def _broken(name: str, kind: str) -> str:
    return _("文件“%(name)s”已损坏或不是有效的%(expected)s") % {
        "name": name,
        "expected": kind_label(kind),
    }


def check_file(upload, *, clean_photo: bool = False, limit: int | None = None) -> CheckedFile:
    """Check one upload; raise ValidationError with a Chinese message naming the file.

    `clean_photo`: re-encode a photo without its metadata (GPS location), downscaled to
    PHOTO_MAX_SIDE; `limit`: the size limit in bytes (default `max_bytes()`).
    """
    name = clean_name(getattr(upload, "name", ""))
    ext = extension(name)
    kind = EXTENSIONS.get(ext)
    if kind is None:
        raise ValidationError(
            _("文件“%(name)s”的类型不支持：只接受 JPG、PNG 照片和 PDF、DOCX、XLSX 文件")
            % {"name": name}
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件") % {"name": name})
    limit = limit or max_bytes()
    if size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size).1f MB，超过了 %(max)d MB 的上限")
            % {"name": name, "size": size / 1024 / 1024, "max": limit // 1024 // 1024}
        )
    head, tail = _read_head_tail(upload, size)
    thumbnail = content = None
    if kind == IMAGE:
        ext = _check_image(upload, name, head)
        try:
            thumbnail = make_thumbnail(upload)
            if clean_photo:
                content = clean_photo_bytes(upload, ext)
        except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError(_broken(name, IMAGE)) from None
    elif kind == PDF:
        _check_pdf(name, head, tail)
    else:
        _check_office(upload, name, kind, head)
    if content is not None:
        size = len(content)
    return CheckedFile(
        upload=upload,
        name=name,
        ext=ext,
        kind=kind,
        size=size,
        thumbnail=thumbnail,
        content=content,
    )


def check_files(
    uploads: Iterable, *, clean_photo: bool = False, limit: int | None = None
) -> list[CheckedFile]:
    """Check every upload; one ValidationError listing every bad file (nothing is stored)."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(
            _("一次最多上传 %(n)d 个文件，本次选择了 %(m)d 个")
            % {"n": MAX_FILES_PER_UPLOAD, "m": len(uploads)}
        )
    checked, errors = [], []
    for upload in uploads:
        if isinstance(upload, CheckedFile):
            checked.append(upload)
            continue
        try:
            checked.append(check_file(upload, clean_photo=clean_photo, limit=limit))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return checked


# Thumbnails ------------------------------------------------------------------------------


def make_thumbnail(upload) -> bytes:
    """A JPEG of at most THUMBNAIL_SIZE px, turned upright by its EXIF orientation."""
    upload.seek(0)
    with Image.open(upload) as img:
        img.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))  # JPEG: decode smaller
        upright = ImageOps.exif_transpose(img)
        if upright.mode in ("RGBA", "LA", "P", "PA"):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = upright.convert("RGB")
        flat.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        out = io.BytesIO()
        flat.save(out, "JPEG", quality=82, optimize=True)
    upload.seek(0)
    return out.getvalue()


def clean_photo_bytes(upload, ext: str) -> bytes:
    """The photo re-encoded without EXIF, XMP, comments or text chunks (a phone's GPS
    location goes), turned upright first, its longer side at most PHOTO_MAX_SIDE."""
    upload.seek(0)
    with Image.open(upload) as img:
        upright = ImageOps.exif_transpose(img)
        if max(upright.size) > PHOTO_MAX_SIDE:
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if ext == "png":
            # No info dict, so no tEXt/iTXt/eXIf chunks are written (transparency kept).
            fresh = upright.copy()
            keep = (
                {"transparency": upright.info["transparency"]}
                if "transparency" in upright.info
                else {}
            )
            fresh.info = keep
            fresh.save(out, "PNG", optimize=True)
        else:
            rgb = upright.convert("RGB") if upright.mode != "RGB" else upright
            rgb.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)  # no exif= → none
    upload.seek(0)
    return out.getvalue()


# Storage ------------------------------------------------------------------------------------

# Names stored inside the innermost open `atomic_with_files()` block.
_stored: ContextVar[list[str] | None] = ContextVar("xuanpei_uploads_stored", default=None)


def delete_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            with suppress(OSError):  # already gone: nothing to clean up
                default_storage.delete(name)


@contextmanager
def atomic_with_files(using=None) -> Iterator[None]:
    """`transaction.atomic()` that also deletes the files stored inside it if it rolls back.

    Nested blocks hand their files to the enclosing block on success, so a
    rollback of the outer block removes them too. (A plain `atomic()` around
    this one is not watched: open this one outermost.)
    """
    parent = _stored.get()
    mine: list[str] = []
    token = _stored.set(mine)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        delete_files(mine)
        raise
    finally:
        _stored.reset(token)
    if parent is not None:
        parent.extend(mine)


def store_checked(row, checked: CheckedFile):
    """Save a checked upload onto `row`'s `file` (and its thumbnail onto `thumbnail`)
    under generated names, remembered for `atomic_with_files()`, then save the row."""
    stem = uuid.uuid4().hex
    row.file.save(f"{stem}.{checked.ext}", ContentFile(checked.open().read()), save=False)
    remember_stored(row.file.name)
    if checked.thumbnail:
        row.thumbnail.save(f"{stem}.jpg", ContentFile(checked.thumbnail), save=False)
        remember_stored(row.thumbnail.name)
    row.save()
    return row


def remember_stored(name: str) -> None:
    """Note a file just stored inside `atomic_with_files()`: deleted if it rolls back."""
    pending = _stored.get()
    if pending is not None:
        pending.append(name)


def stored_file_response(item):
    """Serve a checked file (evidence, an activity's photo): images inline, the rest as download.

    `item` has `file`, `name` and `kind` as `check_file` gave them.
    """
    from xuanpei.core.files import file_response

    return file_response(
        item.file,
        filename=item.name,
        content_type=CONTENT_TYPES.get(extension(item.file.name), "application/octet-stream"),
        inline=item.kind == IMAGE,
    )


def thumbnail_response(item):
    """Serve the JPEG thumbnail of a checked photo, named after the photo."""
    from xuanpei.core.files import file_response

    stem = item.name.rpartition(".")[0] or item.name
    return file_response(
        item.thumbnail,
        filename=_("%(name)s-缩略图.jpg") % {"name": stem},
        content_type="image/jpeg",
        inline=True,
    )
