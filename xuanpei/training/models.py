"""Training (issue #12): people's posts at units, sessions, their rosters and attendance.

The legal rules live in `rules.py` / `minimums.py` and the quarterly grid-officer rule
in `quarters.py`; this module holds what those rules read.

One person, everywhere: trainees are `workforce.Person` rows (keyed by 身份证号)
whichever module met them first. An enterprise employee is a person with a
`workforce.Post`; a cadre or a grid officer is a person with a `UnitPost` here.
Open (for the pages of issue #12): `workforce.Person` reaches its owners through
enterprise posts only, so a unit sees a grid officer's post here but not yet the
person's own page; adding `SCOPE_UNIT = "unit_posts__unit"` to Person is the one-line
way, to be measured against the roster pages at 1,000,000 people first.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel
from xuanpei.core.validators import validate_phone


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


class UnitPost(ScopedModel):
    """A person's post at a unit: a cadre (干部) of a unit or department, or a grid
    officer (网格员) of the 新城 / 镇街 / 村社区 grid that `unit` is."""

    SCOPE_UNIT = "unit"

    class Role(models.TextChoices):
        CADRE = "cadre", _("干部")
        GRID_OFFICER = "grid_officer", _("网格员")

    person = models.ForeignKey(
        "workforce.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="unit_posts",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位或网格"),
        on_delete=models.PROTECT,
        related_name="staff_posts",
    )
    role = models.CharField(_("身份"), max_length=20, choices=Role)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    start_date = models.DateField(_("任职日期"), null=True, blank=True)
    end_date = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        ordering = ["unit__path", "role", "pk"]
        verbose_name = _("单位人员岗位")
        verbose_name_plural = _("单位人员岗位")
        constraints = [
            # One on-duty post per person, unit and role (an import's natural key).
            models.UniqueConstraint(
                fields=["person", "unit", "role"],
                condition=Q(end_date__isnull=True),
                name="training_unitpost_on_duty",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="training_unitpost_end_after",
            ),
        ]
        indexes = [models.Index(fields=["role", "unit"], name="training_unitpost_role")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.unit.name} {self.get_role_display()}）"


class TrainingSession(ScopedModel):
    """One class (一期培训) as it is planned or as it happened: its archive is 一期一档."""

    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = "enterprise"

    class Kind(models.TextChoices):
        CADRE_TOPIC = "cadre_topic", _("干部专题培训")
        SECTOR = "sector", _("行业专项培训")
        STUDY_TOUR = "study_tour", _("外出学习调研")
        CERTIFICATION = "certification", _("三项岗位取证/复审培训")
        HIGH_RISK_WORK = "high_risk_work", _("重点作业人员培训")
        ACCIDENT_UNIT = "accident_unit", _("事故单位培训")
        GRID_OFFICER = "grid_officer", _("网格员培训")
        FOCUS_PERIOD = "focus_period", _("重点时段/复工复产培训")
        ALL_STAFF = "all_staff", _("企业全员培训")
        ONLINE = "online", _("网络培训")

    class Status(models.TextChoices):
        DRAFT = "draft", _("计划中")
        HELD = "held", _("已举办")
        ARCHIVED = "archived", _("已归档")

    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类型"), max_length=20, choices=Kind)
    # The organiser: a unit, or an enterprise (then `unit` is its 属地, for scoping).
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("组织企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    # The 附件2 row (a plan task) this class delivers.
    task = models.ForeignKey(
        "plans.Task",
        verbose_name=_("对应计划任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online = models.BooleanField(_("线上"), default=False)
    teacher = models.CharField(_("授课人"), max_length=100, blank=True)
    partner = models.CharField(_("合作单位（高校、培训机构）"), max_length=200, blank=True)
    # The registered institution that delivered it (§8: its sessions and pass rates).
    institution = models.ForeignKey(
        "training.Institution",
        verbose_name=_("培训机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    # Credited hours (学时), at most the session's length; a day with a lunch break
    # credits fewer hours than it lasts.
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    content = models.TextField(_("培训内容"), blank=True)
    audience = models.CharField(_("培训对象"), max_length=200, blank=True)
    planned_headcount = models.PositiveIntegerField(_("计划人数"), null=True, blank=True)
    # Sign-in by QR code (issue #12 §3): the window around the session, walk-ins.
    allow_walk_ins = models.BooleanField(_("允许名单外人员签到"), default=False)
    sign_in_opens_minutes = models.PositiveSmallIntegerField(_("提前开放签到（分钟）"), default=30)
    sign_in_closes_minutes = models.PositiveSmallIntegerField(
        _("结束后保留签到（分钟）"), default=30
    )
    sign_in_token = models.CharField(max_length=40, unique=True, default=new_sign_in_token)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    summary = models.TextField(_("培训小结"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("培训班次")
        verbose_name_plural = _("培训班次")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="training_session_ends_after"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_session_hours"),
        ]
        indexes = [models.Index(fields=["unit", "starts_at"], name="training_session_unit")]

    def __str__(self) -> str:
        return self.title

    @property
    def sign_in_opens_at(self):
        return self.starts_at - timedelta(minutes=self.sign_in_opens_minutes)

    @property
    def sign_in_closes_at(self):
        return self.ends_at + timedelta(minutes=self.sign_in_closes_minutes)


class Enrolment(ScopedModel):
    """A person on a session's roster (名单)."""

    SCOPE_UNIT = "session__unit"
    SCOPE_ENTERPRISE = "session__enterprise"

    class Source(models.TextChoices):
        PICKED = "picked", _("逐个添加")
        BY_POST = "by_post", _("按岗位批量添加")
        IMPORTED = "imported", _("表格导入")
        WALK_IN = "walk_in", _("现场签到加入")

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训班次"), on_delete=models.CASCADE, related_name="roster"
    )
    person = models.ForeignKey(
        "workforce.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="training_enrolments",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source, default=Source.PICKED)
    # Optional exam (§2); a passed certification course can create or renew a
    # certificate once an authorised user confirms it (`certificate` is that version).
    exam_score = models.DecimalField(
        _("考试成绩"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("考试合格"), null=True, blank=True)
    certificate = models.ForeignKey(
        "workforce.Certificate",
        verbose_name=_("据此发放或复审的证书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("培训名单")
        verbose_name_plural = _("培训名单")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_enrolment_once")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person.name}"


class Attendance(ScopedModel):
    """A person's presence at a session: one row however often they sign in."""

    SCOPE_UNIT = "session__unit"
    SCOPE_ENTERPRISE = "session__enterprise"

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        LIST = "list", _("组织方勾选")
        IMPORTED = "imported", _("表格导入")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("培训班次"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    person = models.ForeignKey(
        "workforce.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="training_attendances",
    )
    method = models.CharField(_("签到方式"), max_length=10, choices=Method)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    sign_in_ip = models.GenericIPAddressField(_("签到IP"), null=True, blank=True)
    sign_in_agent = models.CharField(_("签到设备"), max_length=300, blank=True)
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    sign_out_ip = models.GenericIPAddressField(_("签退IP"), null=True, blank=True)
    sign_out_agent = models.CharField(_("签退设备"), max_length=300, blank=True)
    # The time present, capped at the session's hours; an organiser's correction
    # sets it with a reason (audited).
    hours_credited = models.DecimalField(_("认定学时"), max_digits=5, decimal_places=1, default=0)
    correction_reason = models.CharField(_("学时更正原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["session", "signed_in_at", "pk"]
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attendance_once"),
            models.CheckConstraint(
                condition=Q(hours_credited__gte=0), name="training_attendance_hours"
            ),
            models.CheckConstraint(
                condition=Q(signed_out_at__isnull=True)
                | Q(signed_in_at__isnull=True)
                | Q(signed_out_at__gte=F("signed_in_at")),
                name="training_attendance_out_after",
            ),
        ]
        indexes = [
            # Hours per person per year (the shortfall lists) read attendance by person.
            models.Index(fields=["person", "session"], name="training_attendance_person"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person.name}"


from xuanpei.training.models_more import (  # noqa: E402,F401  (one models module per app)
    Accident,
    Inspection,
    Institution,
    Rectification,
    SessionFile,
    TrainingObligation,
)
