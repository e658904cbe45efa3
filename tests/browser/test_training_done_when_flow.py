"""Issue #12's done-when flow on a phone: a new town creates a grid-officer session for its
officers → three officers sign in by QR on a 390 px phone (one first refused outside the
window) → hours credited → the quarter matrix turns green for that new town and stays red
for a sibling → the plan task's computed value rose → the session's archive zip holds the
sign-in log.

The sign-in pages read the clock through `views_signin.now`; the test sets it to moments
around the session (before its window, in it, at its end) instead of waiting for them.
The session lies on the last day of the previous quarter, so that quarter has ended: a
new town without a session there is 未完成 (red), not 进行中.

Screenshots (XUANPEI_SCREENSHOTS): done12-form-town-390, done12-qr-town-390,
done12-signin-refused-390, done12-signin-ok-390, done12-attendance-town-390,
done12-matrix-town-390, done12-assignment-town-390.
"""

import io
import re
import zipfile
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.browser.plan_world import PHONE, switch_user
from xuanpei.plans import services as plan_services
from xuanpei.plans.choices import Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment
from xuanpei.training import views_signin
from xuanpei.training.factories import UnitPostFactory
from xuanpei.training.metrics import SESSIONS
from xuanpei.training.models import Attendance, TrainingSession
from xuanpei.training.quarters import quarter_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"
TITLE = "东新城网格员季度安全培训"
# Three grid officers of 东新城 (ID numbers valid under GB 11643's check digit).
OFFICERS = (
    ("网格员赵一", "11010519491231002X"),
    ("网格员钱二", "110105194912310038"),
    ("网格员孙三", "110105194912310046"),
)


def computed_total(page) -> int:
    """The assignment page's 自动统计 value, read from its records link."""
    item = page.locator("#target-list li", has_text="自动统计")
    assert item.count() == 1
    return int(item.locator("a.fw-semibold").inner_text().strip())


