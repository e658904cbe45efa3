"""Import/export pages for enterprises (placeholders; being written)."""

from xuanpei.core.views import ObjectListView
from xuanpei.orgs.models import Enterprise


class EnterpriseExportView(ObjectListView):
    action = "export"
    queryset = Enterprise.objects.all()


class EnterpriseImportView(ObjectListView):
    action = "import"
    queryset = Enterprise.objects.all()


class EnterpriseTemplateView(ObjectListView):
    action = "import"
    queryset = Enterprise.objects.all()
