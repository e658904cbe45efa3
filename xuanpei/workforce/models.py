"""Certified personnel (三项岗位, issue #3): people, their posts and their certificates.

The legal rules are in `rules.py`; the numbers they use (periods, windows, which
certificate covers which post) are rows of `CertificateKind` and `PostType`, and
the 特种作业 catalogue is a versioned dictionary — all seeded from `catalogue.py`
and editable, because the regulations have changed before (domain.md §1–2).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel
from xuanpei.core.ordering import PinyinCollate, name_order
from xuanpei.core.scoping import ScopedQuerySet
from xuanpei.core.validators import parse_id_number, validate_id_number, validate_phone
from xuanpei.workforce import rules
from xuanpei.workforce.choices import (
    CertificateOrigin,
    CertificateState,
    CertificateStatus,
    Gender,
    IntegrityKind,
    IntegrityStatus,
    NumberRule,
)
from xuanpei.workforce.querysets import CertificateQuerySet, PersonQuerySet, PostQuerySet

# Dictionaries (seeded by migration 0002_load_catalogue) -----------------------


class PostType(models.Model):
    """岗位类型. Whether a post needs a certificate is data, not code."""

    code = models.CharField(_("编码"), max_length=30, primary_key=True)
    name = models.CharField(_("岗位"), max_length=50, unique=True)
    requires_certificate = models.BooleanField(_("须持证上岗"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("岗位类型")
        verbose_name_plural = _("岗位类型")

    def __str__(self) -> str:
        return self.name


class CertificateKind(models.Model):
    """证书类型 with the periods the regulation sets for it (read by `rules.py`)."""

    code = models.CharField(_("编码"), max_length=30, primary_key=True)
    name = models.CharField(_("证书类型"), max_length=50, unique=True)
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"))
    review_interval_years = models.PositiveSmallIntegerField(
        _("复审周期（年）"), null=True, blank=True, help_text=_("空表示无需复审")
    )
    extended_review_interval_years = models.PositiveSmallIntegerField(
        _("延长后的复审周期（年）"),
        null=True,
        blank=True,
        help_text=_("连续从事本工种10年以上且无违法行为，经发证机关同意可延长"),
    )
    extension_min_years = models.PositiveSmallIntegerField(
        _("延长复审须从事本工种年数"),
        default=10,
        help_text=_("自初领日期起计算（原安监总局令第30号第二十一条）"),
    )
    review_window_days = models.PositiveSmallIntegerField(
        _("复审申请期（天）"), default=60, help_text=_("应复审日期前多少天起可申请复审")
    )
    expiring_window_days = models.PositiveSmallIntegerField(_("即将到期提示期（天）"), default=90)
    renewal_notice_days = models.PositiveSmallIntegerField(
        _("延期申请提前天数"),
        null=True,
        blank=True,
        help_text=_("有效期届满前至少多少天申请延期"),
    )
    number_rule = models.CharField(
        _("编号规则"), max_length=10, choices=NumberRule, default=NumberRule.FREE, blank=True
    )
    requires_operation_item = models.BooleanField(
        _("须对应操作项目"), default=False, help_text=_("证书须与岗位的操作项目一致")
    )
    post_types = models.ManyToManyField(
        PostType, verbose_name=_("适用岗位"), related_name="certificate_kinds", blank=True
    )
    confirmed = models.BooleanField(
        _("规则已核实"), default=True, help_text=_("未核实的期限可由管理员按当地规定调整")
    )
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("证书类型")
        verbose_name_plural = _("证书类型")
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_years__gte=1),
                name="workforce_certificatekind_validity_positive",
                violation_error_message=_("有效期至少为1年"),
            ),
            models.CheckConstraint(
                condition=Q(review_interval_years__isnull=True) | Q(review_interval_years__gte=1),
                name="workforce_certificatekind_review_interval_positive",
                violation_error_message=_("复审周期至少为1年"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> rules.KindRules:
        return rules.KindRules.of(self)


class CatalogueVersion(models.Model):
    """A version of the 特种作业目录 (the 2010 annex today; a new one may replace it)."""

    code = models.CharField(_("版本"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    effective_date = models.DateField(_("施行日期"), null=True, blank=True)
    is_current = models.BooleanField(_("现行"), default=False)

    class Meta:
        ordering = ["-is_current", "-code"]
        verbose_name = _("特种作业目录版本")
        verbose_name_plural = _("特种作业目录版本")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="workforce_catalogueversion_one_current",
                violation_error_message=_("只能有一个现行目录版本"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OperationCategory(models.Model):
    """作业类别, e.g. 1 电工作业."""

    version = models.ForeignKey(
        CatalogueVersion,
        verbose_name=_("目录版本"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    code = models.CharField(_("类别代码"), max_length=10)
    name = models.CharField(_("作业类别"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["version", "sort_order", "code"]
        verbose_name = _("作业类别")
        verbose_name_plural = _("作业类别")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="workforce_operationcategory_code_unique",
                violation_error_message=_("同一目录版本中作业类别代码不能重复"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OperationItem(models.Model):
    """操作项目, e.g. 1.1 高压电工作业. `is_variant` marks items real systems add to the annex."""

    category = models.ForeignKey(
        OperationCategory,
        verbose_name=_("作业类别"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    code = models.CharField(_("项目代码"), max_length=10)
    name = models.CharField(_("操作项目"), max_length=100)
    is_variant = models.BooleanField(
        _("目录外通行项目"), default=False, help_text=_("现行考试目录使用、2010年目录未列")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["category__version", "category__sort_order", "sort_order", "code"]
        verbose_name = _("操作项目")
        verbose_name_plural = _("操作项目")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"],
                name="workforce_operationitem_code_unique",
                violation_error_message=_("同一作业类别中操作项目代码不能重复"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# People, posts, certificates ----------------------------------------------------


class Person(ScopedModel):
    """A natural person on a roster. Shared across enterprises, seen through their posts."""

    # The scope path crosses posts (to-many): core.scoping filters through a pk
    # subquery so that a person with several posts is listed once.
    SCOPE_ENTERPRISE = "posts__enterprise"

    name = models.CharField(_("姓名"), max_length=50)
    # Unique through Meta.constraints, not unique=True: on PostgreSQL the field
    # option adds a second, varchar_pattern_ops "_like" index that only a LIKE
    # search could use, and the roster search ORs it with name__icontains (a
    # sequential scan anyway), so it only cost every import a second index write.
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number])
    gender = models.CharField(_("性别"), max_length=6, choices=Gender, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_phone])

    objects = PersonQuerySet.as_manager()

    class Meta:
        # Pinyin order on PostgreSQL, code points on SQLite (core/ordering.py).
        ordering = [name_order(), "pk"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [
            # Serves the roster's default (pinyin) ordering: name COLLATE "zh-x-icu", id.
            models.Index(PinyinCollate("name"), F("id"), name="workforce_person_name"),
        ]
        constraints = [
            # Serves the roster import's match of rows to people (join on id_number)
            # and exact look-ups by ID number (search with 18 characters). No custom
            # message: Django then reports it on the field, as unique=True did.
            models.UniqueConstraint(fields=["id_number"], name="workforce_person_id_number_unique"),
            models.CheckConstraint(
                condition=Exact(Length("id_number"), 18),
                name="workforce_person_id_number_18",
                violation_error_message=_("身份证号应为18位"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.derive_from_id_number()
        super().save(*args, **kwargs)

    def derive_from_id_number(self) -> None:
        """Gender and birth date come from the ID number (GB 11643-1999), never typed twice."""
        try:
            info = parse_id_number(self.id_number, allow_legacy=False)
        except ValidationError:
            return  # full_clean reports it; a direct save keeps what it was given
        self.id_number, self.gender, self.birth_date = info.number, info.gender, info.birth_date


class Post(ScopedModel):
    """A person's post (岗位) at an enterprise, from `start_date` to `end_date` (null = on duty)."""

    SCOPE_ENTERPRISE = "enterprise"

    # Indexed: a person's posts (detail page, the scope subquery Person ->
    # posts__enterprise, CASCADE on delete); the partial unique indexes below only
    # cover on-duty posts.
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="posts"
    )
    # No own index: workforce_post_ent_type leads with enterprise_id and serves
    # the scope filter and the per-enterprise aggregates.
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="posts",
        db_index=False,
    )
    # No own index (nor its varchar_pattern_ops twin): six post types, so a filter
    # on the type alone reads a large share of the table, which a scan does best;
    # with an enterprise it uses workforce_post_ent_type. Only deleting a PostType
    # (PROTECT check) scans without it.
    post_type = models.ForeignKey(
        PostType,
        verbose_name=_("岗位"),
        on_delete=models.PROTECT,
        related_name="posts",
        db_index=False,
    )
    # No index: posts are never looked up by item (the compliance EXISTS compares it
    # per post); only deleting a catalogue item (PROTECT check) scans without it.
    operation_item = models.ForeignKey(
        OperationItem,
        verbose_name=_("操作项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
        help_text=_("特种作业人员须填写"),
        db_index=False,
    )
    start_date = models.DateField(_("上岗日期"), null=True, blank=True)
    end_date = models.DateField(_("离岗日期"), null=True, blank=True, help_text=_("空表示在岗"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        # Plain columns only: an ordering through joins would drag them into every
        # values().annotate() aggregate that forgets order_by().
        ordering = ["enterprise_id", "post_type_id", "pk"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        indexes = [
            # Serves the per-enterprise 持证率 aggregate and the roster filtered by post type.
            models.Index(fields=["enterprise", "post_type"], name="workforce_post_ent_type"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="workforce_post_end_after_start",
                violation_error_message=_("离岗日期不能早于上岗日期"),
            ),
            # One on-duty post of a kind per person and enterprise: the roster import
            # upserts on it. Two constraints because NULL items never compare equal.
            models.UniqueConstraint(
                fields=["person", "enterprise", "post_type", "operation_item"],
                condition=Q(end_date__isnull=True, operation_item__isnull=False),
                name="workforce_post_on_duty_item_unique",
                violation_error_message=_("该人员在本企业已有相同操作项目的在岗岗位"),
            ),
            models.UniqueConstraint(
                fields=["person", "enterprise", "post_type"],
                condition=Q(end_date__isnull=True, operation_item__isnull=True),
                name="workforce_post_on_duty_unique",
                violation_error_message=_("该人员在本企业已有相同的在岗岗位"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.post_type}"

    def clean(self) -> None:
        kinds = CertificateKind.objects.filter(
            post_types=self.post_type_id, requires_operation_item=True
        )
        if self.post_type_id and self.operation_item_id is None and kinds.exists():
            raise ValidationError({"operation_item": _("特种作业人员须填写操作项目")})

    def facts(self) -> rules.PostFacts:
        return rules.PostFacts(
            post_type=self.post_type_id,
            requires_certificate=self.post_type.requires_certificate,
            operation_item_id=self.operation_item_id,
            start_date=self.start_date,
            end_date=self.end_date,
        )

    def is_compliant_on(self, on: date) -> bool:
        """The Python form of `PostQuerySet.compliant(on)` for one post (same rule)."""
        certs = Certificate.objects.filter(holder_id=self.person_id).select_related("kind")
        return rules.post_is_compliant(self.facts(), [c.facts() for c in certs], on)


class Certificate(ScopedModel):
    """One version of a certificate. A review or renewal adds a version; history stays.

    The current version has `is_current` and no `superseded_on`. Each version
    counts from `effective_from` (issue date, or the review date for a review
    version) until its successor's `superseded_on`, so that 持证率 on a past day
    reads the version valid then. `review_due_date` is stored (computed by
    `rules.next_review_due` unless given explicitly) so that the SQL compliance
    filter needs no date arithmetic.
    """

    SCOPE_ENTERPRISE = "enterprise"

    # No own index: workforce_cert_holder_kind leads with holder_id and serves a
    # person's certificates, the compliance EXISTS and the PROTECT check.
    holder = models.ForeignKey(
        Person,
        verbose_name=_("持证人"),
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,
    )
    # No own index (nor its varchar_pattern_ops twin): four kinds, so a filter on
    # the kind alone (integrity checks) reads a large share of the table anyway.
    kind = models.ForeignKey(
        CertificateKind,
        verbose_name=_("证书类型"),
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,
    )
    # No index: certificates are found by holder (and kind), the item is compared
    # per row; only deleting a catalogue item (PROTECT check) scans without it.
    operation_item = models.ForeignKey(
        OperationItem,
        verbose_name=_("操作项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,
    )
    # Indexed: the scope filter of every enterprise user and the per-enterprise lists.
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("登记企业"),
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text=_("登记该证书的企业，决定谁能看到它"),
    )
    number = models.CharField(_("证书编号"), max_length=50)
    issuing_authority = models.CharField(_("发证机关"), max_length=100, blank=True)
    first_issue_date = models.DateField(_("初领日期"), null=True, blank=True)
    issue_date = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    effective_from = models.DateField(_("本版本生效日期"))
    review_interval_years = models.PositiveSmallIntegerField(
        _("复审周期（年）"), null=True, blank=True, help_text=_("空表示按证书类型的规定")
    )
    last_review_date = models.DateField(_("实际复审日期"), null=True, blank=True)
    # 30号令 Art. 21: the 6-year interval needs the issuer's consent; who gave it and
    # under which document is recorded with the review that was granted it.
    # db_default: the roster import inserts certificates in SQL without these columns.
    extension_consent_by = models.CharField(
        _("延长复审同意机关"), max_length=100, blank=True, default="", db_default=""
    )
    extension_consent_ref = models.CharField(
        _("延长复审同意文号"), max_length=100, blank=True, default="", db_default=""
    )
    review_due_date = models.DateField(_("应复审日期"), null=True, blank=True)
    state = models.CharField(
        _("证书状态"), max_length=10, choices=CertificateState, default=CertificateState.ACTIVE
    )
    state_changed_on = models.DateField(_("撤销/注销日期"), null=True, blank=True)
    state_reason = models.CharField(_("撤销/注销原因"), max_length=200, blank=True)
    origin = models.CharField(
        _("版本来源"), max_length=10, choices=CertificateOrigin, default=CertificateOrigin.ISSUED
    )
    # Its unique index stays: one successor per version is the history's invariant,
    # and it serves the successor look-up (a version's `successor`).
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    is_current = models.BooleanField(_("当前版本"), default=True)
    superseded_on = models.DateField(_("被取代日期"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-is_current", "number", "-effective_from", "-pk"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        indexes = [
            # Serves the compliance EXISTS subquery: a post holder's certificates of a kind.
            models.Index(fields=["holder", "kind"], name="workforce_cert_holder_kind"),
            # Serves the "expiring" list and the staged reminders over current versions.
            models.Index(
                fields=["valid_until"],
                condition=Q(is_current=True),
                name="workforce_cert_current_until",
            ),
            # Serves the "due for review" list and its reminders over current versions.
            models.Index(
                fields=["review_due_date"],
                condition=Q(is_current=True),
                name="workforce_cert_current_review",
            ),
        ]
        constraints = [
            # Also the index for look-ups by number (import upsert, public check).
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(is_current=True),
                name="workforce_certificate_number_current_unique",
                violation_error_message=_("该证书编号已登记"),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("issue_date")),
                name="workforce_certificate_valid_after_issue",
                violation_error_message=_("有效期至不能早于发证日期"),
            ),
            models.CheckConstraint(
                condition=Q(effective_from__gte=F("issue_date")),
                name="workforce_certificate_effective_after_issue",
                violation_error_message=_("版本生效日期不能早于发证日期"),
            ),
            models.CheckConstraint(
                condition=Q(is_current=True, superseded_on__isnull=True)
                | Q(is_current=False, superseded_on__isnull=False),
                name="workforce_certificate_current_not_superseded",
                violation_error_message=_("当前版本不能有被取代日期，历史版本必须有"),
            ),
            models.CheckConstraint(
                condition=Q(review_interval_years__isnull=True) | Q(review_interval_years__gte=1),
                name="workforce_certificate_review_interval_positive",
                violation_error_message=_("复审周期至少为1年"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> None:
        """Fill what the rules derive and the caller left empty (bulk writers call this too)."""
        kind = self.kind
        if self.valid_until is None and self.issue_date:
            self.valid_until = rules.default_valid_until(kind, self.issue_date)
        if self.effective_from is None:
            self.effective_from = self.issue_date
        if self.review_due_date is None and self.issue_date and self.valid_until:
            self.review_due_date = rules.next_review_due(
                kind,
                issue_date=self.issue_date,
                valid_until=self.valid_until,
                interval_years=self.review_interval_years,
                last_review_date=self.last_review_date,
            )

    def clean(self) -> None:
        if self.kind_id and self.kind.requires_operation_item and not self.operation_item_id:
            raise ValidationError(
                {"operation_item": _("%(kind)s须填写操作项目") % {"kind": self.kind}}
            )

    @property
    def operation_category(self) -> OperationCategory | None:
        return self.operation_item.category if self.operation_item_id else None

    def facts(self) -> rules.CertificateFacts:
        return rules.CertificateFacts.of(self)

    def status_on(self, on: date) -> CertificateStatus:
        return rules.certificate_status(self.facts(), on)

    @property
    def status(self) -> CertificateStatus:
        return self.status_on(date.today())

    def versions(self) -> list[Certificate]:
        """This version and its predecessors, newest first."""
        chain, cert = [], self
        while cert is not None:
            chain.append(cert)
            cert = cert.previous
        return chain


# Integrity review queue and compliance snapshots -----------------------------


class IntegrityFlag(ScopedModel):
    """A finding of the integrity checks (打击假冒证件), reviewed by district admins.

    `key` identifies the finding (e.g. the duplicated number), so re-running the
    checks updates a flag instead of raising it twice.
    """

    SCOPE_ENTERPRISE = "enterprise"

    kind = models.CharField(_("类型"), max_length=30, choices=IntegrityKind)
    key = models.CharField(_("标识"), max_length=100)
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="integrity_flags"
    )
    certificate = models.ForeignKey(
        "Certificate",
        verbose_name=_("证书"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="integrity_flags",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="integrity_flags",
    )
    details = models.JSONField(_("详情"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=IntegrityStatus, default=IntegrityStatus.OPEN
    )
    detected_on = models.DateField(_("发现日期"))
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    review_reason = models.CharField(_("处理说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["status", "-detected_on", "pk"]
        verbose_name = _("证件核查线索")
        verbose_name_plural = _("证件核查线索")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "person"],
                name="workforce_integrityflag_unique_finding",
                violation_error_message=_("该线索已存在"),
            ),
        ]
        indexes = [
            # Serves the review queue: open flags first, newest first.
            models.Index(fields=["status", "detected_on"], name="workforce_flag_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.key}"


class ComplianceSnapshot(models.Model):
    """持证率 counts of one enterprise on one day, kept so dashboards need not recount.

    Refreshed after imports and certificate changes for today, and at month ends
    for the trend; any other date is computed live from `Post.objects.compliance_*`.
    """

    SCOPE_UNIT = None
    SCOPE_ENTERPRISE = "enterprise"

    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.CASCADE, related_name="compliance_snapshots"
    )
    on = models.DateField(_("日期"))
    required = models.PositiveIntegerField(_("应持证岗位数"), default=0)
    compliant = models.PositiveIntegerField(_("持证岗位数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "enterprise_id"]
        verbose_name = _("持证率快照")
        verbose_name_plural = _("持证率快照")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "on"], name="workforce_compliancesnapshot_unique_day"
            ),
        ]
        indexes = [
            # Serves the dashboard: every enterprise's counts on one day.
            models.Index(fields=["on", "enterprise"], name="workforce_snapshot_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}@{self.on}: {self.compliant}/{self.required}"

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        return action in ("view", "export")
