"""Pages for units and enterprises (placeholders; being written)."""

from xuanpei.core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from xuanpei.orgs.models import Enterprise, Unit


class UnitTreeView(ObjectListView):
    queryset = Unit.objects.all()


class UnitDetailView(ObjectDetailView):
    queryset = Unit.objects.all()


class EnterpriseListView(ObjectListView):
    queryset = Enterprise.objects.all()


class EnterpriseAutocompleteView(ObjectListView):
    queryset = Enterprise.objects.all()


class EnterpriseDetailView(ObjectDetailView):
    queryset = Enterprise.objects.all()


class EnterpriseCreateView(ObjectCreateView):
    queryset = Enterprise.objects.all()


class EnterpriseUpdateView(ObjectUpdateView):
    queryset = Enterprise.objects.all()


class EnterpriseCloseView(ObjectUpdateView):
    queryset = Enterprise.objects.all()
