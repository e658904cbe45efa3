"""The notification inbox: the messages of the user's unit or enterprise, unread first.

Marking read is allowed to every role that may view the inbox (a 只读 user reads
it too): it records that the office has seen a message, not a change to domain
data. Every query goes through `for_user`, so a foreign message is a 404.
"""

from django.contrib import messages
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.views import ObjectListView, ScopedViewMixin
from xuanpei.notifications import services
from xuanpei.notifications.models import Notification, NotificationLevel


def _wants_subtree(request) -> bool:
    return request.GET.get("scope") == "subtree" or request.POST.get("scope") == "subtree"


class NotificationListView(ObjectListView):
    queryset = Notification.objects.select_related("unit", "enterprise")
    template_name = "notifications/notification_list.html"
    partial_template_name = "notifications/notification_table.html"
    paginate_by = 20

    def get_queryset(self):
        user = self.request.user
        self.filterset = None
        self.subtree = _wants_subtree(self.request) and services.can_see_subtree(user)
        qs = services.inbox(user, subtree=self.subtree).select_related("unit", "enterprise")
        status = self.request.GET.get("status")
        if status == "unread":
            qs = qs.filter(read_at__isnull=True)
        level = self.request.GET.get("level")
        if level in NotificationLevel.values:
            qs = qs.filter(level=level)
        q = (self.request.GET.get("q") or "").strip()
        if q:
            qs = qs.filter(title__icontains=q)
        # Unread first (NULL read_at first on both databases), then the most urgent — the
        # nearest due date — so a 6-day reminder never sits below a 53-day one; then newest.
        return qs.order_by(
            F("read_at").desc(nulls_first=True),
            F("due_date").asc(nulls_last=True),
            "-created_at",
            "-pk",
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["subtree"] = self.subtree
        ctx["can_subtree"] = services.can_see_subtree(user)
        ctx["inbox_name"] = services.scope_label(user)
        ctx["status"] = self.request.GET.get("status", "")
        ctx["level"] = self.request.GET.get("level", "")
        ctx["q"] = self.request.GET.get("q", "")
        ctx["levels"] = NotificationLevel.choices
        return ctx


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("notifications:notification_list")


class NotificationReadView(ScopedViewMixin, generic.View):
    """POST: mark one message read, then go to its link (or back to the inbox)."""

    queryset = Notification.objects.all()
    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        subtree = services.can_see_subtree(user)
        notification = get_object_or_404(services.inbox(user, subtree=subtree), pk=pk)
        services.mark_read(notification, user=user)
        if request.POST.get("open") and notification.url.startswith("/"):
            target = notification.url
        else:
            target = _back(request)
        if getattr(request, "htmx", None):
            response = HttpResponse(status=204)
            response["HX-Location"] = target
            return response
        return HttpResponseRedirect(target)


class NotificationReadAllView(ScopedViewMixin, generic.View):
    """POST: mark every unread message of the inbox (or, for admins, the subtree) read."""

    queryset = Notification.objects.all()
    http_method_names = ["post"]

    def post(self, request):
        n = services.mark_all_read(user=request.user, subtree=_wants_subtree(request))
        messages.success(request, _("已将%(n)d条消息标为已读") % {"n": n})
        return HttpResponseRedirect(_back(request))
