"""Training after accidents (issue #12 §7): recording a 生产安全事故 creates the training
obligations it brings (主要负责人, 安全生产管理人员, 全体从业人员) with a deadline.

Who records: the district, the enterprise's 属地 (and units above it) and its supervising
departments — whoever may add an `Accident` at that enterprise (`for_user(…, "add")`).
An enterprise's own account only reads its accidents (`may_record`).

The deadline: no national rule fixes a number of days for the post-accident training
(生产经营单位安全培训规定 requires the retraining, not a term; domain.md is silent), so
the district sets it: `settings.TRAINING_ACCIDENT_DEADLINE_DAYS`, by default
`DEFAULT_DEADLINE_DAYS` (30, the issue's example), counted from the day the accident is
recorded — an accident recorded late still leaves the enterprise the full term.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.audit.context import acting_as
from xuanpei.core.views import ensure_in_scope
from xuanpei.training.models import Accident, TrainingObligation

DEFAULT_DEADLINE_DAYS = 30

# GB 6441-1986《企业职工伤亡事故分类》第 5 条: the 20 事故类别, in the standard's order.
ACCIDENT_KINDS: tuple[str, ...] = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
)

FUTURE_DATE = gettext_lazy("事故日期不能晚于今天")
EDITABLE = ("occurred_on", "kind", "severity", "deaths", "injuries", "summary")


def deadline_days() -> int:
    return int(getattr(settings, "TRAINING_ACCIDENT_DEADLINE_DAYS", DEFAULT_DEADLINE_DAYS))


def may_record(user) -> bool:
    """Units and departments record accidents; an enterprise's account only reads its own
    (the rule is the model's: `Accident.scope_allows`)."""
    return Accident.scope_allows(user, "add")


def accident_errors(*, occurred_on, kind, deaths, injuries, today: date) -> dict[str, str]:
    """Each bad field → its Chinese reason (the form, the API and the service say the same)."""
    errors = {}
    if occurred_on and occurred_on > today:
        errors["occurred_on"] = str(FUTURE_DATE)
    if kind not in ACCIDENT_KINDS:
        errors["kind"] = _("事故类别“%(kind)s”不在 GB 6441 的类别中") % {"kind": kind}
    for name, value in (("deaths", deaths), ("injuries", injuries)):
        if value is not None and value < 0:
            errors[name] = _("人数不能为负数")
    return errors


def _check(fields: dict, today: date) -> None:
    errors = accident_errors(
        occurred_on=fields.get("occurred_on"),
        kind=fields.get("kind"),
        deaths=fields.get("deaths"),
        injuries=fields.get("injuries"),
        today=today,
    )
    if errors:
        raise ValidationError(errors)


def record_accident(
    *,
    enterprise,
    occurred_on: date,
    kind: str,
    severity: str,
    deaths: int = 0,
    injuries: int = 0,
    summary: str = "",
    actor,
    today: date | None = None,
) -> Accident:
    """Record an accident and create its three training obligations, all or nothing."""
    today = today or timezone.localdate()
    if actor is not None and not may_record(actor):
        raise PermissionDenied(_("企业账号不能登记事故，请由属地或行业主管部门登记"))
    fields = {
        "occurred_on": occurred_on,
        "kind": kind,
        "severity": severity,
        "deaths": deaths or 0,
        "injuries": injuries or 0,
        "summary": summary or "",
    }
    _check(fields, today)
    due_on = today + timedelta(days=deadline_days())
    with transaction.atomic(), acting_as(actor):
        accident = Accident(enterprise=enterprise, created_by=actor, **fields)
        accident.full_clean()
        accident.save()
        TrainingObligation.objects.bulk_create(
            TrainingObligation(accident=accident, audience=audience, due_on=due_on)
            for audience in TrainingObligation.Audience.values
        )
        if actor is not None:
            ensure_in_scope(accident, actor, "add")
        # Sessions already held since the accident count at once.
        from xuanpei.training.obligations import refresh_obligations

        refresh_obligations(enterprise)
    return accident


def update_accident(accident: Accident, *, actor, today: date | None = None, **changes) -> Accident:
    """Change an accident's facts (not its enterprise); its obligations are re-judged."""
    today = today or timezone.localdate()
    if actor is not None and not may_record(actor):
        raise PermissionDenied(_("企业账号不能修改事故记录"))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("不能修改：%(f)s") % {"f": "、".join(sorted(unknown))})
    for name, value in changes.items():
        setattr(accident, name, value)
    _check({name: getattr(accident, name) for name in EDITABLE}, today)
    with transaction.atomic(), acting_as(actor):
        accident.full_clean()
        accident.save(update_fields=list(changes) or None)
        if actor is not None:
            ensure_in_scope(accident, actor, "change")
        from xuanpei.training.obligations import refresh_obligations

        refresh_obligations(accident.enterprise)
    return accident
