"""A plan's attachment tables as xlsx (issue #4 §4): export, import, blank template.

URLs sit on the plan (`/plans/<pk>/tasks/export/?table=publicity|training`); the
table is `?table=` (publicity by default). Exporting a table is reading the plan,
so it follows the plan's read scope (an issued district plan is exported by every
unit below the district); importing changes the plan, so it needs the import grant,
the plan in the user's import scope and `services.can_manage`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.views import View

from xuanpei.core.exports import xlsx_response
from xuanpei.core.imports.views import ImportTemplateView, ObjectImportView
from xuanpei.core.views import ScopedViewMixin
from xuanpei.plans import services
from xuanpei.plans.importers import EXPORTERS, IMPORTERS
from xuanpei.plans.models import Plan
from xuanpei.plans.tables import TABLES, table_for


def plan_url(plan: Plan) -> str:
    """The plan's page; the import page itself until the plan pages exist."""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return reverse("plans:task_import", args=[plan.pk])


class TableMixin:
    def get_table(self):
        try:
            return table_for(self.request.GET.get("table"))
        except ValueError:
            raise Http404 from None


class ManagedPlanMixin(TableMixin):
    """The plan of the URL, in the user's import scope and theirs to change; else 404/403."""

    def load_plan(self, pk) -> None:
        self.plan = get_object_or_404(self.queryset.select_related("unit"), pk=pk)
        if not services.can_manage(self.request.user, self.plan):
            raise PermissionDenied
        self.table = self.get_table()

    def get_importer_name(self) -> str:
        return IMPORTERS[self.table.key].name

    def get_import_options(self) -> dict:
        return {"plan": self.plan.pk}


class TaskExportView(TableMixin, ScopedViewMixin, View):
    """附件1/附件2 of a plan in the attachment's layout."""

    queryset = Plan.objects.all()
    action = "export"

    def get(self, request, pk):
        # Exporting reads the plan: its read scope, as the plan's own page (SCOPE_SHARED_DOWN).
        plan = get_object_or_404(Plan.objects.for_user(request.user, "view"), pk=pk)
        exporter = EXPORTERS[self.get_table().key](user=request.user, options={"plan": plan.pk})
        qs = exporter.queryset()
        return xlsx_response(lambda fh: exporter.write(qs, fh), exporter.filename())


class TaskImportView(ManagedPlanMixin, ObjectImportView):
    """Upload a filled table → preview (per-row errors) → commit, all rows or none."""

    queryset = Plan.objects.all()
    template_name = "plans/io_task_import.html"
    partial_template_name = "core/partials/import_job.html"

    def get(self, request, pk):
        self.load_plan(pk)
        return super().get(request)

    def post(self, request, pk):
        self.load_plan(pk)
        return super().post(request)

    def get_page_url(self) -> str:
        return f"{self.request.path}?table={self.table.key}"

    def get_list_url(self) -> str:
        return plan_url(self.plan)

    def render(self, *, job, error=""):
        response = super().render(job=job, error=error)
        response.context_data.update(
            plan=self.plan,
            table=self.table,
            tables=TABLES.values(),
            plan_url=plan_url(self.plan),
        )
        return response


class TaskImportTemplateView(ManagedPlanMixin, ImportTemplateView):
    """The blank table with its 填写说明 sheet."""

    queryset = Plan.objects.all()

    def get(self, request, pk):
        self.load_plan(pk)
        return super().get(request)
