"""Issue #8 items 6 and 9 in a real browser: the user form's unit picker searched by path and
its enterprise picker autocompleted by name, at desktop and phone widths; and the
enterprise's readable change log."""

import pytest

from xuanpei.accounts.models import User
from xuanpei.audit.context import acting_as
from xuanpei.core.permissions import Role
from xuanpei.orgs.choices import RiskLevel, UnitKind
from xuanpei.orgs.factories import add_unit, make_uscc
from xuanpei.orgs.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Neue-Passwort-2026"


@pytest.fixture
def crowded(district):
    """A second 甲街道 (in 西新城) and 200 more enterprises in 东新城."""
    add_unit(district.town_b_unit, "甲街道", UnitKind.SUBDISTRICT)
    for i in range(20):
        add_unit(district.street_a, f"未央社区{i}", UnitKind.COMMUNITY)
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"批量企业{i:04d}",
            uscc=make_uscc(6000 + i),
            unit=district.street_a,
            sector=district.sector,
        )
        for i in range(200)
    )
    return district


def fill_new_user(page, username):
    page.fill("#id_username", username)
    page.fill("#id_first_name", "新同事")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_role", value=Role.REPORTER)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_town_admin_picks_a_unit_by_path_and_an_enterprise_by_name(
    crowded, login, shot, page, live_server, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page = login("town_a")
    add_url = live_server.url + "/accounts/users/add/"

    # A unit: typing part of its path narrows the list and picks the match.
    page.goto(add_url)
    assert page.locator("#id_enterprise option").count() <= 1
    fill_new_user(page, f"unit_user_{width}")
    page.fill("#id_unit_search", "甲街道 / 甲社")
    assert page.locator("#id_unit option:checked").inner_text() == "东新城 / 甲街道 / 甲社区"
    assert page.locator("#id_unit option").count() <= 3  # the empty choice and the match
    shot(f"pickers-unit-{width}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert User.objects.get(username=f"unit_user_{width}").unit == crowded.village_a

    # An enterprise: typing part of its name lists matches from the scoped endpoint.
    page.goto(add_url)
    fill_new_user(page, f"ent_user_{width}")
    page.fill("#id_enterprise_search", "东城乙")
    page.wait_for_selector(".picker-results button")
    results = page.locator(".picker-results").inner_text()
    assert "东城乙企业" in results and "西城" not in results
    shot(f"pickers-enterprise-{width}")
    page.click(".picker-results button >> text=东城乙企业")
    assert page.locator("#id_enterprise").input_value() == str(crowded.ent_a2.pk)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert User.objects.get(username=f"ent_user_{width}").enterprise == crowded.ent_a2


@pytest.mark.parametrize("width", [1280, 390])
def test_the_enterprise_history_reads_in_chinese(district, login, shot, page, live_server, width):
    ent = district.ent_a1
    with acting_as(district.town_a):
        ent.risk_level = RiskLevel.MAJOR
        ent.safety_phone = "029-88886666"
        ent.save()
        ent.departments.add(district.dept_unit)
    page.set_viewport_size({"width": width, "height": 900})
    page = login("district")

    page.goto(live_server.url + ent.get_absolute_url())
    text = page.locator("main").inner_text()

    assert "风险等级：一般风险（黄） → 重大风险（红）" in text
    assert "行业主管部门" in text and "增加：教育局" in text
    assert ".None" not in text and "certificates" not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(f"enterprise-history-{width}")
