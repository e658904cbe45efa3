"""Staged reminders (issue #3 §3): certificates due for review (复审) or expiring.

Stages are days before the due date — `settings.CERT_REMINDER_DAYS`, by default
90, 60, 30 and 0 (env `CERT_REMINDER_DAYS=90,60,30,0`). A certificate is at the
closest stage its due date has reached; each (certificate version, due date,
stage, inbox) raises one `Notification`, keyed so that running the job every day
— or twice — raises nothing new until the next stage. Run daily by cron:

    xuanpei send_reminders            # today; --date YYYY-MM-DD, --no-email, --json

Each reminder goes to the enterprise that registered the certificate and to that
enterprise's territorial unit (属地), and is e-mailed to their people with an
address through Django's mail API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.validators import mask_id_number
from xuanpei.notifications import services as inbox
from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.workforce.choices import CertificateState
from xuanpei.workforce.compliance import open_on_q
from xuanpei.workforce.models import Certificate
from xuanpei.workforce.privacy import mask_certificate_number

DEFAULT_STAGES = (90, 60, 30, 0)
# Stage 0 (due today or passed) is still raised this many days after the due date,
# so that a job that did not run for a while catches up; older lapses are left to
# the compliance pages (未持证 lists), not to reminders.
OVERDUE_GRACE_DAYS = 30
KIND = "certificate_due"
REVIEW, EXPIRY = "review", "expiry"


def stages() -> tuple[int, ...]:
    """The configured stages, largest first; bad values stop the job with a clear message."""
    raw = getattr(settings, "CERT_REMINDER_DAYS", DEFAULT_STAGES)
    try:
        values = sorted({int(v) for v in raw}, reverse=True)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"CERT_REMINDER_DAYS must be whole days, e.g. 90,60,30,0; got {raw!r}"
        ) from exc
    if not values or values[-1] < 0:
        raise ImproperlyConfigured(f"CERT_REMINDER_DAYS must be ≥ 0; got {raw!r}")
    return tuple(values)


def stage_for(days_left: int, stage_days: tuple[int, ...]) -> int | None:
    """The closest stage reached `days_left` days before the due date, or None."""
    if days_left < -OVERDUE_GRACE_DAYS:
        return None
    reached = [s for s in stage_days if days_left <= s]
    return min(reached) if reached else None


def level_for(stage: int) -> str:
    if stage <= 0:
        return NotificationLevel.DANGER
    if stage <= 30:
        return NotificationLevel.WARNING
    return NotificationLevel.INFO


@dataclass
class ReminderResult:
    certificates: int = 0  # certificates with a stage reached
    created: int = 0  # notifications raised by this run
    emailed: int = 0  # e-mails sent

    def as_dict(self) -> dict:
        return {"certificates": self.certificates, "created": self.created, "emailed": self.emailed}


def candidates(on: date, horizon: int):
    """Current active certificates of open enterprises with a due date in the window."""
    span = (on - timedelta(days=OVERDUE_GRACE_DAYS), on + timedelta(days=horizon))
    return (
        Certificate.objects.current()
        .filter(open_on_q(on), state=CertificateState.ACTIVE)
        .filter(Q(review_due_date__range=span) | Q(valid_until__range=span))
        .select_related("holder", "kind", "enterprise")
        .order_by("pk")
    )


def notifications_for(cert: Certificate, on: date, stage_days: tuple[int, ...]):
    """The notifications a certificate calls for today (0, 2 or 4: review/expiry × 2 inboxes)."""
    due_list = reverse("workforce:certificates_due")
    for what, due in ((REVIEW, cert.review_due_date), (EXPIRY, cert.valid_until)):
        if due is None:
            continue
        # A review due on or after expiry is a renewal, reminded as the expiry.
        if what == REVIEW and due >= cert.valid_until:
            continue
        stage = stage_for((due - on).days, stage_days)
        if stage is None:
            continue
        title, body = _texts(cert, what, due, on)
        window = "review" if what == REVIEW else "expiring"
        for inbox_kind, target in (("e", cert.enterprise_id), ("u", cert.enterprise.unit_id)):
            yield Notification(
                kind=KIND,
                key=f"cert:{what}:{cert.pk}:{due:%Y%m%d}:{stage}:{inbox_kind}{target}",
                level=level_for(stage),
                title=title,
                body=body,
                url=f"{due_list}?enterprise={cert.enterprise_id}&window={window}",
                due_date=due,
                enterprise_id=target if inbox_kind == "e" else None,
                unit_id=target if inbox_kind == "u" else None,
            )


def _texts(cert: Certificate, what: str, due: date, on: date) -> tuple[str, str]:
    left = (due - on).days
    who = cert.holder.name
    if what == REVIEW:
        if left > 0:
            title = _("%(who)s的%(kind)s距应复审日期还有%(n)d天") % {
                "who": who,
                "kind": cert.kind.name,
                "n": left,
            }
        elif left == 0:
            title = _("%(who)s的%(kind)s今天应复审") % {"who": who, "kind": cert.kind.name}
        else:
            title = _("%(who)s的%(kind)s逾期未复审，证书失效") % {
                "who": who,
                "kind": cert.kind.name,
            }
        advice = _("请在应复审日期前%(d)d天内向发证机关申请复审；逾期未复审的证书失效。") % {
            "d": cert.kind.review_window_days
        }
        date_line = _("应复审日期：%(d)s") % {"d": f"{due:%Y-%m-%d}"}
    else:
        if left > 0:
            title = _("%(who)s的%(kind)s还有%(n)d天到期") % {
                "who": who,
                "kind": cert.kind.name,
                "n": left,
            }
        elif left == 0:
            title = _("%(who)s的%(kind)s今天到期") % {"who": who, "kind": cert.kind.name}
        else:
            title = _("%(who)s的%(kind)s已过期") % {"who": who, "kind": cert.kind.name}
        advice = _("请及时办理延期复审或换证；证书过期后不得继续从事相关岗位作业。")
        date_line = _("有效期至：%(d)s") % {"d": f"{due:%Y-%m-%d}"}
    body = "\n".join(
        [
            _("持证人：%(name)s（%(id)s）")
            % {"name": who, "id": mask_id_number(cert.holder.id_number)},
            _("证书：%(kind)s %(number)s")
            % {
                "kind": cert.kind.name,
                "number": mask_certificate_number(cert.number, cert.holder.id_number),
            },
            _("登记企业：%(name)s") % {"name": cert.enterprise.name},
            date_line,
            advice,
        ]
    )
    return title, body


def _iter_notifications(on: date, stage_days, result: ReminderResult) -> Iterator[Notification]:
    for cert in candidates(on, max(stage_days)).iterator(chunk_size=2000):
        raised = list(notifications_for(cert, on, stage_days))
        if raised:
            result.certificates += 1
        yield from raised


def send_reminders(on: date | None = None, *, email: bool = True) -> ReminderResult:
    """Raise today's stage reminders (idempotent) and e-mail the new ones."""
    on = on or timezone.localdate()
    stage_days = stages()
    result = ReminderResult()
    created = inbox.raise_notifications(_iter_notifications(on, stage_days, result))
    result.created = len(created)
    if email and created:
        result.emailed = inbox.email_notifications(
            [n.key for n in created], subject=_("【宣培通】证书复审/到期提醒")
        )
    return result
