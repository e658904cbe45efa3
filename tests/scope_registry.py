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
from datetime import date

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


def _foreign_person(d) -> Foreign:
    from xuanpei.workforce.factories import PersonFactory, PostFactory

    # Only a post at ent_a2 links the person to 东新城; the marker is the name.
    person = PersonFactory(name="甲标记人员", phone="13800000001")
    PostFactory(person=person, enterprise=d.ent_a2)
    return Foreign(person, ("甲标记人员",))


def _foreign_post(d) -> Foreign:
    from xuanpei.workforce.factories import PostFactory

    post = PostFactory(person__name="乙标记岗位人", enterprise=d.ent_a2, note="乙标记岗位备注")
    return Foreign(post, ("乙标记岗位人", "乙标记岗位备注"))


def _foreign_certificate(d) -> Foreign:
    from xuanpei.workforce.factories import CertificateFactory, PostFactory

    post = PostFactory(person__name="丙标记持证人", enterprise=d.ent_a2)
    cert = CertificateFactory(
        holder=post.person, enterprise=d.ent_a2, number="AQMARKERC0001", issue_date=date.today()
    )
    return Foreign(cert, ("丙标记持证人", "AQMARKERC0001"))


def _foreign_snapshot(d) -> Foreign:
    from xuanpei.workforce.models import ComplianceSnapshot

    # A snapshot shows as its enterprise's name (and counts, which are not unique).
    snapshot = ComplianceSnapshot.objects.create(
        enterprise=d.ent_a2, on=date.today(), required=7, compliant=3
    )
    return Foreign(snapshot, (d.ent_a2.name,))


def _foreign_notification(d) -> Foreign:
    from xuanpei.notifications.models import Notification

    # Addressed to 东新城 itself: its inbox shows it. The district reads only its own
    # inbox by default (other inboxes only with ?scope=subtree), so the owner
    # check of the inbox list is town_a's; scoping still lets the district see it.
    notification = Notification.objects.create(
        unit=d.town_a_unit,
        kind="marker",
        key="marker-notification-a",
        title="丁标记消息",
        body="丁标记消息正文",
    )
    return Foreign(notification, ("丁标记消息",), visible_to=("town_a",))


def _town_a_plan(d, title="东城标记计划"):
    """东新城's own plan (requirement 四(一)): owned by 东新城, issued, so 甲街道 reads it too."""
    from xuanpei.plans.choices import PlanKind
    from xuanpei.plans.factories import PlanFactory

    return PlanFactory(unit=d.town_a_unit, kind=PlanKind.UNIT, title=title)


def _town_a_task(d, title: str):
    from xuanpei.plans.factories import TaskFactory

    return TaskFactory(plan=_town_a_plan(d, f"{title}所属计划"), title=title)


def _foreign_plan(d) -> Foreign:
    return Foreign(_town_a_plan(d), ("东城标记计划",))


def _foreign_section(d) -> Foreign:
    from xuanpei.plans.factories import PlanSectionFactory

    section = PlanSectionFactory(
        plan=_town_a_plan(d, "东城章节计划"), heading="东城标记章节", body="东城标记章节正文"
    )
    return Foreign(section, ("东城标记章节",))


def _foreign_task(d) -> Foreign:
    return Foreign(_town_a_task(d, "东城标记任务"), ("东城标记任务",))


def _foreign_target(d) -> Foreign:
    from xuanpei.plans.factories import TargetFactory

    target = TargetFactory(task=_town_a_task(d, "东城指标任务"), name="东城标记指标")
    return Foreign(target, ("东城标记指标",))


def _town_a_assignment(d, title: str):
    """An assignment of 甲街道 (under 东新城) on a task of 东新城's own plan."""
    from xuanpei.plans.factories import AssignmentFactory

    return AssignmentFactory(task=_town_a_task(d, title), unit=d.street_a)


def _foreign_assignment(d) -> Foreign:
    return Foreign(_town_a_assignment(d, "东城标记分解任务"), ("东城标记分解任务",))


def _foreign_report(d) -> Foreign:
    from xuanpei.plans.factories import ProgressReportFactory

    report = ProgressReportFactory(
        assignment=_town_a_assignment(d, "东城报告任务"), summary="东城标记报告内容"
    )
    return Foreign(report, ("东城标记报告内容",))


def _foreign_quantity(d) -> Foreign:
    from xuanpei.plans.factories import ProgressReportFactory, ReportQuantityFactory

    report = ProgressReportFactory(
        assignment=_town_a_assignment(d, "东城完成量任务"), summary="东城完成量报告"
    )
    quantity = ReportQuantityFactory(report=report, target__name="东城标记完成量指标")
    return Foreign(quantity, ("东城标记完成量指标",))


