"""Assessment (issue #13): the indicator library kept as data per year, manual entries
(督查 deductions and bonuses, typical cases adopted), quarterly runs with one frozen score
row per unit, objections, and the quarterly bulletin (季度通报).

Ownership: the library, the runs and the bulletins belong to the district (their `unit`
is the root) and are read down the tree (`SCOPE_SHARED_DOWN`) where the rule is a read;
a unit's score row and its objections belong to that unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel


class AssessedKind(models.TextChoices):
    """The unit types an indicator applies to and ranks are kept within."""

    NEW_TOWN = "new_town", _("新城")
    TOWN_STREET = "town_street", _("镇街")
    DEPARTMENT = "department", _("行业部门")


class IndicatorSet(ScopedModel):
    """The year's indicator library (versioned per year)."""

    SCOPE_UNIT = "unit"
    SCOPE_SHARED_DOWN = "unit"

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考核指标体系")
        verbose_name_plural = _("考核指标体系")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="assessment_set_year")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Every set of a unit above is read below it (the library has no draft state)."""
        return Q()


class Indicator(ScopedModel):
    """One indicator: weight, written rule, and a formula over the data or manual entry."""

    SCOPE_UNIT = "indicator_set__unit"
    SCOPE_SHARED_DOWN = "indicator_set__unit"

    class Kind(models.TextChoices):
        SCORED = "scored", _("计分指标（权重计入100分）")
        BONUS = "bonus", _("加分项")
        DEDUCTION = "deduction", _("扣分项")

    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name=_("指标体系"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind, default=Kind.SCORED)
    # The unit types it applies to (AssessedKind values).
    applies_to = models.JSONField(_("适用单位类型"), default=list)
    weight = models.DecimalField(_("权重（分值）"), max_digits=5, decimal_places=2)
    rule = models.TextField(_("评分规则"))
    # A registered formula's key (`assessment.formulas`), or "manual" (entered per unit).
    source = models.CharField(_("数据来源"), max_length=40)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["indicator_set", "sort_order", "pk"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="assessment_ind_code")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Every indicator of a set above is read below it."""
        return Q()


class ManualEntry(ScopedModel):
    """Points entered by hand for a unit and quarter: a 督查 deduction or bonus, a typical
    case adopted (bonus by level), or the value of a manual indicator."""

    SCOPE_UNIT = "unit"

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        DISTRICT = "district", _("区级")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="entries"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    level = models.CharField(_("采用级别"), max_length=10, choices=Level, blank=True)
    reason = models.TextField(_("事由"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/evidence/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "unit", "pk"]
        verbose_name = _("考核手工录入")
        verbose_name_plural = _("考核手工录入")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="assessment_entry_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}Q{self.quarter} {self.indicator.name} {self.points}"


class QuarterRun(ScopedModel):
    """The scoring of one quarter: a draft recomputed at will, or published (frozen)."""

    SCOPE_UNIT = "unit"
    SCOPE_SHARED_DOWN = "unit"

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("考核单位"), on_delete=models.PROTECT, related_name="+"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("指标体系"), on_delete=models.PROTECT, related_name="runs"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    # Whether the quarter had ended when computed: an unended quarter is a draft only (未结束).
    quarter_ended = models.BooleanField(_("季度已结束"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The indicators as they stood when published (names, weights, rules): the snapshot.
    snapshot = models.JSONField(_("发布快照"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("季度考核")
        verbose_name_plural = _("季度考核")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="assessment_run_q"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="assessment_run_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Every run of a unit above is read below it; its status (草稿/已发布) is shown."""
        return Q()


class UnitScore(ScopedModel):
    """One unit's frozen result in a run: total, year to date, rank within its type,
    and each indicator's value, score and the records behind it (`items`)."""

    SCOPE_UNIT = "unit"

    run = models.ForeignKey(
        QuarterRun, verbose_name=_("季度考核"), on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_kind = models.CharField(_("单位类型"), max_length=12, choices=AssessedKind)
    total = models.DecimalField(_("本季度得分"), max_digits=6, decimal_places=2)
    ytd_total = models.DecimalField(_("年度累计得分"), max_digits=6, decimal_places=2)
    previous_total = models.DecimalField(
        _("上季度得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("同类排名"))
    # [{code, name, weight, value, score, detail, records_url}] per indicator.
    items = models.JSONField(_("分项得分"), default=list)

    class Meta:
        ordering = ["run", "assessed_kind", "rank", "pk"]
        verbose_name = _("单位季度得分")
        verbose_name_plural = _("单位季度得分")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="assessment_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.unit} {self.total}"


class Objection(ScopedModel):
    """A unit's objection to a published score, answered by the district."""

    SCOPE_UNIT = "score__unit"

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    score = models.ForeignKey(
        UnitScore, verbose_name=_("得分"), on_delete=models.CASCADE, related_name="objections"
    )
    indicator_code = models.CharField(_("指标代码"), max_length=40, blank=True)
    text = models.TextField(_("异议内容"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("考核异议")
        verbose_name_plural = _("考核异议")

    def __str__(self) -> str:
        return f"{self.score} · {self.get_status_display()}"


class Bulletin(ScopedModel):
    """《关于YYYY年第N季度全区应急管理宣传教育培训工作情况的通报》: a draft edited in the
    browser, then issued with its 发文字号 and archived, visible to the units it names."""

    SCOPE_UNIT = "unit"
    SCOPE_ADDRESSED = "recipients"

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(
        QuarterRun,
        verbose_name=_("季度考核"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bulletins",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    # 发文字号: 机关代字〔年份〕序号号, e.g. 东安委办〔2026〕12号.
    doc_prefix = models.CharField(_("机关代字"), max_length=30)
    doc_year = models.PositiveSmallIntegerField(_("发文年份"), null=True, blank=True)
    doc_number = models.PositiveIntegerField(_("发文序号"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.TextField(_("主送机关"))
    overview = models.TextField(_("一、总体情况"), blank=True)
    units_text = models.TextField(_("二、各单位情况"), blank=True)
    problems = models.TextField(_("三、存在的问题"), blank=True)
    next_steps = models.TextField(_("四、下一步工作要求"), blank=True)
    signer = models.CharField(_("落款"), max_length=100)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    recipients = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("通报单位"), blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    docx = models.FileField(_("DOCX"), upload_to="assessment/bulletins/%Y/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="assessment/bulletins/%Y/", blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "-pk"]
        verbose_name = _("季度通报")
        verbose_name_plural = _("季度通报")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "doc_prefix", "doc_year", "doc_number"],
                condition=Q(status="issued"),
                name="assessment_bulletin_number",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="assessment_bulletin_quarter"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def addressed_q(cls, prefix: str = "") -> Q:
        """A named unit reads its bulletin once issued, never the draft."""
        return Q(**{f"{prefix}status": cls.Status.ISSUED})

    @property
    def doc_code(self) -> str:
        """发文字号 as printed: 东安委办〔2026〕12号 (empty until numbered)."""
        if not (self.doc_year and self.doc_number):
            return ""
        return f"{self.doc_prefix}〔{self.doc_year}〕{self.doc_number}号"
