"""Run an import from a command, a page or a background Job (style.md §13).

Pages store the upload, then run a dry run (the preview) and, on confirmation,
the commit of the same stored file — both as `Job` rows, so a large file gets a
progress bar and a small one is answered at once.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from xuanpei.core.imports.reader import ImportFileError, check_upload
from xuanpei.core.imports.registry import get_importer
from xuanpei.core.imports.report import ReportSource, write_error_report
from xuanpei.core.imports.result import ImportResult
from xuanpei.core.jobs import JobError, start_job
from xuanpei.core.models import Job

# A preview (validation only) of a file up to this size runs within the request;
# larger files go to a background job with a progress bar.
INLINE_MAX_BYTES = 256 * 1024
# A commit that writes up to this many rows runs within the request. Writes are
# row by row through the services (batch rows, scope re-check), ~20–30 ms a row.
INLINE_MAX_WRITES = 100


def run_import(
    name: str,
    data,
    *,
    filename: str,
    user=None,
    dry_run: bool = False,
    progress=None,
    remote_addr: str | None = None,
    all_or_nothing: bool = False,
    options: dict | None = None,
    max_bytes: int | None = None,
) -> ImportResult:
    """Import `data` (bytes or a path) with the importer registered as `name`.

    Raises ImportFileError. `options` are importer-specific (the roster's
    "enterprise"); `max_bytes=0` lifts the upload size limit (the CLI).
    """
    importer = get_importer(name)(user=user, remote_addr=remote_addr, options=options)
    return importer.run(
        data,
        filename=filename,
        dry_run=dry_run,
        progress=progress,
        all_or_nothing=all_or_nothing,
        max_bytes=max_bytes,
    )


def store_upload(upload) -> str:
    """Check the upload's type and size, save it out of the web root; returns its storage name."""
    suffix = check_upload(upload.name, upload.size)
    return default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)


def _inline(size: int) -> bool:
    return size <= getattr(settings, "IMPORT_INLINE_MAX_BYTES", INLINE_MAX_BYTES)


def start_import(
    *,
    name: str,
    upload,
    user,
    remote_addr: str | None = None,
    ui: dict | None = None,
    all_or_nothing: bool = False,
    options: dict | None = None,
) -> Job:
    """Store an uploaded file and start its dry run (the preview).

    `ui` holds what the result page needs to link back (page_url, list_url).
    `all_or_nothing` and `options` are kept for the commit of the same file.
    """
    get_importer(name)(user=user, options=options)  # PermissionDenied before storing
    path = store_upload(upload)
    params = {
        "importer": name,
        "path": path,
        "filename": PurePath(upload.name).name,
        "dry_run": True,
        "remote_addr": remote_addr,
        "ui": ui or {},
        "all_or_nothing": all_or_nothing,
        "options": options or {},
    }
    return start_job(kind="import", user=user, params=params, inline=_inline(upload.size))


def commit_import(*, preview: Job, user, remote_addr: str | None = None) -> Job:
    """Commit the file a finished preview checked. The preview must be the user's own."""
    params = preview.params
    if (
        preview.user_id != user.pk
        or preview.kind != "import"
        or not params.get("dry_run")
        or preview.status != Job.Status.DONE
    ):
        raise PermissionDenied
    if not default_storage.exists(params["path"]):
        raise ImportFileError(_("上传的文件已过期，请重新上传"))
    size = default_storage.size(params["path"])
    writes = preview.result.get("created", 0) + preview.result.get("updated", 0)
    inline = _inline(size) and writes <= getattr(
        settings, "IMPORT_INLINE_MAX_WRITES", INLINE_MAX_WRITES
    )
    params = {**params, "dry_run": False, "remote_addr": remote_addr, "preview": preview.pk}
    return start_job(kind="import", user=user, params=params, inline=inline)


def report_name(job: Job) -> str:
    return f"imports/reports/job-{job.pk}.xlsx"


def detail_name(job: Job) -> str:
    """The bad rows and changes the preview pages through (JSON, next to the report)."""
    return f"imports/reports/job-{job.pk}.json"


def load_detail(job: Job) -> dict:
    """What `run_import_job` kept for the preview's pages; empty when there is none."""
    name = (job.result or {}).get("detail")
    if not name or not default_storage.exists(name):
        return {"header": [], "rows": [], "changes": []}
    with default_storage.open(name, "rb") as fh:
        return json.loads(fh.read())


def run_import_job(job: Job, progress) -> dict:
    """Job handler for kind "import": the summary goes to Job.result, the report to storage."""
    params = job.params
    if not default_storage.exists(params["path"]):
        raise JobError(_("上传的文件已过期，请重新上传"))
    try:
        # A local file is streamed from its path; other storages hand over bytes.
        data = default_storage.path(params["path"])
    except NotImplementedError:
        with default_storage.open(params["path"], "rb") as fh:
            data = fh.read()
    try:
        result = run_import(
            params["importer"],
            data,
            filename=params["filename"],
            user=job.user,
            dry_run=params["dry_run"],
            progress=progress,
            remote_addr=params.get("remote_addr"),
            all_or_nothing=params.get("all_or_nothing", False),
            options=params.get("options"),
        )
    except ImportFileError as exc:
        raise JobError(exc.message) from exc
    summary = result.to_dict()
    summary["report"] = summary["detail"] = ""
    if result.errors or result.changes:
        buffer = io.BytesIO()
        columns = get_importer(params["importer"]).columns
        detail = write_error_report(
            result.errors,
            buffer,
            changes=result.changes,
            source=ReportSource(data, params["filename"], columns),
        )
        summary["report"] = default_storage.save(report_name(job), ContentFile(buffer.getvalue()))
        summary["detail"] = default_storage.save(
            detail_name(job), ContentFile(json.dumps(detail, ensure_ascii=False).encode())
        )
        summary["error_rows"] = len(detail["rows"])
    if not params["dry_run"] and not result.error:
        default_storage.delete(params["path"])  # committed: the upload is no longer needed
    return summary
