"""Evidence files of progress reports (issue #4 §3): checks, storage, thumbnails.

The checks are core's shared file checker (`xuanpei.core.uploads`, issue #11: one
checker for every module): content by magic bytes and zip members, the size limit
`settings.EVIDENCE_MAX_MB`, cleaned names, thumbnails. This module keeps what is the
plans app's own: storing evidence on a report and the use cases. Files are stored
under generated names below MEDIA_ROOT, outside the web root, and served only by the
scoped views in `views_evidence.py`.

Nothing is half-written: `atomic_with_files()` (core) opens a transaction and
deletes every file stored inside it when it rolls back. A view that saves a report
and its files opens one `atomic_with_files()` around both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.core.uploads import (  # noqa: F401  (re-exported: callers and tests use them)
    ACCEPT,
    CONTENT_TYPES,
    DOCX,
    EXTENSIONS,
    IMAGE,
    MAX_FILES_PER_UPLOAD,
    MAX_IMAGE_PIXELS,
    MAX_NAME_LENGTH,
    PDF,
    THUMBNAIL_SIZE,
    XLSX,
    CheckedFile,
    atomic_with_files,
    check_file,
    check_files,
    clean_name,
    delete_files,
    describe,
    extension,
    kind_label,
    make_thumbnail,
    max_bytes,
    remember_stored,
)
from xuanpei.plans import services
from xuanpei.plans.models import Evidence, ProgressReport

MAX_FILES_PER_REPORT = 50


def _store(report: ProgressReport, checked: CheckedFile, actor) -> Evidence:
    evidence = Evidence(
        report=report, name=checked.name, kind=checked.kind, size=checked.size, created_by=actor
    )
    stem = uuid.uuid4().hex
    checked.upload.seek(0)
    evidence.file.save(f"{stem}.{checked.ext}", checked.upload, save=False)
    remember_stored(evidence.file.name)
    if checked.thumbnail:
        evidence.thumbnail.save(f"{stem}.jpg", ContentFile(checked.thumbnail), save=False)
        remember_stored(evidence.thumbnail.name)
    evidence.save()
    return evidence


def attach_evidence(report: ProgressReport, files: Iterable, *, actor) -> list[Evidence]:
    """Check and store evidence files on an editable report of an assignment `actor` reports on.

    Every file is checked before any is stored: one bad file rejects the lot.
    """
    if not services.can_report(actor, report.assignment):
        raise PermissionDenied(_("您没有权限执行此操作"))
    if not report.editable:
        raise ValidationError(_("已提交或已验收的报告不能再添加佐证材料"))
    checked = check_files(files)
    if not checked:
        return []
    present = report.evidence.count() if report.pk else 0
    if present + len(checked) > MAX_FILES_PER_REPORT:
        raise ValidationError(
            _("每份报告最多 %(n)d 个佐证材料，已有 %(m)d 个")
            % {"n": MAX_FILES_PER_REPORT, "m": present}
        )
    with atomic_with_files():
        return [_store(report, c, actor) for c in checked]


def remove_evidence(evidence: Evidence, *, actor) -> None:
    """Delete an evidence file of a draft (or returned) report; the file goes after commit."""
    report = evidence.report
    if not services.can_report(actor, report.assignment):
        raise PermissionDenied(_("您没有权限执行此操作"))
    if not report.editable:
        raise ValidationError(_("已提交或已验收的报告不能删除佐证材料"))
    names = [evidence.file.name, evidence.thumbnail.name]
    with transaction.atomic():
        evidence.delete()
        transaction.on_commit(lambda: delete_files(names))
