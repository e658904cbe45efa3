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
   `MORE_FOREIGN_OBJECTS` adds objects with their own owners and outsiders (a
   supervised enterprise's rows, a district draft plan). The owners' side must hold:
   an object route answers its owners 200/302 (else name the status in `OWNER_GET`
   with the reason) and a collection route shows them the marker (else
   `OWNER_NO_MARKER` with the reason).
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
from datetime import date, timedelta

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role

# Personas who must never see a foreign object of 东新城 (siblings, a department, an
# enterprise), as 填报员 and as 单位管理员: a role's 403 must not hide a missing scope check.
OUTSIDERS = ("town_b", "department", "department_admin", "enterprise", "enterprise_admin")


@dataclass
class Foreign:
    obj: object
    markers: tuple[str, ...]
    # Personas (attribute names of tests/personas.District) who DO see the object.
    visible_to: tuple[str, ...] = ("town_a", "district")
    # Personas who must NOT see it (default: the outsiders of 东新城 above).
    outsiders: tuple[str, ...] = OUTSIDERS


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


def _due_soon() -> date:
    """An issue date whose 3-year certificate expires in 30 days: inside every due window."""
    today = date.today()
    return today.replace(year=today.year - 3) + timedelta(days=30)


def _foreign_certificate(d) -> Foreign:
    from xuanpei.workforce.factories import CertificateFactory, PostFactory

    # Due inside the window, so the due list and its export show it to its owners.
    post = PostFactory(person__name="丙标记持证人", enterprise=d.ent_a2)
    cert = CertificateFactory(
        holder=post.person, enterprise=d.ent_a2, number="AQMARKERC0001", issue_date=_due_soon()
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
    from django.core.files.base import ContentFile

    # With its document: the file route serves the marker to owners only.
    plan = _town_a_plan(d)
    plan.file.save("marker-plan.txt", ContentFile("东城标记计划 正文".encode()), save=True)
    return Foreign(plan, ("东城标记计划",))


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
    # The file itself carries the marker: the download route shows it to owners only.
    evidence = EvidenceFactory(
        report=report, name="东城标记佐证.pdf", file__data="%PDF-1.4 东城标记佐证".encode()
    )
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


def _foreign_campaign(d) -> Foreign:
    from xuanpei.publicity.factories import CampaignFactory

    # 东新城's own campaign, running today: the month view, the list and the feed show it.
    today = date.today()
    campaign = CampaignFactory(
        unit=d.town_a_unit,
        year=today.year,
        name="东城标记宣传活动",
        theme="东城标记宣传主题",
        start_date=today,
        end_date=today,
    )
    return Foreign(campaign, ("东城标记宣传活动", "东城标记宣传主题"))


def _foreign_rule(d) -> Foreign:
    from xuanpei.publicity.factories import ThemedDayRuleFactory

    rule = ThemedDayRuleFactory(unit=d.town_a_unit, name="东城标记宣传日", note="东城标记规则说明")
    return Foreign(rule, ("东城标记宣传日",))


def _foreign_feed(d) -> Foreign:
    from xuanpei.publicity.factories import CalendarFeedFactory

    # The private link is shown to the unit's own users only (the district has its own).
    feed = CalendarFeedFactory(unit=d.town_a_unit, token="dongchengmarkerfeedtoken0001")
    return Foreign(feed, ("dongchengmarkerfeedtoken0001",), visible_to=("town_a",))


def _foreign_media(d) -> Foreign:
    from xuanpei.publicity.factories_media import MediaPostFactory

    post = MediaPostFactory(
        unit=d.town_a_unit,
        title="东城标记推文",
        account="东城标记账号",
        url="https://mp.weixin.qq.com/s/dongcheng-marker",
        published_on=date.today(),
    )
    return Foreign(post, ("东城标记推文",))


def _foreign_quota(d) -> Foreign:
    from xuanpei.publicity.models_ledger import Quota

    # 东新城's own quota for its 镇街 this year: the quota list and its coverage page show it.
    quota = Quota.objects.create(
        unit=d.town_a_unit, year=date.today().year, name="东城标记宣传定额", applies_to="town"
    )
    return Foreign(quota, ("东城标记宣传定额",))


def _town_a_activity(d):
    from xuanpei.publicity.factories_ledger import ActivityFactory
    from xuanpei.publicity.models_ledger import Activity

    found = Activity.objects.filter(title="东城标记台账活动").first()
    return found or ActivityFactory(
        unit=d.town_a_unit, title="东城标记台账活动", place="东城标记地点", held_on=date.today()
    )


def _foreign_activity(d) -> Foreign:
    # 东新城's own draft activity: the ledger, its detail and edit pages show it.
    return Foreign(_town_a_activity(d), ("东城标记台账活动",))


def _foreign_activity_file(d) -> Foreign:
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from xuanpei.publicity.models_ledger import ActivityFile

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    item = ActivityFile(activity=_town_a_activity(d), name="东城标记照片.jpg", kind="image", size=1)
    item.file.save("marker.jpg", ContentFile(out.getvalue()), save=False)
    item.thumbnail.save("marker-thumb.jpg", ContentFile(out.getvalue()), save=False)
    item.save()
    return Foreign(item, ("东城标记照片",))


def _foreign_activity_material(d) -> Foreign:
    from xuanpei.publicity.models_ledger import ActivityMaterial

    material = ActivityMaterial.objects.create(
        activity=_town_a_activity(d), kind="东城标记折页", count=10
    )
    return Foreign(material, ("东城标记折页",))


def _foreign_batch(d) -> Foreign:
    from xuanpei.audit.factories import ImportBatchFactory, ImportBatchRowFactory

    # An import by 东新城's admin: only district admins read batches (ImportBatch.scope_allows).
    batch = ImportBatchFactory(
        user=d.town_a, unit=d.town_a_unit, file_name="marker_batch_a.xlsx", label="标记批次甲"
    )
    ImportBatchRowFactory(batch=batch, obj=d.ent_a2)
    return Foreign(batch, ("marker_batch_a.xlsx",), visible_to=("district",))


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
    # Publicity (issue #11): 东新城's own campaign, rule and private calendar link.
    "publicity.Campaign": _foreign_campaign,
    "publicity.ThemedDayRule": _foreign_rule,
    "publicity.CalendarFeed": _foreign_feed,
    "publicity.Activity": _foreign_activity,
    "publicity.ActivityFile": _foreign_activity_file,
    "publicity.ActivityMaterial": _foreign_activity_material,
    "publicity.Quota": _foreign_quota,
    "publicity.MediaPost": _foreign_media,
    # Import batches (issue #10): district admins only.
    "audit.ImportBatch": _foreign_batch,
}

# --- Foreign objects of other kinds (§1b) -----------------------------------------------
# 行业监管: rows of `supervised` (西新城/乙镇, supervised by 教育局): the department
# sees them (the supervision branch of the scope filter), 东新城 and its enterprise do not.
SUPERVISED_OWNERS = ("department", "department_admin", "town_b", "district")
SUPERVISED_OUTSIDERS = ("town_a", "enterprise", "enterprise_admin")
# A district plan still in draft: the district only (the shared_q() guard on issued plans).
DRAFT_OUTSIDERS = ("town_a", "town_a_viewer", *OUTSIDERS)


def _supervised(obj, *markers) -> Foreign:
    return Foreign(obj, markers, visible_to=SUPERVISED_OWNERS, outsiders=SUPERVISED_OUTSIDERS)


def _supervised_person(d) -> Foreign:
    from xuanpei.workforce.factories import PersonFactory, PostFactory

    person = PersonFactory(name="监管标记人员")
    PostFactory(person=person, enterprise=d.supervised)
    return _supervised(person, "监管标记人员")


def _supervised_post(d) -> Foreign:
    from xuanpei.workforce.factories import PostFactory

    post = PostFactory(person__name="监管标记岗位人", enterprise=d.supervised)
    return _supervised(post, "监管标记岗位人")


def _supervised_certificate(d) -> Foreign:
    from xuanpei.workforce.factories import CertificateFactory, PostFactory

    post = PostFactory(person__name="监管标记持证人", enterprise=d.supervised)
    cert = CertificateFactory(
        holder=post.person, enterprise=d.supervised, number="AQMARKERS0001", issue_date=_due_soon()
    )
    return _supervised(cert, "监管标记持证人", "AQMARKERS0001")


def _district_draft_plan(d):
    from django.core.files.base import ContentFile

    from xuanpei.plans.choices import PlanStatus
    from xuanpei.plans.factories import PlanFactory

    plan = PlanFactory(unit=d.root, status=PlanStatus.DRAFT, title="区级草稿标记计划")
    plan.file.save("draft-plan.txt", ContentFile("区级草稿标记计划 正文".encode()), save=True)
    return plan


def _draft(obj, *markers) -> Foreign:
    return Foreign(obj, markers, visible_to=("district",), outsiders=DRAFT_OUTSIDERS)


def _draft_plan(d) -> Foreign:
    from xuanpei.plans.models import Plan

    return _draft(Plan.objects.get(title="区级草稿标记计划"), "区级草稿标记计划")


def _draft_task(d) -> Foreign:
    from xuanpei.plans.factories import TaskFactory
    from xuanpei.plans.models import Plan

    plan = Plan.objects.get(title="区级草稿标记计划")
    return _draft(TaskFactory(plan=plan, title="区级草稿标记任务"), "区级草稿标记任务")


def _draft_section(d) -> Foreign:
    from xuanpei.plans.factories import PlanSectionFactory
    from xuanpei.plans.models import Plan

    plan = Plan.objects.get(title="区级草稿标记计划")
    section = PlanSectionFactory(plan=plan, heading="区级草稿标记章节")
    return _draft(section, "区级草稿标记章节")


# "app_label.Model" → more foreign objects, each with its own owners and outsiders.
MORE_FOREIGN_OBJECTS: dict[str, list[Callable[[object], Foreign]]] = {
    "orgs.Enterprise": [lambda d: _supervised(d.supervised, d.supervised.name, d.supervised.uscc)],
    "workforce.Person": [_supervised_person],
    "workforce.Post": [_supervised_post],
    "workforce.Certificate": [_supervised_certificate],
    "plans.Plan": [_draft_plan],
    "plans.Task": [_draft_task],
    "plans.PlanSection": [_draft_section],
}


def build_more(d) -> None:
    """Rows the makers above look up (one district draft plan for the three of them)."""
    _district_draft_plan(d)


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
    "publicity:rollup": "宣传统计汇总：本人范围内已通过审核的活动按单位、主题、五进、对象、形式、月份计数",
    "publicity:rollup_export": "宣传统计汇总的 xlsx：与 publicity:rollup 相同的范围和数字",
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
    "publicity_public:page": "公开宣传页：匿名访问，只列出区安委办公开的已通过活动（标题、日期、地点、照片）；"
    "publicity/tests/test_activities.py 检查未公开的活动不出现",
    "publicity_public:thumbnail": "公开活动的照片缩略图：只对已公开的活动应答，其余 404（test_activities.py）",
    "publicity:feed_ics": "日历订阅（.ics）：凭单位的私密令牌匿名读取，无令牌即 404；"
    "publicity/tests/test_feed.py 检查只含该单位可见的活动、令牌失效后 404",
}


