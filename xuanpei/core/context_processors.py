"""Template context shared by every page: the navigation of the modules.

The menu is data (`MENU`): a module and its entries, each naming its page and
what the user needs to open it — a model and an action (asked of
`core.scoping.reaches`: the role's grant and a scope that can hold such rows)
or, for a page with its own rule, a predicate given by dotted path (core knows
no domain app). An entry the user cannot use is not shown (issue #8 §4); every
list and import page a role may use is reachable from here or from a page
linked here (issue #8 §3, `tests/test_navigation.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from xuanpei.core.permissions import is_district_admin
from xuanpei.core.scoping import reaches


@dataclass(frozen=True)
class Nav:
    """One menu entry; with `children` a module whose entries open as a drop-down."""

    label: str
    url_name: str | None  # None: a module still to come (shown disabled)
    icon: str = ""
    model: str | None = None  # "app_label.Model": shown when the user's scope reaches it
    action: str = "view"
    check: str | None = None  # dotted path of `predicate(user) -> bool`, for own rules
    children: tuple[Nav, ...] = ()

    def allows(self, user) -> bool:
        if self.check is not None:
            return bool(import_string(self.check)(user))
        if self.model is not None:
            return reaches(user, apps.get_model(self.model), self.action)
        return True


MENU: tuple[Nav, ...] = (
    Nav(_("首页"), "core:home", "house"),
    Nav(_("单位"), "orgs:unit_list", "diagram-3", model="orgs.Unit"),
    Nav(
        _("企业"),
        "orgs:enterprise_list",
        "buildings",
        model="orgs.Enterprise",
        children=(
            Nav(_("企业名录"), "orgs:enterprise_list", "list-ul", model="orgs.Enterprise"),
            Nav(
                _("新增企业"),
                "orgs:enterprise_add",
                "plus-lg",
                model="orgs.Enterprise",
                action="add",
            ),
            Nav(
                _("导入企业"),
                "orgs:enterprise_import",
                "upload",
                model="orgs.Enterprise",
                action="import",
            ),
        ),
    ),
    Nav(
        _("计划任务"),
        "plans:plan_list",
        "list-check",
        model="plans.Plan",
        children=(
            Nav(_("年度计划"), "plans:plan_list", "journal-text", model="plans.Plan"),
            Nav(_("我的任务"), "plans:inbox", "inbox", model="plans.Assignment"),
            Nav(
                _("待审核报告"),
                "plans:report_queue",
                "clipboard-check",
                model="plans.Plan",
                action="change",
            ),
        ),
    ),
    Nav(
        _("宣传"),
        # The ledger, not the calendar: enterprise accounts open it too.
        "publicity:activity_list",
        "megaphone",
        check="xuanpei.publicity.views_media.may_open_publicity",
        children=(
            Nav(_("宣传日历"), "publicity:calendar", "calendar-event", model="publicity.Campaign"),
            Nav(
                _("宣传主题活动"),
                "publicity:campaign_list",
                "list-ul",
                model="publicity.Campaign",
            ),
            Nav(
                _("宣传活动台账"),
                "publicity:activity_list",
                "journal-text",
                model="publicity.Activity",
            ),
            Nav(
                _("待审核活动"),
                "publicity:activity_queue",
                "inbox",
                model="publicity.Activity",
                action="change",
            ),
            Nav(_("宣传定额"), "publicity:quota_list", "bullseye", model="publicity.Quota"),
            Nav(_("覆盖情况"), "publicity:coverage", "grid-3x3", model="publicity.Campaign"),
            Nav(
                _("统计汇总"),
                "publicity:rollup",
                "bar-chart",
                check="xuanpei.publicity.views_coverage.may_see_rollups",
            ),
            Nav(
                _("宣传日规则"),
                "publicity:rule_list",
                "gear",
                model="publicity.ThemedDayRule",
                action="change",
            ),
            Nav(_("新媒体发布"), "publicity:media_list", "broadcast", model="publicity.MediaPost"),
            Nav(
                _("新增新媒体发布"),
                "publicity:media_add",
                "plus-lg",
                model="publicity.MediaPost",
                action="add",
            ),
            Nav(
                _("导入新媒体发布"),
                "publicity:media_import",
                "upload",
                model="publicity.MediaPost",
                action="import",
            ),
            Nav(
                _("新媒体发布统计"),
                "publicity:media_tally",
                "bar-chart",
                model="publicity.MediaPost",
            ),
            Nav(
                _("导入宣传活动"),
                "publicity:activity_import",
                "upload",
                model="publicity.Activity",
                action="import",
            ),
        ),
    ),
    Nav(
        _("培训"),
        "training:session_list",
        "mortarboard",
        model="training.TrainingSession",
        children=(
            Nav(
                _("培训班次"),
                "training:session_list",
                "journal-text",
                model="training.TrainingSession",
            ),
            Nav(
                _("新增培训班次"),
                "training:session_add",
                "plus-lg",
                model="training.TrainingSession",
                action="add",
            ),
            Nav(
                _("网格员"), "training:grid_officer_list", "person-vcard", model="training.UnitPost"
            ),
            Nav(_("干部"), "training:cadre_list", "person-workspace", model="training.UnitPost"),
            Nav(
                _("网格员季度培训"),
                "training:grid_matrix",
                "grid-3x3",
                # New towns' rows: an enterprise account reaches no unit (the page is 403).
                model="orgs.Unit",
            ),
            Nav(_("学时达标"), "training:shortfall", "hourglass-split", model="workforce.Person"),
            Nav(
                _("事故后培训"),
                "training:accident_list",
                "exclamation-octagon",
                model="training.Accident",
            ),
            Nav(
                _("培训机构和考试点"),
                "training:institution_list",
                "building-check",
                model="training.Institution",
            ),
            Nav(_("培训统计"), "training:stats", "bar-chart", model="training.TrainingSession"),
        ),
    ),
    Nav(
        _("持证"),
        "workforce:compliance_dashboard",
        "person-badge",
        model="workforce.ComplianceSnapshot",
        children=(
            Nav(
                _("持证率"),
                "workforce:compliance_dashboard",
                "speedometer2",
                model="workforce.ComplianceSnapshot",
            ),
            Nav(_("持证人员名册"), "workforce:person_list", "people", model="workforce.Person"),
            Nav(
                _("导入花名册（三项岗位）"),
                "workforce:roster_import",
                "upload",
                model="workforce.Post",
                action="import",
            ),
            Nav(
                _("证书到期"), "workforce:certificates_due", "alarm", model="workforce.Certificate"
            ),
            Nav(
                _("核查线索"),
                "workforce:integrityflag_list",
                "flag",
                check="xuanpei.workforce.views_integrity.may_review_flags",
            ),
            Nav(_("证书真伪查询"), "public_check", "patch-check"),
        ),
    ),
    Nav(
        _("考核通报"),
        "assessment:score_list",
        "clipboard-data",
        model="assessment.UnitScore",
        children=(
            Nav(
                _("季度考核得分"),
                "assessment:score_list",
                "list-ol",
                model="assessment.UnitScore",
            ),
            Nav(
                _("本单位考核"),
                "assessment:unit_dashboard",
                "person-lines-fill",
                model="assessment.UnitScore",
            ),
            Nav(
                _("全区态势"),
                "assessment:cockpit",
                "display",
                check="xuanpei.assessment.views_dashboards.may_open_cockpit",
            ),
            Nav(
                _("季度通报"),
                "assessment:bulletin_list",
                "file-earmark-text",
                model="assessment.Bulletin",
            ),
            Nav(
                _("考核指标"),
                "assessment:indicator_set_list",
                "sliders",
                model="assessment.IndicatorSet",
            ),
            Nav(
                _("督查加减分"),
                "assessment:entry_list",
                "plus-slash-minus",
                model="assessment.ManualEntry",
            ),
            Nav(
                _("考核异议"),
                "assessment:objection_list",
                "chat-left-dots",
                model="assessment.Objection",
            ),
        ),
    ),
    Nav(_("评估"), None, "graph-up"),
)


def _url(url_name: str | None) -> str | None:
    try:
        return reverse(url_name) if url_name else None
    except NoReverseMatch:
        return None


def _is_under(path: str, url: str | None) -> bool:
    # A page is under an entry on its own pages too (detail, edit…); home only on itself.
    return bool(url) and (path == url if url == "/" else path.startswith(url))


def menu_for(user, path: str = "") -> list[dict]:
    """The modules `user` may open, each with the entries it may use, marked active for `path`."""
    items = []
    for module in MENU:
        if module.url_name is not None and not module.allows(user):
            continue
        url = _url(module.url_name)
        children = [
            {"label": c.label, "url": _url(c.url_name), "icon": c.icon}
            for c in module.children
            if c.allows(user)
        ]
        children = [c for c in children if c["url"]]
        # The most specific entry is the active one (/plans/inbox/ over /plans/).
        under = [c for c in children if _is_under(path, c["url"])]
        if under:
            max(under, key=lambda c: len(c["url"]))["active"] = True
        items.append(
            {
                "label": module.label,
                "url": url,
                "icon": module.icon,
                "children": children if len(children) > 1 else [],
                "active": _is_under(path, url) or bool(under),
            }
        )
    return items


def navigation(request):
    user = getattr(request, "user", None)
    authenticated = getattr(user, "is_authenticated", False)
    return {
        "nav_modules": menu_for(user, request.path) if authenticated else [],
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
