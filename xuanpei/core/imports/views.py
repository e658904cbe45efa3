"""Generic import pages: upload → dry-run preview (per-row errors) → commit; the template download.

A domain view is a few attributes:

    class EnterpriseImportView(ObjectImportView):
        queryset = Enterprise.objects.all()
        importer_name = "enterprises"
        template_name = "orgs/enterprise_import.html"
        list_url_name = "orgs:enterprise_list"

Both steps run as `Job` rows (`core.imports.service`): a small file is answered
within the request, a large one with a progress bar that htmx polls.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from xuanpei.audit.context import request_address
from xuanpei.core.exports import xlsx_response
from xuanpei.core.imports.reader import ImportFileError
from xuanpei.core.imports.registry import get_importer
from xuanpei.core.imports.service import commit_import, start_import
from xuanpei.core.imports.template import write_template
from xuanpei.core.models import Job
from xuanpei.core.views import ScopedViewMixin
from xuanpei.core.views_jobs import job_context


class ObjectImportView(ScopedViewMixin, View):
    action = "import"
    importer_name = ""
    template_name = ""
    list_url_name = ""
    partial_template_name = "core/partials/import_job.html"

    # Hooks for pages whose import depends on the object they sit on (a plan's
    # task tables: the importer and its options come from the URL).
    def get_importer_name(self) -> str:
        return self.importer_name

    def get_import_options(self) -> dict | None:
        """Importer options kept with the preview and used again by its commit."""
        return None

    def get_page_url(self) -> str:
        return self.request.path

    def get_list_url(self) -> str:
        return reverse(self.list_url_name)

    def get(self, request, *args, **kwargs):
        return self.render(job=None)

    def post(self, request, *args, **kwargs):
        ui = {"page_url": self.get_page_url(), "list_url": self.get_list_url()}
        try:
            if request.POST.get("job"):
                preview = get_object_or_404(
                    Job, pk=request.POST["job"], user=request.user, kind="import"
                )
                if preview.params.get("importer") != self.get_importer_name() or (
                    preview.params.get("options") or {}
                ) != (self.get_import_options() or {}):
                    raise PermissionDenied
                job = commit_import(
                    preview=preview, user=request.user, remote_addr=request_address(request)
                )
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    return self.render(job=None, error=_("请选择要导入的文件"))
                job = start_import(
                    name=self.get_importer_name(),
                    upload=upload,
                    user=request.user,
                    remote_addr=request_address(request),
                    ui=ui,
                    # Kept with the preview; its commit writes nothing if any row is bad.
                    all_or_nothing=request.POST.get("all_or_nothing") == "1",
                    options=self.get_import_options(),
                )
        except ImportFileError as exc:
            return self.render(job=None, error=exc.message)
        return self.render(job=job)

    def render(self, *, job, error=""):
        importer = get_importer(self.get_importer_name())
        context = {
            "importer": importer,
            "columns": importer.columns,
            "error": error,
            "list_url": self.get_list_url(),
            **(job_context(job) if job else {}),
        }
        template = self.partial_template_name if self.is_htmx_partial() else self.template_name
        return TemplateResponse(self.request, template, context)


class ImportTemplateView(ScopedViewMixin, View):
    """The blank xlsx template of an importer (headers exactly as the importer reads them)."""

    action = "import"
    importer_name = ""

    def get_importer_name(self) -> str:
        return self.importer_name

    def get_import_options(self) -> dict | None:
        return None

    def get(self, request, *args, **kwargs):
        importer = get_importer(self.get_importer_name())(
            user=request.user, options=self.get_import_options()
        )
        filename = _("%(label)s导入模板.xlsx") % {"label": importer.label}
        return xlsx_response(lambda fh: write_template(importer, fh), filename)
