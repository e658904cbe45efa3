"""Pages of a background Job: its progress (polled by htmx) and its downloadable report.

A Job is its starter's own: anyone else gets a 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from xuanpei.core.exports import XLSX_CONTENT_TYPE
from xuanpei.core.jobs import live_progress
from xuanpei.core.models import Job

# Job kind → partial that shows its finished state; running jobs show job_progress.html.
RESULT_TEMPLATES = {"import": "core/partials/import_result.html"}


def job_context(job: Job) -> dict:
    done, total = live_progress(job)
    running = job.status in (Job.Status.PENDING, Job.Status.RUNNING)
    percent = min(100, int(done * 100 / total)) if total else (0 if running else 100)
    return {
        "job": job,
        "running": running,
        "done": done,
        "total": total,
        "percent": percent,
        "result": job.result or {},
        "ui": job.params.get("ui", {}),
        "result_template": RESULT_TEMPLATES.get(job.kind, "core/partials/job_result.html"),
    }


def _own_job(request, pk) -> Job:
    return get_object_or_404(Job, pk=pk, user=request.user)


class JobStatusView(LoginRequiredMixin, View):
    """htmx polls this every second while the job runs; then it answers the result partial."""

    def get(self, request, pk):
        job = _own_job(request, pk)
        htmx = getattr(request, "htmx", None)
        template = "core/partials/job.html" if htmx and not htmx.boosted else "core/job_detail.html"
        return TemplateResponse(request, template, job_context(job))


class JobReportView(LoginRequiredMixin, View):
    """The xlsx error report a finished import wrote."""

    def get(self, request, pk):
        job = _own_job(request, pk)
        name = (job.result or {}).get("report")
        if not name or not default_storage.exists(name):
            raise Http404
        return FileResponse(
            default_storage.open(name, "rb"),
            as_attachment=True,
            filename=_("导入错误报告-%(pk)s.xlsx") % {"pk": job.pk},
            content_type=XLSX_CONTENT_TYPE,
        )
