"""Issue #9 item 6: `core.concurrency`, the one mechanism every status change uses."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from xuanpei.core.concurrency import transition, unique_or
from xuanpei.orgs.factories import EnterpriseFactory
from xuanpei.orgs.models import Enterprise
from xuanpei.orgs.services import close_enterprise

pytestmark = pytest.mark.django_db


def test_a_stale_copy_of_a_closed_enterprise_is_not_closed_again(district):
    stale = Enterprise.objects.get(pk=district.ent_a1.pk)
    close_enterprise(
        district.ent_a1, actor=district.town_a, closed_at=datetime.date(2026, 3, 1), reason="停业"
    )

    with pytest.raises(ValidationError, match="该企业已关闭"):
        close_enterprise(
            stale, actor=district.town_a, closed_at=datetime.date(2026, 4, 1), reason="迁出"
        )

    stored = Enterprise.objects.get(pk=district.ent_a1.pk)
    assert (stored.closed_at, stored.closed_reason) == (datetime.date(2026, 3, 1), "停业")


def test_transition_writes_only_from_an_expected_state_and_refreshes_the_copy(district):
    ent = EnterpriseFactory(unit=district.street_a, sector=district.sector)
    stale = Enterprise.objects.get(pk=ent.pk)
    Enterprise.objects.filter(pk=ent.pk).update(is_active=False, closed_reason="别处关闭")

    with pytest.raises(ValidationError, match="已被处理"):
        transition(
            stale,
            field="is_active",
            from_states=[True],
            changes={"closed_reason": "覆盖"},
            refused="已被处理",
        )

    assert stale.closed_reason == "别处关闭" and stale.is_active is False
    assert Enterprise.objects.get(pk=ent.pk).closed_reason == "别处关闭"


def test_a_lost_unique_race_is_the_chinese_message_and_the_transaction_goes_on(district):
    with transaction.atomic():
        with (
            pytest.raises(ValidationError, match="该统一社会信用代码已登记"),
            unique_or({"uscc": "该统一社会信用代码已登记"}),
        ):
            Enterprise.objects.create(
                name="重复", uscc=district.ent_a1.uscc, unit=district.street_a,
                sector=district.sector,
            )  # fmt: skip
        # The savepoint rolled back; the outer transaction still answers.
        assert Enterprise.objects.filter(uscc=district.ent_a1.uscc).count() == 1
