"""Pages of a background Job: its progress (polled by htmx), its downloadable report and,
for an import, the pages of its bad rows and field changes.

A Job is its starter's own: anyone else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from xuanpei.core.exports import XLSX_CONTENT_TYPE
from xuanpei.core.jobs import fail_stale_jobs, is_stale, live_progress, start_job
from xuanpei.core.models import Job

# Job kind → partial that shows its finished state; running jobs show job_progress.html.
RESULT_TEMPLATES = {"import": "core/partials/import_result.html"}
# A cell this short (a code, a name, a date) stays on one line; longer text wraps.
SHORT_CELL = 24
# An import preview's pages: bad rows as in the file, and field changes.
PAGE_SIZES = {"errors": 20, "changes": 50}
PAGE_TEMPLATES = {
    "errors": "core/partials/import_error_rows.html",
    "changes": "core/partials/import_changes.html",
}


def follow_job(request, kind: str, params: dict, *, ui: dict, back: str) -> HttpResponseRedirect:
    """Start a background job for a page: its job page shows the progress (`ui`: label and
    unit) and forwards to what the job made (a result with `url` + `forward`). A job
    already finished (the synchronous runner) goes straight there; one that failed at
    once goes `back` with its message."""
    job = start_job(kind=kind, user=request.user, params={**params, "ui": ui})
    if job.status == Job.Status.DONE and job.result.get("url"):
        messages.success(request, job.result.get("message") or _("任务已完成"))
        return HttpResponseRedirect(job.result["url"])
    if job.status == Job.Status.FAILED:
        messages.error(request, job.error)
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))


def import_page(job: Job, what: str, number=1, detail: dict | None = None) -> dict:
    """One page of an import's stored bad rows or changes (`service.load_detail`)."""
    from xuanpei.core.imports.service import load_detail

    detail = load_detail(job) if detail is None else detail
    items = detail["rows"] if what == "errors" else detail["changes"]
    page = Paginator(items, PAGE_SIZES[what]).get_page(number)
    if what == "errors":
        # Each cell with its reason (or ""), so the template needs no dict look-ups.
        page.object_list = [
            {
                "row": r["row"],
                "cells": [
                    (v, r["marks"].get(str(i), ""), len(v) <= SHORT_CELL)
                    for i, v in enumerate(r["cells"])
                ],
                "reasons": r["reasons"],
            }
            for r in page.object_list
        ]
    return {
        "page": page,
        "items": page.object_list,
        "header": detail["header"],
        "what": what,
        "job": job,
    }


def job_context(job: Job) -> dict:
    done, total = live_progress(job)
    running = job.status in (Job.Status.PENDING, Job.Status.RUNNING)
    percent = min(100, int(done * 100 / total)) if total else (0 if running else 100)
    context = {
        "job": job,
        "running": running,
        "done": done,
        "total": total,
        "percent": percent,
        "result": job.result or {},
        "ui": job.params.get("ui", {}),
        "result_template": RESULT_TEMPLATES.get(job.kind, "core/partials/job_result.html"),
    }
    result = job.result or {}
    # An all-or-nothing file with a bad row would write nothing: no button to try.
    context["can_commit"] = bool(result.get("accepted")) and not (
        result.get("rejected") and _all_or_nothing(job)
    )
    if job.kind == "import" and not running and result.get("detail"):
        from xuanpei.core.imports.service import load_detail

        detail = load_detail(job)
        context["error_rows"] = import_page(job, "errors", detail=detail)
        context["change_rows"] = import_page(job, "changes", detail=detail)
    return context


def _all_or_nothing(job: Job) -> bool:
    from xuanpei.core.imports.registry import get_importer

    if job.params.get("all_or_nothing"):
        return True
    try:
        return get_importer(job.params.get("importer", "")).all_or_nothing
    except KeyError:
        return False


def _own_job(request, pk) -> Job:
    return get_object_or_404(Job, pk=pk, user=request.user)


class JobStatusView(LoginRequiredMixin, View):
    """htmx polls this every second while the job runs; then it answers the result partial
    (which has no hx-trigger: polling stops at a terminal state)."""

    def get(self, request, pk):
        job = _own_job(request, pk)
        if is_stale(job):  # its worker died (a restart mid-import): say so, stop polling
            fail_stale_jobs([job])
            job.refresh_from_db()
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            request.session_poll = True  # the progress refresh does not renew the idle session
        template = "core/partials/job.html" if htmx and not htmx.boosted else "core/job_detail.html"
        response = TemplateResponse(request, template, job_context(job))
        result = job.result or {}
        url = str(result.get("url") or "")
        if (
            htmx
            and job.status == Job.Status.DONE
            and result.get("forward")
            and url.startswith("/")
            and not url.startswith("//")
        ):
            # The poll that sees the job finish takes the page to what it made.
            response["HX-Redirect"] = url
        return response


class JobRowsView(LoginRequiredMixin, View):
    """A page of a finished import's bad rows (?what=errors) or changes (?what=changes).

    Thousands of errors are paged over the job's stored detail, never rendered at once.
    """

    def get(self, request, pk):
        job = _own_job(request, pk)
        what = request.GET.get("what", "errors")
        if job.kind != "import" or what not in PAGE_SIZES:
            raise Http404
        context = import_page(job, what, request.GET.get("page", 1))
        return TemplateResponse(request, PAGE_TEMPLATES[what], context)


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
            filename=(
                _("导入错误报告-%(pk)s.xlsx")
                if job.result.get("errors_total")
                else _("导入变更明细-%(pk)s.xlsx")
            )
            % {"pk": job.pk},
            content_type=XLSX_CONTENT_TYPE,
        )
