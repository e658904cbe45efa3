"""Units of the district and the enterprises (生产经营单位) they oversee."""

from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from xuanpei.core.models import ScopedModel, TimeStampedModel
from xuanpei.core.ordering import PinyinCollate, name_order
from xuanpei.core.permissions import is_district_admin
from xuanpei.core.scoping import ScopedQuerySet
from xuanpei.core.validators import validate_not_in_future, validate_phones, validate_uscc
from xuanpei.orgs.choices import EnterpriseScale, RiskLevel, UnitKind


class UnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def departments(self):
        return self.filter(kind=UnitKind.DEPARTMENT)

    def territorial(self):
        return self.exclude(kind=UnitKind.DEPARTMENT)


class UnitManager(MP_NodeManager):
    def get_queryset(self):
        return UnitQuerySet(self.model).order_by("path")

    def for_user(self, user, action="view"):
        return self.get_queryset().for_user(user, action)

    def departments(self):
        return self.get_queryset().departments()

    def territorial(self):
        return self.get_queryset().territorial()


class Unit(MP_Node, TimeStampedModel):
    """A node of the district tree: 区 → 新城 → 镇/街道 → 村/社区, and 行业部门 under the 区.

    Materialized path (django-treebeard): a subtree is `path__startswith`, one
    indexed range scan on SQLite and PostgreSQL alike.
    """

    SCOPE_UNIT = ""
    SCOPE_ENTERPRISE = None
    steplen = 4

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind)
    code = models.CharField(_("单位编码"), max_length=30, blank=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    # Issue #11 (Bad input): an activity cannot be dated before its unit existed.
    # Blank = unknown, which refuses nothing.
    established_on = models.DateField(
        _("成立日期"),
        null=True,
        blank=True,
        help_text=_("留空表示不详"),
        validators=[validate_not_in_future],
    )

    objects = UnitManager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [
            # Serves every scope filter `path LIKE 'prefix%'` on PostgreSQL, whose
            # default collation keeps the unique index from answering LIKE.
            models.Index(
                fields=["path"], name="orgs_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # Serves name look-ups by importers (属地 column).
            models.Index(fields=["name"], name="orgs_unit_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="orgs_unit_code_unique",
                violation_error_message=_("单位编码已存在"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:unit_detail", args=[self.pk])

    @property
    def is_department(self) -> bool:
        return self.kind == UnitKind.DEPARTMENT

    @property
    def full_name(self) -> str:
        """Names from below the district down to this unit, e.g. 东新城/沣东街道."""
        ancestors = Unit.objects.get_ancestors(self) if self.depth > 1 else []
        names = [a.name for a in ancestors if a.depth > 1] + [self.name]
        return "/".join(names)

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        # The tree is the district's to shape; everyone in scope may look at it.
        return action in ("view", "export") or is_district_admin(user)


class Sector(models.Model):
    """行业领域 — an editable dictionary (domain.md §9), with its usual supervisors."""

    name = models.CharField(_("行业领域"), max_length=50, unique=True)
    code = models.SlugField(_("编码"), max_length=30, unique=True)
    high_risk = models.BooleanField(
        _("高危行业"), default=False, help_text=_("煤矿、非煤矿山、危险化学品、烟花爆竹、金属冶炼")
    )
    default_departments = models.ManyToManyField(
        Unit,
        verbose_name=_("默认行业主管部门"),
        blank=True,
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
        related_name="default_sectors",
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")

    def __str__(self) -> str:
        return self.name


class Enterprise(ScopedModel):
    """A 生产经营单位, seen by its territorial unit's subtree and its supervising departments."""

    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = ""
    # Thousands of rows: choice fields over enterprises autocomplete (core.pickers).
    AUTOCOMPLETE_URL = "orgs:enterprise_autocomplete"

    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("属地"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_("企业所在镇街或新城"),
    )
    departments = models.ManyToManyField(
        Unit,
        verbose_name=_("行业主管部门"),
        related_name="supervised_enterprises",
        blank=True,
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="enterprises"
    )
    scale = models.CharField(_("规模"), max_length=10, choices=EnterpriseScale, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    safety_contact = models.CharField(_("安全负责人"), max_length=50, blank=True)
    safety_phone = models.CharField(
        _("联系电话"),
        max_length=30,
        blank=True,
        validators=[validate_phones],
        help_text=_("手机或带区号的固定电话，多个号码用“、”分隔"),
    )
    is_active = models.BooleanField(_("在营"), default=True)
    closed_at = models.DateField(_("关闭日期"), null=True, blank=True)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)

    class Meta:
        # Pinyin order on PostgreSQL, code points on SQLite (core/ordering.py).
        ordering = [name_order(), "pk"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            # Serves the list's default (pinyin) ordering: name COLLATE "zh-x-icu", id.
            models.Index(PinyinCollate("name"), F("id"), name="orgs_enterprise_name"),
            # Serves per-unit counts on the dashboard and the unit filter.
            models.Index(fields=["unit", "is_active"], name="orgs_enterprise_unit_active"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:enterprise_detail", args=[self.pk])

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        # An enterprise account looks after its own record; it cannot create,
        # import or delete enterprises.
        if getattr(user, "enterprise_id", None):
            return action in ("view", "change", "export")
        return True
