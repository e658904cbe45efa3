"""一期一档 downloads (issue #12 §4): a session's archive zip and its printable sign-in sheet.

The session is reached through `TrainingSession.objects.for_user(user, "export")`
(ScopedViewMixin): a role without the export grant is refused (403), a session
outside the user's scope is a 404, as for every object.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.core.views import ScopedViewMixin
from xuanpei.training import archive
from xuanpei.training.archive import archive_filename, build_archive
from xuanpei.training.models import TrainingSession
from xuanpei.training.signin_sheet import PDF_CONTENT_TYPE, sheet_filename, signin_sheet_pdf

_SESSIONS = TrainingSession.objects.select_related("unit", "enterprise", "task", "institution")


class SessionArchiveView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """GET: the session's 一期一档 zip, built into a temporary file and streamed."""

    action = "export"
    queryset = _SESSIONS
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        session = self.get_object()
        tmp = build_archive(session, user=request.user)
        response = FileResponse(
            tmp,
            as_attachment=True,
            filename=archive_filename(session),
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class SessionSigninSheetView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """GET: the sign-in sheet as PDF, opened in the browser for printing."""

    action = "export"
    queryset = _SESSIONS
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        session = self.get_object()
        pdf = signin_sheet_pdf(session, user=request.user)
        if pdf is None:
            messages.warning(
                request,
                _("本期培训超过%(n)d人，签到表分为多个文件，请下载“一期一档”压缩包打印")
                % {"n": archive.ROWS_PER_SHEET},
            )
            return redirect(reverse("training:session_detail", args=[session.pk]))
        response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=sheet_filename(session)
        )
        response["Cache-Control"] = "private, no-store"
        return response
