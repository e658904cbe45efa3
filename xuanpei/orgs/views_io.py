"""Enterprise import, export and template pages (issue #2 point 8).

The machinery is generic (`core.imports`, `core.exports`); these classes only
name the queryset, the filterset, the importer and the templates.
"""

from xuanpei.core.exports import ObjectExportView
from xuanpei.core.imports.views import ImportTemplateView, ObjectImportView
from xuanpei.orgs import views
from xuanpei.orgs.filters import EnterpriseFilterSet
from xuanpei.orgs.models import Enterprise


class EnterpriseExportView(ObjectExportView):
    """The list page's rows — same scope, filters and sort — as the import template's columns."""

    # The list's own queryset, so its sort annotations (risk rank) exist here too.
    # `is None`, not `or`: a queryset's truth value runs it, at import time, before migrate.
    queryset = (
        Enterprise.objects.all()
        if getattr(views.EnterpriseListView, "queryset", None) is None
        else views.EnterpriseListView.queryset
    )
    filterset_class = EnterpriseFilterSet
    ordering_fields = views.EnterpriseListView.ordering_fields
    default_ordering = views.EnterpriseListView.default_ordering
    exporter_name = "enterprises"


class EnterpriseImportView(ObjectImportView):
    queryset = Enterprise.objects.all()
    importer_name = "enterprises"
    template_name = "orgs/enterprise_import.html"
    list_url_name = "orgs:enterprise_list"


class EnterpriseTemplateView(ImportTemplateView):
    queryset = Enterprise.objects.all()
    importer_name = "enterprises"
