"""What the generic scope meta-test (tests/test_scope_meta.py) needs to know, and nothing else.

The meta-test walks every URL pattern and API route. For each one it finds the
view's model and looks it up here. Adding an app means adding lines here, never
editing the test:

1. A scoped model: add one line to `FOREIGN_OBJECTS`, "app_label.Model" → a
   function that takes the `district` personas (tests/personas.py) and returns
   `Foreign(obj, markers)`: an object owned by 东新城 (town A) that town_b, the
   department and the enterprise persona (which belongs to ent_a1) must never
   see, and strings unique to it that any listing of it would show (its name).
   Set `visible_to` when the object is not visible to town_a and the district
   (e.g. jobs are owner-only).
2. A model that is the same for everybody (a dictionary such as 行业领域): add it
   to `SHARED_MODELS` with the reason.
3. A model only the district may browse (the audit log): `DISTRICT_ONLY_MODELS`.
4. A page with no single model that still shows data (a dashboard, the user's own
   profile): `MODEL_LESS_ROUTES`. It is still called by every outsider and must not
   show any foreign marker.
   A view that builds its queryset only in get_queryset() names its model in
   `ROUTE_MODELS`.
5. A route that shows no domain data at all (login, API schema): `EXEMPT_ROUTES`,
   with the reason. Patterns are fnmatch-style over the namespaced URL name
   (e.g. "admin:*"), or over the route string when the pattern has no name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role


@dataclass
class Foreign:
    obj: object
    markers: tuple[str, ...]
    # Personas (attribute names of tests/personas.District) who DO see the object.
    visible_to: tuple[str, ...] = ("town_a", "district")


def _foreign_user(d) -> Foreign:
    user = UserFactory(
        username="marker_user_a", first_name="标记用户甲", unit=d.village_a, role=Role.REPORTER
    )
    return Foreign(user, ("marker_user_a", "标记用户甲"))


def _foreign_job(d) -> Foreign:
    from xuanpei.core.models import Job

    # A failed job: its page shows the error text, which carries the marker.
    job = Job.objects.create(
        kind="marker_job_a",
        user=d.town_a,
        status=Job.Status.FAILED,
        error="marker_job_a：文件无法读取",
        params={"file": "marker_job_a.xlsx"},
    )
    return Foreign(job, ("marker_job_a",), visible_to=("town_a",))


# "app_label.Model" → the foreign object of 东新城 (see the module docstring, §1).
FOREIGN_OBJECTS: dict[str, Callable[[object], Foreign]] = {
    # 甲社区 sits under 东新城/甲街道; the enterprise persona's ent_a1 sits in 甲街道
    # itself (so 甲街道 legitimately shows on its pages), never in 甲社区.
    "orgs.Unit": lambda d: Foreign(d.village_a, (d.village_a.name,)),
    "orgs.Enterprise": lambda d: Foreign(d.ent_a2, (d.ent_a2.name, d.ent_a2.uscc)),
    "accounts.User": _foreign_user,
    "core.Job": _foreign_job,
}

# Models whose rows are shared by the whole district (§2): no foreign object to hide.
SHARED_MODELS: dict[str, str] = {
    "orgs.Sector": "行业领域字典，全区共用",
}

# Models only district admins (and superusers) may browse at all (§3).
DISTRICT_ONLY_MODELS: dict[str, str] = {
    "auditlog.LogEntry": "审计日志：仅区安委办管理员可查看（issue #2 §9）",
}

# Routes whose view names its model only inside get_queryset(), so the walker cannot see it.
ROUTE_MODELS: dict[str, str] = {
    "audit:logentry_list": "auditlog.LogEntry",
    "core:job_detail": "core.Job",
    "core:job_report": "core.Job",
}

# Routes without a single model that still show data (§4), with what they show.
MODEL_LESS_ROUTES: dict[str, str] = {
    "core:home": "首页仪表盘：按单位统计的数量",
    "workforce:compliance_dashboard": "持证率仪表盘：本人范围内的持证率、图表和企业排名",
    "accounts:profile": "本人资料",
    "accounts:password_change": "本人修改密码",
    "accounts:api_token": "本人的 API 令牌",
}

# Routes that show no domain data (§5).
EXEMPT_ROUTES: dict[str, str] = {
    "accounts:login": "登录页：匿名访问，不含业务数据",
    "accounts:logout": "退出登录：不含业务数据",
    "admin:*": "Django admin 仅限超级用户（test_admin_is_for_superusers_only 单独检查）",
    "admin/*": "Django admin 仅限超级用户（test_admin_is_for_superusers_only 单独检查）",
    "api-schema": "OpenAPI 结构描述：只有接口定义，没有数据",
    "api-docs": "接口文档页：只有接口定义，没有数据",
    "api:api-root": "API 根：只列出各接口的链接",
    "static/*": "静态文件",
}

# Personas who must never see a foreign object (siblings, a department, an enterprise).
OUTSIDERS = ("town_b", "department", "enterprise")
