"""Staged reminders: 90/60/30/0 days before the review or expiry date, idempotent, e-mailed."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.notifications.models import Notification
from xuanpei.orgs.services import close_enterprise
from xuanpei.workforce import reminders
from xuanpei.workforce.factories import CertificateFactory

ISSUED = date(2021, 3, 1)
REVIEW_DUE = date(2024, 3, 1)  # 特种作业操作证: reviewed every 3 years
VALID_UNTIL = date(2027, 3, 1)


@pytest.fixture
def cert(district):
    return CertificateFactory(enterprise=district.ent_a1, special=True, issue_date=ISSUED)


def raised(cert=None):
    qs = Notification.objects.order_by("key")
    return list(qs.values_list("key", "level", "enterprise_id", "unit_id"))


def test_nothing_is_raised_before_the_first_stage(cert):
    result = reminders.send_reminders(REVIEW_DUE - timedelta(days=91))
    assert result.created == 0
    assert not Notification.objects.exists()


def test_the_first_stage_raises_one_reminder_to_the_enterprise_and_one_to_its_unit(cert, district):
    result = reminders.send_reminders(REVIEW_DUE - timedelta(days=90))
    assert (result.certificates, result.created) == (1, 2)
    ent_note = Notification.objects.get(enterprise=district.ent_a1)
    unit_note = Notification.objects.get(unit=district.street_a)
    assert ent_note.level == unit_note.level == "info"
    assert ent_note.due_date == REVIEW_DUE
    assert "距应复审日期还有90天" in ent_note.title
    assert cert.holder.id_number not in ent_note.body
    assert cert.number not in ent_note.body  # "T" + the ID number is masked too
    assert ent_note.url.startswith("/workforce/certificates/due/")


def test_running_again_the_same_day_or_the_next_raises_nothing_new(cert):
    on = REVIEW_DUE - timedelta(days=75)
    reminders.send_reminders(on)
    assert reminders.send_reminders(on).created == 0
    assert reminders.send_reminders(on + timedelta(days=1)).created == 0
    assert Notification.objects.count() == 2


def test_each_stage_raises_once_with_a_rising_level(cert):
    levels = []
    for days in (90, 89, 60, 45, 30, 1, 0, -1):
        result = reminders.send_reminders(REVIEW_DUE - timedelta(days=days))
        levels.append(result.created)
    assert levels == [2, 0, 2, 0, 2, 0, 2, 0]
    stages = sorted({(k.split(":")[4], lvl) for k, lvl, *_ in raised()}, key=lambda s: -int(s[0]))
    assert stages == [("90", "info"), ("60", "info"), ("30", "warning"), ("0", "danger")]


def test_a_late_first_run_raises_only_the_stage_reached(cert):
    reminders.send_reminders(REVIEW_DUE - timedelta(days=20))
    assert {k.split(":")[4] for k, *_ in raised()} == {"30"}


def test_expiry_has_its_own_stages(district):
    CertificateFactory(
        enterprise=district.ent_a1, issue_date=date(2021, 7, 1)
    )  # 3 years, no review
    reminders.send_reminders(date(2024, 7, 1))
    titles = set(Notification.objects.values_list("title", flat=True))
    assert len(titles) == 1 and titles.pop().endswith("今天到期")


def test_old_lapses_revoked_certificates_and_closed_enterprises_raise_nothing(cert, district):
    assert reminders.send_reminders(REVIEW_DUE + timedelta(days=31)).created == 0
    close_enterprise(
        district.ent_a1, actor=district.district, closed_at=date(2024, 1, 1), reason="x"
    )
    assert reminders.send_reminders(REVIEW_DUE - timedelta(days=30)).created == 0


def test_stages_come_from_the_settings(cert, settings):
    settings.CERT_REMINDER_DAYS = ["15", "0"]
    assert reminders.send_reminders(REVIEW_DUE - timedelta(days=30)).created == 0
    assert reminders.send_reminders(REVIEW_DUE - timedelta(days=15)).created == 2
    settings.CERT_REMINDER_DAYS = ["soon"]
    with pytest.raises(ImproperlyConfigured):
        reminders.stages()


def test_new_reminders_are_emailed_to_enterprise_users_and_unit_admins(cert, district):
    UserFactory(username="ent_mail", enterprise=district.ent_a1, email="ent@example.com")
    UserFactory(
        username="street_admin", unit=district.street_a, role=Role.UNIT_ADMIN, email="s@example.com"
    )
    UserFactory(
        username="street_viewer", unit=district.street_a, role=Role.VIEWER, email="v@example.com"
    )
    result = reminders.send_reminders(REVIEW_DUE - timedelta(days=60))
    assert result.emailed == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ent@example.com", "s@example.com"]
    assert "证书复审/到期提醒" in mail.outbox[0].subject
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    mail.outbox.clear()
    reminders.send_reminders(REVIEW_DUE - timedelta(days=59))
    assert mail.outbox == []


def test_the_command_prints_counts_and_can_skip_email(cert, district, capsys):
    UserFactory(username="ent_mail", enterprise=district.ent_a1, email="ent@example.com")
    call_command("send_reminders", "--date", "2024-01-01", "--no-email", "--json")
    # The same daily command raises the publicity coverage reminders (issue #11): none here.
    assert capsys.readouterr().out.strip() == (
        '{"certificates": 1, "created": 2, "emailed": 0, '
        '"publicity": {"campaigns": 0, "units": 0, "created": 0, "emailed": 0}}'
    )
    assert mail.outbox == []