def local(day, hour, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def phone_sign(page, link: str, name: str, id_number: str):
    """A trainee's phone: open the link, type name and the last 4 of the ID, submit."""
    page.context.clear_cookies()
    page.goto(link)
    page.fill("#id_name", name)
    page.fill("#id_id_tail", id_number[-4:])
    with page.expect_navigation(wait_until="load"):
        page.click("#signin-form button[type=submit]")


def test_done_when_grid_session_qr_sign_in_matrix_target_and_archive_on_a_phone(
    district, login, page, live_server, shot, monkeypatch
):
    # ---- the world (factories) -------------------------------------------------------
    today = timezone.localdate()
    day = quarter_of(today).first_day - timedelta(days=1)  # last day of the previous quarter
    quarter = quarter_of(day)
    year = day.year
    officers = [
        UnitPostFactory(
            unit=district.street_a if i != 1 else district.village_a,
            person__name=name,
            person__id_number=id_number,
            start_date=day - timedelta(days=200),
        ).person
        for i, (name, id_number) in enumerate(OFFICERS)
    ]
    UnitPostFactory(unit=district.town_b_sub, person__name="西新城网格员", start_date=None)
    plan = PlanFactory(unit=district.root, year=year, title=f"测试区{year}年宣传教育培训计划")
    task = TaskFactory(
        plan=plan, number="三(二)6", title="网格员季度培训", timeframe=Timeframe.ALL_YEAR
    )
    TargetFactory(
        task=task, name="网格员培训", value=Decimal("4"), unit_label="期", metric=SESSIONS
    )
    task.lead_units.set([district.town_a_unit])
    plan_services.sync_assignments(task)
    assignment = Assignment.objects.get(task=task, unit=district.town_a_unit)
    base = live_server.url
    page.set_viewport_size(PHONE)

    # ---- the new town reads the computed target before --------------------------------
    login("town_a")
    page.goto(f"{base}{assignment.get_absolute_url()}")
    before = computed_total(page)
    assert before == 0

    # ---- it creates the session for the plan task, enrols its officers by post ---------
    page.goto(f"{base}/training/sessions/")
    page.click("#session-add")
    page.fill("#id_title", TITLE)
    page.select_option("#id_kind", "grid_officer")
    page.select_option("#id_task", str(task.pk))
    page.fill("#id_starts_at", f"{day.isoformat()}T09:00")
    page.fill("#id_ends_at", f"{day.isoformat()}T12:00")
    page.fill("#id_hours", "3")
    page.fill("#id_place", "东新城便民服务中心二楼")
    shot("done12-form-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    with page.expect_navigation():
        page.click("#session-save")
    page.select_option("#id_role", "grid_officer")
    with page.expect_navigation():
        page.click("#enrol-bulk-submit")
    session = TrainingSession.objects.get(title=TITLE)
    assert set(session.roster.values_list("person", flat=True)) == {p.pk for p in officers}

    # ---- the QR page gives the sign-in and sign-out links ------------------------------
    page.click("#session-qr")
    page.wait_for_url(re.compile(r"/qr/$"))
    links = page.locator(".qr-url")
    sign_in_link, sign_out_link = links.nth(0).inner_text(), links.nth(1).inner_text()
    assert sign_in_link.endswith(f"/t/{session.sign_in_token}/")
    assert sign_out_link.endswith(f"/t/{session.sign_in_token}/out/")
    assert page.locator(".qr-box svg").count() == 2
    shot("done12-qr-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    sign_in_link = f"{base}/t/{session.sign_in_token}/"
    sign_out_link = f"{base}/t/{session.sign_in_token}/out/"

    # ---- an officer scans too early: refused in Chinese (no form), nothing recorded ----
    monkeypatch.setattr(views_signin, "now", lambda: local(day, 8, 0))  # window opens 08:30
    page.context.clear_cookies()
    page.goto(sign_in_link)
    assert page.locator("#signin-form").count() == 0
    assert "签到尚未开放" in page.inner_text("#signin-window")
    assert "08:30" in page.inner_text("#signin-window")
    shot("done12-signin-refused-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert not Attendance.objects.filter(session=session).exists()

    # ---- in the window all three sign in; at the end they sign out ---------------------
    monkeypatch.setattr(views_signin, "now", lambda: local(day, 8, 55))
    for name, id_number in OFFICERS:
        phone_sign(page, sign_in_link, name, id_number)
        assert page.inner_text("#signin-headline") == "签到成功"
    shot("done12-signin-ok-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    monkeypatch.setattr(views_signin, "now", lambda: local(day, 12, 5))
    for name, id_number in OFFICERS:
        phone_sign(page, sign_out_link, name, id_number)
        assert page.inner_text("#signin-headline") == "签退成功"

    # ---- hours credited: present 08:55–12:05, capped at the session's 3 学时 ------------
    rows = Attendance.objects.filter(session=session)
    assert rows.count() == 3
    assert {a.hours_credited for a in rows} == {Decimal("3.0")}
    assert {a.method for a in rows} == {Attendance.Method.QR}

    page.context.clear_cookies()
    login("town_a")
    page.goto(f"{base}/training/sessions/{session.pk}/")
    with page.expect_navigation():
        page.click("#session-mark-held")
    assert page.inner_text("#session-status") == "已举办"
    shot("done12-attendance-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0

    # ---- the quarter matrix: 东新城 green, its sibling 西新城 red -----------------------
    page.goto(f"{base}/training/grid/?year={year}")
    row_a = page.locator("#grid-matrix tbody tr", has_text=district.town_a_unit.name)
    cell_a = row_a.locator("a.grid-cell").nth(quarter.number - 1)
    assert "text-bg-success" in cell_a.get_attribute("class")
    shot("done12-matrix-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    switch_user(page, login, "district")
    page.goto(f"{base}/training/grid/?year={year}")
    row_b = page.locator("#grid-matrix tbody tr", has_text=district.town_b_unit.name)
    cell_b = row_b.locator("a.grid-cell").nth(quarter.number - 1)
    assert "text-bg-danger" in cell_b.get_attribute("class")
    row_a = page.locator("#grid-matrix tbody tr", has_text=district.town_a_unit.name)
    assert "text-bg-success" in row_a.locator("a.grid-cell").nth(quarter.number - 1).get_attribute(
        "class"
    )

    # ---- the plan task's computed value rose by one ------------------------------------
    switch_user(page, login, "town_a")
    page.goto(f"{base}{assignment.get_absolute_url()}")
    assert computed_total(page) == before + 1
    shot("done12-assignment-town-390")

    # ---- the archive zip (一期一档) holds the sign-in log ------------------------------
    page.goto(f"{base}/training/sessions/{session.pk}/")
    with page.expect_download() as download:
        page.click("#session-archive-zip")
    with open(download.value.path(), "rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    names = archive.namelist()
    log_name = next(n for n in names if n.endswith("签到记录.xlsx"))
    sheet = load_workbook(io.BytesIO(archive.read(log_name)), read_only=True).active
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in sheet.values)
    for name, _id in OFFICERS:
        assert name in text
    assert f"{day.isoformat()} 08:55" in text or f"{day:%Y-%m-%d} 08:55" in text
    assert any(n.endswith(".pdf") for n in names)