# --- The owner side (the test must not be vacuous) ----------------------------------------
# Object routes that show the object itself: its owners must see a marker there.
OBJECT_PAGES = ("*_detail", "*-detail", "plans:plan_file", "plans:evidence_download")


def shows_object(route_id: str) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(route_id, p) for p in OBJECT_PAGES)


# Object routes whose owners get something other than 200/302 on GET, and why.
OWNER_GET: dict[str, tuple[set[int], str]] = {
    "core:job_report": ({404}, "失败的任务没有报告；任务本身由 core:job_detail 检查"),
    "core:job_rows": ({404}, "失败的任务没有明细行；任务本身由 core:job_detail 检查"),
    "plans:evidence_thumbnail": ({404}, "PDF 佐证没有缩略图；下载由 evidence_download 检查"),
    "workforce:certificate_revoke": ({200, 403}, "撤销/注销只由发证机关或区级录入（may_end）"),
    "workforce:certificate_cancel": ({200, 403}, "撤销/注销只由发证机关或区级录入（may_end）"),
    "workforce:certificate_review": ({200, 403}, "行业主管部门只查看，不登记复审"),
    "workforce:certificate_renew": ({200, 403}, "行业主管部门只查看，不登记换证"),
    "plans:report_add": ({200, 403}, "只有责任单位（甲街道）填报"),
    "plans:report_edit": ({200, 403}, "只有责任单位（甲街道）修改报告"),
    "plans:adjustment_add": ({200, 403}, "只有责任单位（甲街道）申请延期"),
    "plans:subassignment_add": ({200, 403}, "只有责任单位（甲街道）分解给下级"),
    "plans:unitplan_add": ({200, 404}, "只对区级计划制定本单位计划；外来计划是单位计划"),
    "plans:unitplan_edit": ({200, 404}, "只编辑单位计划；区级草稿计划不是"),
    "publicity:activity_review": ({403}, "只审核已提交的活动；标记活动是草稿"),
    "publicity:activity_publish": ({405}, "只接受 POST（公开展示由区安委办操作）"),
}

