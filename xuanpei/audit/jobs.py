"""The revert of a large import batch as a background Job (kind "batch_revert").

Registered with `core.jobs` in `AuditConfig.ready()`; the job page
(`core:job_detail`) polls it and then shows `audit/partials/revert_job_result.html`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from xuanpei.audit.models import ImportBatch
from xuanpei.core.jobs import JobError


def run_revert_job(job, progress) -> dict:
    """Revert `job.params["batch"]` as `job.user`; a refusal is the job's Chinese error."""
    from xuanpei.audit.services import RevertRefused, revert_batch

    batch = (
        ImportBatch.objects.all()
        .for_user(job.user, "change")
        .filter(pk=job.params["batch"])
        .first()
    )
    if batch is None:
        raise PermissionDenied
    progress(0, 1)
    try:
        revert = revert_batch(batch, actor=job.user, reason=job.params.get("reason", ""))
    except RevertRefused as exc:
        raise JobError(exc.message) from exc
    progress(1, 1)
    return {"batch": batch.pk, "revert_batch": revert.pk}
