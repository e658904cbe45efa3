"""Template context shared by every page: the navigation of the modules."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.core.permissions import is_district_admin

# (label, url name or None for a module still to come, icon). Later issues fill
# the None entries in as their apps land.
MODULES = [
    (_("首页"), "core:home", "house"),
    (_("单位"), "orgs:unit_list", "diagram-3"),
    (_("企业"), "orgs:enterprise_list", "buildings"),
    (_("计划任务"), "plans:plan_list", "list-check"),
    (_("宣传"), None, "megaphone"),
    (_("培训"), None, "mortarboard"),
    (_("持证"), "workforce:compliance_dashboard", "person-badge"),
    (_("考核通报"), None, "clipboard-data"),
    (_("评估"), None, "graph-up"),
]
# Modules that are the units' own work: an enterprise user has nothing there.
UNITS_ONLY = {"plans:plan_list"}


def navigation(request):
    items = []
    path = request.path
    user = getattr(request, "user", None)
    in_enterprise = bool(getattr(user, "enterprise_id", None))
    for label, url_name, icon in MODULES:
        if in_enterprise and url_name in UNITS_ONLY:
            continue
        try:
            url = reverse(url_name) if url_name else None
        except NoReverseMatch:
            url = None
        # A module is active on its own pages too (detail, edit…), home only on itself.
        active = bool(url) and (path == url if url == "/" else path.startswith(url))
        items.append({"label": label, "url": url, "icon": icon, "active": active})
    return {
        "nav_modules": items,
        "is_district_admin": is_district_admin(user),
        "unread_notifications": UnreadCount(user),
    }


class UnreadCount:
    """The navbar's unread badge: ONE indexed COUNT, run only if a template shows it."""

    def __init__(self, user):
        self.user = user
        self.value = None

    def __call__(self) -> int:
        if self.value is None:
            from xuanpei.notifications.services import unread_count

            authenticated = getattr(self.user, "is_authenticated", False)
            self.value = unread_count(self.user) if authenticated else 0
        return self.value
