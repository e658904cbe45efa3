"""The activity ledger, new-media output and quotas (issue #11 items 3–5).

Every publicity activity is recorded once, by the unit (or enterprise) that held
it, where it happened; every roll-up, coverage matrix and computed plan target
reads these rows, never a retyped number.

Ownership (scoping): an activity or a media post belongs to the unit that
recorded it (`unit`) and, when an enterprise recorded it, to that enterprise too
(`enterprise`; `unit` is then the enterprise's 属地). The unit above reviews it
(draft → submitted → accepted / returned), as plan reports are reviewed.
A quota belongs to the unit that set it (the district) and is read below it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel
from xuanpei.core.validators import validate_url


class FiveIn(models.TextChoices):
    """安全宣传“五进” (domain.md §8): where an activity went."""

    ENTERPRISE = "enterprise", _("进企业")
    VILLAGE = "village", _("进农村")
    COMMUNITY = "community", _("进社区")
    SCHOOL = "school", _("进学校")
    FAMILY = "family", _("进家庭")


# Activity's boolean field for each 五进 target: one column each, so a coverage
# matrix is a handful of COUNT(*) FILTER (WHERE to_x) over one scan.
FIVE_IN_FIELDS = {
    FiveIn.ENTERPRISE: "to_enterprise",
    FiveIn.VILLAGE: "to_village",
    FiveIn.COMMUNITY: "to_community",
    FiveIn.SCHOOL: "to_school",
    FiveIn.FAMILY: "to_family",
}


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class DictionaryEntry(models.Model):
    """A named, ordered entry of a dictionary the district keeps (audiences, forms)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Audience(DictionaryEntry):
    """Who an activity reached (市民, 中小学生, 企业职工 …)."""

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("宣传对象")
        verbose_name_plural = _("宣传对象")


class ActivityForm(DictionaryEntry):
    """How an activity was held (宣讲, 咨询台, 演练, 展览 …)."""

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("活动形式")
        verbose_name_plural = _("活动形式")