# Collection routes (GET) where an owner legitimately never sees the marker, and why.
OWNER_NO_MARKER: dict[str, str] = {
    "publicity:media_add": "新增表单，不列出已有发布",
    "publicity:media_import": "导入上传页，不列出数据",
    "publicity:media_import_template": "空白模板",
    "publicity:media_tally": "统计页只显示条数和阅读量，标题在其链接的列表（media_list）中",
    "publicity:media_tally_export": "统计表只有条数和阅读量（xlsx）",
    "publicity:activity_import": "导入上传页，不列出数据",
    "publicity:activity_import_template": "空白模板",
    "publicity:campaign_add": "新增表单，不列出已有活动",
    "publicity:rule_add": "新增表单，不列出已有规则",
    "publicity:activity_add": "新增表单，不列出已有活动",
    "publicity:activity_queue": "待审核只列已提交、由本人审核的活动；标记活动是草稿（审核由 activity_review 检查）",
    "publicity:quota_add": "新增表单，不列出已有定额",
    "accounts:user_add": "新增表单，不列出已有用户",
    "orgs:enterprise_add": "新增表单，不列出已有企业",
    "orgs:enterprise_import": "导入上传页，不列出数据",
    "orgs:enterprise_import_template": "空白模板",
    "plans:plan_add": "新增表单，不列出已有计划",
    "workforce:roster_import": "导入上传页，不列出数据",
    "workforce:roster_import_template": "空白模板",
    "public_check": "公开查询：只回答提交的证号，不列出证书",
    "plans:report_queue": "待审核只列已提交的报告；外来报告是草稿（提交后由 report_review 检查）",
}

