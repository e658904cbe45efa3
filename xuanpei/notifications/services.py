"""Use cases of the notification inbox: raise idempotently, read an inbox, mark read, e-mail.

An inbox belongs to a unit or an enterprise, not to a person: every user of that
unit or enterprise sees the same messages, and one of them marking a message read
marks it for all (the office deals with it once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.permissions import Role
from xuanpei.core.scoping import UserScope
from xuanpei.notifications.models import Notification

BATCH = 2000


def can_see_subtree(user) -> bool:
    """Unit and district admins may widen their inbox to the units and enterprises below."""
    return bool(
        user.is_superuser or (user.unit_id and user.role in (Role.DISTRICT_ADMIN, Role.UNIT_ADMIN))
    )


def own_inbox_q(user) -> Q | None:
    """The messages addressed to the user's own unit or enterprise; None: no inbox."""
    if user.enterprise_id:
        return Q(enterprise_id=user.enterprise_id)
    if user.unit_id:
        return Q(unit_id=user.unit_id)
    return None


def inbox(user, *, subtree: bool = False) -> QuerySet:
    """The user's inbox, unread first then newest; `subtree` widens it for admins to
    everything addressed within their scope (always through `for_user`)."""
    qs = Notification.objects.for_user(user, "view")
    if not (subtree and can_see_subtree(user)):
        own = own_inbox_q(user)
        if own is None:
            # A superuser without a home sees every message; anyone else nothing.
            return qs if user.is_superuser else qs.none()
        qs = qs.filter(own)
    return qs


def unread_count(user) -> int:
    """Unread messages of the user's own inbox — the navbar badge, one indexed COUNT."""
    own = own_inbox_q(user)
    if own is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(own, read_at__isnull=True).count()


@transaction.atomic
def mark_read(notification: Notification, *, user) -> Notification:
    """Mark one message read (once; the first reader's time stays)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


@transaction.atomic
def mark_all_read(*, user, subtree: bool = False) -> int:
    """Mark every unread message of the inbox read; returns how many."""
    qs = inbox(user, subtree=subtree).filter(read_at__isnull=True)
    return Notification.objects.filter(pk__in=qs.values("pk")).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )


def raise_notifications(notifications: Iterable[Notification]) -> list[Notification]:
    """Create the messages whose `key` is new; returns those created (idempotent by key).

    Keys already present are skipped with one look-up per batch; a concurrent run
    that wins a race is absorbed by the unique constraint (ignore_conflicts).
    """
    created: list[Notification] = []
    batch: list[Notification] = []
    for notification in notifications:
        batch.append(notification)
        if len(batch) >= BATCH:
            created += _raise_batch(batch)
            batch = []
    if batch:
        created += _raise_batch(batch)
    return created


def _raise_batch(batch: list[Notification]) -> list[Notification]:
    unique = {n.key: n for n in batch}
    existing = set(Notification.objects.filter(key__in=list(unique)).values_list("key", flat=True))
    new = [n for key, n in unique.items() if key not in existing]
    now = timezone.now()
    for n in new:
        n.created_at = n.updated_at = now
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return new


def email_notifications(keys: Iterable[str], *, subject: str) -> int:
    """E-mail the new messages to the people who look after each inbox; returns e-mails sent.

    One e-mail per person listing their inbox's new messages: the enterprise's
    users, and the unit admins of a unit, who have an e-mail address. Sent through
    Django's mail API (console backend in development, SMTP when configured).
    """
    from xuanpei.accounts.models import User

    keys = list(keys)
    if not keys:
        return 0
    by_inbox: dict[tuple[str, int], list[Notification]] = defaultdict(list)
    sent_ids = []
    for i in range(0, len(keys), BATCH):
        for n in Notification.objects.filter(key__in=keys[i : i + BATCH], emailed_at__isnull=True):
            if n.enterprise_id:
                by_inbox[("enterprise", n.enterprise_id)].append(n)
            else:
                by_inbox[("unit", n.unit_id)].append(n)
    if not by_inbox:
        return 0
    ent_ids = [pk for kind, pk in by_inbox if kind == "enterprise"]
    unit_ids = [pk for kind, pk in by_inbox if kind == "unit"]
    people = User.objects.filter(is_active=True).exclude(email="")
    recipients: dict[tuple[str, int], list[str]] = defaultdict(list)
    for u in people.filter(enterprise_id__in=ent_ids):
        recipients[("enterprise", u.enterprise_id)].append(u.email)
    for u in people.filter(unit_id__in=unit_ids, role__in=[Role.UNIT_ADMIN, Role.DISTRICT_ADMIN]):
        recipients[("unit", u.unit_id)].append(u.email)
    messages = []
    for inbox_key, items in by_inbox.items():
        addresses = recipients.get(inbox_key)
        if not addresses:
            continue
        lines = [f"[{n.get_level_display()}] {n.title}" for n in items]
        body = _("宣培通消息提醒（共%(n)d条）：") % {"n": len(items)} + "\n\n" + "\n".join(lines)
        body += "\n\n" + _("请登录宣培通查看详情并处理。")
        for address in addresses:
            messages.append(
                EmailMessage(
                    subject=f"{subject}（{len(items)}）",
                    body=body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[address],
                )
            )
        sent_ids += [n.pk for n in items]
    if not messages:
        return 0
    connection = get_connection(fail_silently=False)
    sent = connection.send_messages(messages) or 0
    Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
    return sent


def scope_label(user) -> str:
    scope = UserScope.of(user)
    if scope.enterprise_id:
        return user.enterprise.name
    return user.unit.name if user.unit_id else ""
