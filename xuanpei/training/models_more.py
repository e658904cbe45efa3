"""Training (issue #12) beyond the class itself: its files, accidents and the training
obligations they create (§7), training institutions and exam sites with their
inspections and rectifications (§8). Imported into `models.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel
from xuanpei.core.validators import validate_not_in_future, validate_phone


class SessionFile(ScopedModel):
    """A material, photo or exam file of a session (core's shared file checker)."""

    SCOPE_UNIT = "session__unit"
    SCOPE_ENTERPRISE = "session__enterprise"

    class Purpose(models.TextChoices):
        MATERIAL = "material", _("培训资料")
        PHOTO = "photo", _("现场照片")
        EXAM = "exam", _("考试材料")

    session = models.ForeignKey(
        "training.TrainingSession", on_delete=models.CASCADE, related_name="files"
    )
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose, default=Purpose.PHOTO)
    file = models.FileField(_("文件"), upload_to="training/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)  # "image", "pdf", "docx", "xlsx"
    size = models.PositiveIntegerField(_("大小（字节）"))
    thumbnail = models.FileField(_("缩略图"), upload_to="training/thumbs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("培训资料和照片")
        verbose_name_plural = _("培训资料和照片")

    def __str__(self) -> str:
        return self.name


class Accident(ScopedModel):
    """A 生产安全事故 at an enterprise (issue #12 §7): it creates training obligations."""

    SCOPE_ENTERPRISE = "enterprise"

    class Severity(models.TextChoices):
        # 生产安全事故报告和调查处理条例 第三条.
        ORDINARY = "ordinary", _("一般事故")
        LARGER = "larger", _("较大事故")
        MAJOR = "major", _("重大事故")
        GRAVE = "grave", _("特别重大事故")

    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("事故单位"),
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    occurred_on = models.DateField(_("事故日期"), validators=[validate_not_in_future])
    # GB 6441 事故类别 (物体打击, 车辆伤害, 机械伤害, 起重伤害, 触电, 火灾, 高处坠落,
    # 坍塌, 中毒和窒息, 爆炸 …) as text: the list is offered by the form.
    kind = models.CharField(_("事故类别"), max_length=30)
    severity = models.CharField(_("事故等级"), max_length=10, choices=Severity)
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveSmallIntegerField(_("受伤人数"), default=0)
    summary = models.TextField(_("事故简要经过"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("生产安全事故")
        verbose_name_plural = _("生产安全事故")

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.occurred_on} {self.kind}"

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        # Units and departments record accidents; an enterprise's own account reads its
        # accidents (and the obligations they create) but does not record or change them.
        return action in ("view", "export") or not getattr(user, "enterprise_id", None)


class TrainingObligation(ScopedModel):
    """A training an accident obliges (主要负责人, 安全管理人员 or all staff) by a deadline.

    Fulfilled by held sessions of the enterprise after the accident that every person
    of the audience (its posts at the enterprise) signed in to.
    """

    SCOPE_ENTERPRISE = "accident__enterprise"

    class Audience(models.TextChoices):
        PRINCIPAL = "principal", _("主要负责人")
        SAFETY_MANAGER = "safety_manager", _("安全生产管理人员")
        ALL_STAFF = "all_staff", _("全体从业人员")

    accident = models.ForeignKey(
        Accident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="obligations"
    )
    audience = models.CharField(_("培训对象"), max_length=20, choices=Audience)
    due_on = models.DateField(_("完成期限"))
    fulfilled_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("事故后培训义务")
        verbose_name_plural = _("事故后培训义务")
        constraints = [
            models.UniqueConstraint(
                fields=["accident", "audience"], name="training_obligation_once"
            )
        ]
        indexes = [models.Index(fields=["fulfilled_on", "due_on"], name="training_oblig_open")]

    def __str__(self) -> str:
        return f"{self.accident} · {self.get_audience_display()}"


class Institution(ScopedModel):
    """A training institution or an exam site (培训机构 / 考试点) the district oversees."""

    SCOPE_UNIT = "unit"

    class Kind(models.TextChoices):
        TRAINING = "training", _("培训机构")
        EXAM_SITE = "exam_site", _("考试点")
        BOTH = "both", _("培训机构兼考试点")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    # The unit that registered and oversees it (the district, or a new town).
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("监管单位"),
        on_delete=models.PROTECT,
        related_name="training_institutions",
    )
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("培训机构和考试点")
        verbose_name_plural = _("培训机构和考试点")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="training_institution_name")
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(ScopedModel):
    """An inspection of an institution: findings, and the "走过场" problems found."""

    SCOPE_UNIT = "institution__unit"

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("培训机构或考试点"),
        on_delete=models.CASCADE,
        related_name="inspections",
    )
    inspected_on = models.DateField(_("检查日期"), validators=[validate_not_in_future])
    inspectors = models.CharField(_("检查人员"), max_length=200, blank=True)
    findings = models.TextField(_("检查情况"))
    perfunctory = models.BooleanField(_("发现培训“走过场”问题"), default=False)
    problems = models.TextField(_("存在问题"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("培训机构检查")
        verbose_name_plural = _("培训机构检查")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.inspected_on}"


class Rectification(ScopedModel):
    """A rectification an inspection requires: deadline, evidence, closed by the inspector."""

    SCOPE_UNIT = "inspection__institution__unit"

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("检查"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    requirement = models.CharField(_("整改要求"), max_length=300)
    due_on = models.DateField(_("整改期限"))
    evidence = models.TextField(_("整改情况"), blank=True)
    evidence_file = models.FileField(_("整改佐证"), upload_to="training/rectify/%Y/", blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False),
                name="training_rectification_closer",
            )
        ]

    def __str__(self) -> str:
        return self.requirement
