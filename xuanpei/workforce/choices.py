"""Enumerations of the workforce app.

What the regulations may change (post types, certificate kinds and their
periods, the 特种作业 catalogue) are models seeded from `catalogue.py`; the
codes below only name the seeded rows so that code can refer to them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """Derived from the 17th digit of the ID number (odd = male), GB 11643-1999."""

    MALE = "male", _("男")
    FEMALE = "female", _("女")


class PostTypeCode(models.TextChoices):
    """Codes of the seeded `PostType` rows (生产经营单位安全培训规定 Art. 4, 安全生产法 Art. 27/30)."""

    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员")
    SPECIAL_OPERATION = "special_operation", _("特种作业人员")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备作业人员")
    CONSTRUCTION_SPECIAL = "construction_special", _("建筑施工特种作业人员")
    OTHER = "other", _("其他从业人员")


class CertificateKindCode(models.TextChoices):
    """Codes of the seeded `CertificateKind` rows."""

    SPECIAL_OPERATION = "special_operation", _("特种作业操作证")
    SAFETY_COMPETENCE = "safety_competence", _("安全生产知识和管理能力考核合格证")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备安全管理和作业人员证")
    CONSTRUCTION_SPECIAL = "construction_special", _("建筑施工特种作业操作资格证")


class NumberRule(models.TextChoices):
    """How a certificate number relates to the holder's ID number (integrity checks)."""

    FREE = "", _("不限")
    T_PLUS_ID = "T+ID", _("T+身份证号")


class CertificateState(models.TextChoices):
    """The manual states of a certificate; everything else is computed (`rules.py`)."""

    ACTIVE = "active", _("正常")
    REVOKED = "revoked", _("已撤销")  # 撤销, 30号令 Art. 30
    CANCELLED = "cancelled", _("已注销")  # 注销, 30号令 Art. 31


class CertificateOrigin(models.TextChoices):
    """Why a certificate version exists."""

    ISSUED = "issued", _("发证")
    REVIEWED = "reviewed", _("复审")
    RENEWED = "renewed", _("换证/延期复审")


class CertificateStatus(models.TextChoices):
    """The status computed for a day by `rules.certificate_status`."""

    VALID = "valid", _("有效")
    REVIEW_DUE = "review_due", _("待复审")
    REVIEW_OVERDUE = "review_overdue", _("逾期未复审（失效）")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")
    CANCELLED = "cancelled", _("已注销")
    # A version asked about a day before it took effect, or after its successor did.
    NOT_YET_VALID = "not_yet_valid", _("未生效")
    SUPERSEDED = "superseded", _("已被新版本取代")


# A certificate in one of these statuses lets its holder work the post (持证上岗):
# an expiring card or one inside its review window is still legally valid.
COVERING_STATUSES = frozenset(
    {CertificateStatus.VALID, CertificateStatus.REVIEW_DUE, CertificateStatus.EXPIRING}
)


class IntegrityKind(models.TextChoices):
    """打击假冒证件: the integrity checks of issue #3 §4."""

    DUPLICATE_NUMBER = "duplicate_number", _("同一证书编号由不同人员持有")
    MULTIPLE_EMPLOYERS = "multiple_employers", _("同一人员同时在多家企业在岗")
    NUMBER_MISMATCH = "number_mismatch", _("证书编号与持证人身份证号不符")
    ISSUED_UNDER_18 = "issued_under_18", _("发证时持证人未满18周岁")
    ISSUED_AFTER_EXPIRY = "issued_after_expiry", _("发证日期晚于有效期至")


class IntegrityStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    RESOLVED = "resolved", _("已处理")
    DISMISSED = "dismissed", _("已排除")