class Activity(ScopedModel):
    """One publicity activity as it happened (宣传活动台账)."""

    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = "enterprise"

    title = models.CharField(_("活动名称"), max_length=200)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("组织企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    campaigns = models.ManyToManyField(
        "publicity.Campaign", verbose_name=_("宣传主题活动"), related_name="activities", blank=True
    )
    tasks = models.ManyToManyField(
        "plans.Task", verbose_name=_("对应计划任务"), related_name="activities", blank=True
    )
    held_on = models.DateField(_("活动日期"))
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    end_time = models.TimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("活动地点"), max_length=200)
    # The 村/社区 (or 镇街) it happened in, from the unit tree: coverage reads it.
    locality = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所在村/社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities_held",
    )
    to_enterprise = models.BooleanField(_("进企业"), default=False)
    to_village = models.BooleanField(_("进农村"), default=False)
    to_community = models.BooleanField(_("进社区"), default=False)
    to_school = models.BooleanField(_("进学校"), default=False)
    to_family = models.BooleanField(_("进家庭"), default=False)
    audiences = models.ManyToManyField(
        Audience, verbose_name=_("宣传对象"), related_name="activities", blank=True
    )
    forms = models.ManyToManyField(
        ActivityForm, verbose_name=_("活动形式"), related_name="activities", blank=True
    )
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    summary = models.TextField(_("活动简介"), blank=True)
    media_links = models.TextField(
        _("媒体报道链接"), blank=True, help_text=_("每行一个 http(s) 链接")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus, default=ReviewStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    # The district chose to show it on the public page (title, date, place, photos only).
    is_public = models.BooleanField(_("公开展示"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        indexes = [
            # Serves roll-ups and computed targets: a unit's accepted activities in a period.
            models.Index(fields=["unit", "held_on"], name="publicity_activity_unit_day"),
            # Serves the district roll-up by month (rollups.by_month, by_unit) and the
            # reviewer's queue. Covering (participants, unit): the month roll-up is an
            # index-only scan — EXPLAIN in bench/publicity.py at 1M activities: bitmap heap
            # scan of 159k rows 376 ms → parallel index-only scan 94 ms (docs/benchmarks.md).
            models.Index(
                fields=["status", "held_on"],
                include=["participants", "unit"],
                name="publicity_act_accepted_day",
            ),
            # Serves coverage of villages and communities (who was reached this year).
            models.Index(fields=["locality", "held_on"], name="publicity_activity_locality"),
            # Serves the ledger's page and API in their order (latest first): the first page
            # without sorting every activity (district reader, scale 10: 18 ms → 5 ms).
            models.Index(fields=["-held_on", "-id"], name="publicity_activity_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gte=models.F("start_time")),
                name="publicity_activity_end_not_before_start",
                violation_error_message=_("结束时间不能早于开始时间"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publicity:activity_detail", args=[self.pk])

    @property
    def five_in(self) -> list[str]:
        return [value for value, field in FIVE_IN_FIELDS.items() if getattr(self, field)]


class ActivityFile(ScopedModel):
    """A photo or file of an activity, checked by content (core's shared file checker)."""

    SCOPE_UNIT = "activity__unit"
    SCOPE_ENTERPRISE = "activity__enterprise"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="publicity/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)  # "image", "pdf", "docx", "xlsx"
    size = models.PositiveIntegerField(_("大小（字节）"))
    thumbnail = models.FileField(_("缩略图"), upload_to="publicity/thumbs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["activity", "pk"]
        verbose_name = _("活动照片和附件")
        verbose_name_plural = _("活动照片和附件")

    def __str__(self) -> str:
        return self.name


class ActivityMaterial(ScopedModel):
    """Materials handed out at an activity: kind (宣传册, 折页, 宣传品 …) and count."""

    SCOPE_UNIT = "activity__unit"
    SCOPE_ENTERPRISE = "activity__enterprise"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("资料种类"), max_length=50)
    count = models.PositiveIntegerField(_("数量"))

    class Meta:
        ordering = ["activity", "pk"]
        verbose_name = _("发放资料")
        verbose_name_plural = _("发放资料")

    def __str__(self) -> str:
        return f"{self.kind} {self.count}"


class Channel(models.TextChoices):
    """两微一端, 抖音, 视频号, 门户网站, 主流媒体."""

    WECHAT = "wechat", _("微信公众号")
    WEIBO = "weibo", _("微博")
    APP = "app", _("客户端")
    DOUYIN = "douyin", _("抖音")
    CHANNELS = "channels", _("视频号")
    PORTAL = "portal", _("门户网站")
    PRESS = "press", _("主流媒体")


class MediaKind(models.TextChoices):
    POST = "post", _("图文")
    ARTICLE = "article", _("文章")
    VIDEO = "video", _("微视频")
    PSA = "psa", _("公益广告")


class MediaPost(ScopedModel):
    """One new-media output: a post, article, micro-video or public-service ad."""

    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = "enterprise"

    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("发布单位"),
        on_delete=models.PROTECT,
        related_name="media_posts",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("发布企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="media_posts",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel)
    account = models.CharField(_("账号"), max_length=100)
    kind = models.CharField(_("形式"), max_length=10, choices=MediaKind, default=MediaKind.POST)
    title = models.CharField(_("标题"), max_length=200)
    url = models.URLField(_("链接"), max_length=500, validators=[validate_url])
    published_on = models.DateField(_("发布日期"))
    is_original = models.BooleanField(_("原创"), default=True)
    views = models.PositiveIntegerField(_("阅读/播放量"), default=0)
    likes = models.PositiveIntegerField(_("点赞数"), default=0)
    shares = models.PositiveIntegerField(_("转发数"), default=0)
    campaigns = models.ManyToManyField(
        "publicity.Campaign", verbose_name=_("宣传主题活动"), related_name="media_posts", blank=True
    )
    tasks = models.ManyToManyField(
        "plans.Task", verbose_name=_("对应计划任务"), related_name="media_posts", blank=True
    )

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("新媒体发布")
        verbose_name_plural = _("新媒体发布")
        indexes = [
            # Serves tallies per unit and month and computed "新媒体发布 ≥ N 条" targets.
            models.Index(fields=["unit", "published_on"], name="publicity_media_unit_day"),
            # Serves the district tally by channel and month.
            models.Index(fields=["published_on", "channel"], name="publicity_media_day_channel"),
        ]
        constraints = [
            # Upsert key of the media import: one row per link.
            models.UniqueConstraint(fields=["url"], name="publicity_media_url_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publicity:media_detail", args=[self.pk])


class QuotaMeasure(models.TextChoices):
    ACTIVITIES = "activities", _("活动次数")
    LOCALITIES = "localities", _("村/社区全覆盖")


class Quota(ScopedModel):
    """A yearly quota the district sets, per unit kind (新城, 镇街) and optionally
    per campaign and 五进 type: "each new town ≥ 5 activities in 安全生产月",
    "every 镇街 covers each of its 村/社区 at least once a year"."""

    SCOPE_UNIT = "unit"
    SCOPE_SHARED_DOWN = "unit"

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    # orgs.UnitKind value of the units the quota applies to (new_town, town …).
    applies_to = models.CharField(_("适用单位类型"), max_length=20)
    campaign = models.ForeignKey(
        "publicity.Campaign",
        verbose_name=_("宣传主题活动"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    five_in = models.CharField(_("五进类型"), max_length=10, choices=FiveIn, blank=True)
    measure = models.CharField(
        _("考核方式"), max_length=12, choices=QuotaMeasure, default=QuotaMeasure.ACTIVITIES
    )
    minimum = models.PositiveIntegerField(_("最低次数"), default=1)

    class Meta:
        ordering = ["-year", "name", "pk"]
        verbose_name = _("宣传活动定额")
        verbose_name_plural = _("宣传活动定额")

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Quotas set above are read below (no draft state)."""
        return Q()