def _foreign_evidence(d) -> Foreign:
    from xuanpei.plans.factories import EvidenceFactory, ProgressReportFactory

    report = ProgressReportFactory(
        assignment=_town_a_assignment(d, "东城佐证任务"), summary="东城佐证报告"
    )
    evidence = EvidenceFactory(report=report, name="东城标记佐证.pdf")
    return Foreign(evidence, ("东城标记佐证",))


def _foreign_event(d) -> Foreign:
    from xuanpei.plans.factories import ProgressReportFactory, ReportEventFactory

    report = ProgressReportFactory(
        assignment=_town_a_assignment(d, "东城记录任务"), summary="东城记录报告"
    )
    event = ReportEventFactory(report=report, comment="东城标记退回意见")
    return Foreign(event, ("东城标记退回意见",))


def _foreign_adjustment(d) -> Foreign:
    from xuanpei.plans.factories import AdjustmentFactory

    adjustment = AdjustmentFactory(
        assignment=_town_a_assignment(d, "东城延期任务"), reason="东城标记延期理由"
    )
    return Foreign(adjustment, ("东城标记延期理由",))


def _foreign_comment(d) -> Foreign:
    from xuanpei.plans.factories import CommentFactory

    comment = CommentFactory(assignment=_town_a_assignment(d, "东城批示任务"), text="东城标记批示")
    return Foreign(comment, ("东城标记批示",))


# "app_label.Model" → the foreign object of 东新城 (see the module docstring, §1).
FOREIGN_OBJECTS: dict[str, Callable[[object], Foreign]] = {
    # 甲社区 sits under 东新城/甲街道; the enterprise persona's ent_a1 sits in 甲街道
    # itself (so 甲街道 legitimately shows on its pages), never in 甲社区.
    "orgs.Unit": lambda d: Foreign(d.village_a, (d.village_a.name,)),
    "orgs.Enterprise": lambda d: Foreign(d.ent_a2, (d.ent_a2.name, d.ent_a2.uscc)),
    "accounts.User": _foreign_user,
    "core.Job": _foreign_job,
    # Workforce (issue #3): people, posts and certificates of 东新城's ent_a2.
    "workforce.Person": _foreign_person,
    "workforce.Post": _foreign_post,
    "workforce.Certificate": _foreign_certificate,
    "workforce.ComplianceSnapshot": _foreign_snapshot,
    "notifications.Notification": _foreign_notification,
    # Plans (issue #4): 东新城's own plan and what hangs on it; assignments of 甲街道.
    "plans.Plan": _foreign_plan,
    "plans.PlanSection": _foreign_section,
    "plans.Task": _foreign_task,
    "plans.Target": _foreign_target,
    "plans.Assignment": _foreign_assignment,
    "plans.ProgressReport": _foreign_report,
    "plans.ReportQuantity": _foreign_quantity,
    "plans.Evidence": _foreign_evidence,
    "plans.ReportEvent": _foreign_event,
    "plans.Adjustment": _foreign_adjustment,
    "plans.Comment": _foreign_comment,
}

# Models whose rows are shared by the whole district (§2): no foreign object to hide.
SHARED_MODELS: dict[str, str] = {
    "orgs.Sector": "行业领域字典，全区共用",
    "workforce.PostType": "岗位类型字典（数据迁移载入），全区共用",
    "workforce.CertificateKind": "证书类型及其法定期限字典，全区共用",
    "workforce.CatalogueVersion": "特种作业目录版本字典，全区共用",
    "workforce.OperationCategory": "特种作业目录的作业类别，全区共用",
    "workforce.OperationItem": "特种作业目录的操作项目，全区共用",
}

# Models only district admins (and superusers) may browse at all (§3).
DISTRICT_ONLY_MODELS: dict[str, str] = {
    "auditlog.LogEntry": "审计日志：仅区安委办管理员可查看（issue #2 §9）",
    "workforce.IntegrityFlag": "证件核查线索：仅区安委办管理员可查看和处理（issue #3 §4）",
}

# Routes whose view names its model only inside get_queryset(), so the walker cannot see it.
ROUTE_MODELS: dict[str, str] = {
    "audit:logentry_list": "auditlog.LogEntry",
    "core:job_detail": "core.Job",
    "core:job_report": "core.Job",
    "core:job_rows": "core.Job",
    # A task is added to a plan: `plan_pk` is a plan the user must be able to change.
    "plans:task_add": "plans.Plan",
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
    "api-not-found": "/api/ 下不存在的地址：一律 JSON 404，不含数据",
    "static/*": "静态文件",
}

# Personas who must never see a foreign object (siblings, a department, an enterprise).
OUTSIDERS = ("town_b", "department", "enterprise")
