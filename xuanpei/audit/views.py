"""The audit log page: district admins browse every recorded create, update and delete."""

from auditlog.models import LogEntry
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.audit.display import change_rows, related_names
from xuanpei.audit.filters import ACTION_LABELS, LogEntryFilterSet
from xuanpei.core.permissions import is_district_admin


class DistrictAdminRequiredMixin(LoginRequiredMixin):
    """The log spans the whole district, so only the district (区安委办) reads it; others get 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_district_admin(request.user):
            raise PermissionDenied(_("只有区安委办管理员可以查看审计日志"))
        return super().dispatch(request, *args, **kwargs)


class LogEntryListView(DistrictAdminRequiredMixin, generic.ListView):
    template_name = "audit/logentry_list.html"
    paginate_by = 25

    def get_queryset(self):
        qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
        self.filterset = LogEntryFilterSet(
            self.request.GET or None, queryset=qs, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        names = related_names(ctx["object_list"])
        ctx["entries"] = [
            {
                "entry": entry,
                "action_label": ACTION_LABELS.get(entry.action, entry.action),
                "model_label": _model_label(entry),
                "changes": change_rows(entry, names),
            }
            for entry in ctx["object_list"]
        ]
        ctx["filterset"] = self.filterset
        return ctx


def _model_label(entry) -> str:
    model = entry.content_type.model_class() if entry.content_type_id else None
    return str(model._meta.verbose_name) if model else entry.content_type.model