# Query parameters a page reads itself (beside its FilterSet), with the model they name.
EXTRA_FILTERS: dict[str, list[tuple[str, str]]] = {}

# Added to every filtered request: the widest window and subtree a page offers.
WIDE_QUERY = {"days": "3650", "scope": "subtree"}

# Values an add-form or API create needs beyond the page's own defaults (first choices),
# so that the district's POST naming 东新城's unit/enterprise creates a row: the outsiders'
# refusal of the same data then comes from the scope. A callable gets the district.
_PASSWORD = "Scope-Check-Pass-2026!"
ADD_FORM_DATA: dict[str, dict] = {
    "accounts:user_add": {
        "username": "scope_add_user",
        "first_name": "范围新增用户",
        "password1": _PASSWORD,
        "password2": _PASSWORD,
    },
    "orgs:enterprise_add": {"name": "范围新增企业", "uscc": "91350100M000100Y43"},
    "api:unit-list": {"name": "范围新增社区", "kind": "community"},
    "publicity:campaign_add": {
        "rule": "",
        "year": date.today().year,
        "name": "范围新增宣传活动",
        "start_date": date.today().isoformat(),
        "end_date": date.today().isoformat(),
    },
    "publicity:rule_add": {"name": "范围新增宣传日", "kind": "local"},
    "publicity:quota_add": {
        "year": date.today().year,
        "name": "范围新增定额",
        "applies_to": "town",
        "measure": "activities",
        "minimum": 1,
    },
    "publicity:media_add": {
        "channel": "wechat",
        "account": "范围新增账号",
        "kind": "post",
        "title": "范围新增推文",
        "url": "https://mp.weixin.qq.com/s/scope-add",
        "published_on": date.today().isoformat(),
        "views": 1,
        "likes": 0,
        "shares": 0,
    },
    "api:mediapost-list": {
        "channel": "wechat",
        "account": "范围新增账号",
        "title": "范围新增推文",
        "url": "https://mp.weixin.qq.com/s/scope-add-api",
        "published_on": date.today().isoformat(),
    },
    "publicity:activity_add": {
        "title": "范围新增台账活动",
        "held_on": date.today().isoformat(),
        "place": "范围新增地点",
        "participants": 0,
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
    },
    "api:activity-list": {
        "title": "范围新增台账活动",
        "held_on": date.today().isoformat(),
        "place": "范围新增地点",
    },
    "api:campaign-list": {
        "year": date.today().year,
        "name": "范围新增宣传活动",
        "start_date": date.today().isoformat(),
        "end_date": date.today().isoformat(),
    },
    "api:themeddayrule-list": {"name": "范围新增宣传日", "kind": "local"},
    "api:enterprise-list": {
        "name": "范围新增企业",
        "uscc": "91350100M000100Y43",
        "sector_id": lambda d: d.sector.pk,
    },
}


def _merge_app_registries() -> None:
    """Apps with many routes keep their entries in `tests/scope_registry_<app>_<area>.py`
    (each helper-sized area its own file, so parallel work does not collide): every
    such module's dicts with the names above are merged into these."""
    import importlib
    import pkgutil

    import tests

    here = globals()
    for info in pkgutil.iter_modules(tests.__path__):
        if not info.name.startswith("scope_registry_"):
            continue
        module = importlib.import_module(f"tests.{info.name}")
        for name, value in vars(module).items():
            target = here.get(name)
            if name.isupper() and isinstance(target, dict) and isinstance(value, dict):
                target.update(value)


_merge_app_registries()
