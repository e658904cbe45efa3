"""The grid-officer quarter matrix (issue #12 §6) on a phone and a desktop: the matrix
scrolls inside its own box, the page never sideways; a cell drills down to the officers
who missed the quarter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.training.factories import (
    AttendanceFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.models import TrainingSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world(district):
    year = timezone.localdate().year
    towns = [district.town_a_unit, district.town_b_unit] + [
        add_unit(district.root, name, UnitKind.NEW_TOWN) for name in ("南新城", "北新城", "中新城")
    ]
    for i, town in enumerate(towns):
        present = UnitPostFactory(unit=town, person__name=f"{town.name}网格员").person
        if i % 2:
            UnitPostFactory(unit=town, person__name=f"{town.name}缺课员")
        for month in (2, 5, 8)[: 3 - i % 3]:
            session = TrainingSessionFactory(
                unit=town,
                title=f"{town.name}{month}月网格员培训",
                kind=TrainingSession.Kind.GRID_OFFICER,
                status=TrainingSession.Status.HELD,
                starts_at=local(year, month, 10, 9),
                ends_at=local(year, month, 10, 9) + timedelta(hours=2),
            )
            AttendanceFactory(session=session, person=present)
    return year


def test_the_matrix_on_a_phone_and_a_desktop(district, login, page, live_server, shot):
    year = _world(district)
    login("district")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/training/grid/?year={year}")
    assert page.locator("#grid-matrix tbody tr").count() == 5
    shot("training-grid-matrix-390")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    box = page.locator("#grid-matrix-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls inside
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    shot("training-grid-matrix-1280")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    # 西新城's first quarter: its 缺课员 attended nothing.
    page.set_viewport_size({"width": 390, "height": 844})
    row = page.locator("#grid-matrix tbody tr", has_text="西新城")
    with page.expect_navigation():
        row.locator("a.grid-cell").first.click()
    assert "西新城缺课员" in page.locator("#grid-missed").inner_text()
    assert "未完成" in page.locator("#grid-cell-status").inner_text()
    shot("training-grid-cell-390")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
