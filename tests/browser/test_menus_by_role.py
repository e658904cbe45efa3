"""Each persona's menu at desktop and phone width: what it offers, and a look at it (issue #8 §4).

The menu offers a role only what it can use: an enterprise account no 单位 and no
计划任务, a read-only leader no 新增/导入, only the district the 核查线索 queue.
Screenshots of every open drop-down at 1280 and 390 px go to $XUANPEI_SCREENSHOTS.
"""

import pytest

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# persona → (entries that must be offered, entries that must not)
EXPECTED = {
    "district": (["单位", "企业名录", "导入企业", "年度计划", "持证人员名册", "核查线索"], []),
    "town_a": (["单位", "导入企业", "年度计划", "导入花名册（三项岗位）"], ["核查线索"]),
    "street_a": (["单位", "导入企业", "年度计划", "导入花名册（三项岗位）"], ["核查线索"]),
    "department": (["年度计划", "持证人员名册"], ["核查线索"]),
    "enterprise": (["企业", "导入花名册（三项岗位）"], ["单位", "年度计划", "导入企业"]),
    "town_a_viewer": (
        ["单位", "企业", "持证人员名册"],
        ["导入企业", "新增企业", "导入花名册（三项岗位）"],
    ),
}


def menu_texts(page) -> str:
    return page.locator("#mainnav").evaluate("n => n.textContent")


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("width", [1280, 390])
def test_each_persona_is_offered_its_own_menu(district, login, page, shot, persona, width):
    UserFactory(username="street_a", unit=district.street_a, role=Role.UNIT_ADMIN)
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    login(persona)
    if width < 1200:
        page.click("button.navbar-toggler")
        page.locator("#mainnav").wait_for(state="visible")
    offered, hidden = EXPECTED[persona]
    text = menu_texts(page)
    for label in offered:
        assert label in text, f"{persona} is not offered {label}"
    for label in hidden:
        assert label not in text, f"{persona} is offered {label}"
    toggles = page.locator("#mainnav .dropdown-toggle[data-nav-module]")
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        toggle.click()
        page.wait_for_timeout(150)
        shot(f"menu-{persona}-{width}-{toggle.get_attribute('data-nav-module')}")
        toggle.click()
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth - 0.5 || e.scrollWidth > window.innerWidth)
        .slice(0, 30).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right + " sw=" + e.scrollWidth).concat([document.scrollingElement.scrollWidth, window.innerWidth])"""
    )
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), wide
