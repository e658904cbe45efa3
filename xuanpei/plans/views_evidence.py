"""Evidence files of progress reports: download, thumbnail, removal from a draft.

Each file is reached through `Evidence.objects.for_user` (an outsider gets 404) and
served by `core.files.file_response`, never from a public address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.core import uploads
from xuanpei.core.views import ScopedViewMixin
from xuanpei.plans import evidence, services
from xuanpei.plans.models import Evidence
from xuanpei.plans.views_reports import done


class EvidenceDownloadView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """An evidence file under its original name; photos open in the browser, others download."""

    queryset = Evidence.objects.all()
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        return uploads.stored_file_response(self.get_object())


class EvidenceThumbnailView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """The JPEG thumbnail of a photo."""

    queryset = Evidence.objects.all()
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        return uploads.thumbnail_response(self.get_object())


class EvidenceDeleteView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """POST: remove an evidence file from a draft or returned report."""

    action = "change"
    queryset = Evidence.objects.select_related("report__assignment")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        item = self.get_object()
        report = item.report
        if not services.can_report(request.user, report.assignment):
            raise PermissionDenied(_("您没有权限执行此操作"))
        try:
            evidence.remove_evidence(item, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除佐证材料“%(name)s”") % {"name": item.name})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("plans:report_edit", args=[report.pk])
        return done(request, target)
