"""The trainee's QR sign-in pages and the organiser's QR page (issue #12 §3 and its
"Bad input"): no login, Chinese answers, one attendance per person, a replaced link 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from xuanpei.training import views_signin
from xuanpei.training.factories import EnrolmentFactory, TrainingSessionFactory, local
from xuanpei.training.models import Attendance, Enrolment, TrainingSession
from xuanpei.workforce.factories import PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

STARTS = local(2026, 3, 10, 9, 0)  # 09:00–12:00; default margins 30 min: window 08:30–12:30
OPENS, CLOSES = local(2026, 3, 10, 8, 30), local(2026, 3, 10, 12, 30)
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """The sign-in pages' clock, set by the test."""

    class Clock:
        moment = STARTS

        def set(self, moment):
            self.moment = moment

    c = Clock()
    monkeypatch.setattr(views_signin, "now", lambda: c.moment)
    return c


@pytest.fixture
def session(district):
    return TrainingSessionFactory(
        unit=district.town_a_unit,
        starts_at=STARTS,
        title="网格员安全生产专题培训",
        place="东新城便民服务中心二楼",
        created_by=district.town_a,
    )


@pytest.fixture
def zhang(session):
    person = PersonFactory(name="张三", id_number="11010519491231002X")
    EnrolmentFactory(session=session, person=person)
    return person


@pytest.fixture
def phone():
    """An anonymous phone: CSRF checks on, as in production."""
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT=PHONE, REMOTE_ADDR="10.1.2.3")


def url(session, out=False):
    name = "training_signin:sign_out" if out else "training_signin:sign_in"
    return reverse(name, args=[session.sign_in_token])


def submit(phone, session, name="张三", tail="002x", out=False):
    """What a phone does: open the page (CSRF cookie and token), then post the form."""
    page = phone.get(url(session, out))
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the form is shown inside the window"
    return phone.post(
        url(session, out),
        {"csrfmiddlewaretoken": token.group(1), "name": name, "id_tail": tail},
    )


def text(response) -> str:
    return response.content.decode()


# The page --------------------------------------------------------------------------------


def test_the_page_shows_the_session_in_chinese_without_login(phone, session, clock):
    response = phone.get(url(session))
    body = text(response)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "网格员安全生产专题培训" in body and "东新城便民服务中心二楼" in body
    assert "2026年3月10日 09:00–12:00" in body
    assert "姓名" in body and "身份证号后4位" in body and "确认签到" in body
    assert 'lang="zh-hans"' in body


def test_a_sign_in_records_one_attendance_with_its_evidence(phone, session, zhang, clock):
    clock.set(local(2026, 3, 10, 8, 52))
    response = submit(phone, session)
    body = text(response)
    assert response.status_code == 200 and "签到成功" in body and "2026-03-10 08:52:00" in body
    att = Attendance.objects.get()
    assert att.person == zhang and att.method == Attendance.Method.QR
    assert att.signed_in_at == local(2026, 3, 10, 8, 52)
    assert att.sign_in_ip == "10.1.2.3" and att.sign_in_agent == PHONE


def test_the_same_person_twice_is_one_attendance(phone, session, zhang, clock):
    clock.set(local(2026, 3, 10, 8, 52))
    submit(phone, session)
    clock.set(local(2026, 3, 10, 9, 10))
    again = submit(Client(enforce_csrf_checks=True), session, tail="002X")
    body = text(again)
    assert "您已签到（2026-03-10 08:52）" in body
    assert "您已于2026-03-10 08:52签到，无需重复签到" in body
    assert Attendance.objects.count() == 1
    assert Attendance.objects.get().signed_in_at == local(2026, 3, 10, 8, 52)


def test_a_post_without_the_csrf_token_is_refused(phone, session, zhang, clock):
    response = phone.post(url(session), {"name": "张三", "id_tail": "002X"})
    assert response.status_code == 403 and not Attendance.objects.exists()


# Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, allowed",
    [
        (OPENS - timedelta(seconds=1), False),
        (OPENS, True),  # both ends of the window are included (services.py)
        (CLOSES, True),
        (CLOSES + timedelta(seconds=1), False),
    ],
)
def test_the_window_edges(phone, session, zhang, clock, moment, allowed):
    clock.set(moment)
    page = phone.get(url(session))
    if allowed:
        assert Attendance.objects.count() == 0
        submit(phone, session)
        assert Attendance.objects.count() == 1
        return
    body = text(page)
    assert 'id="signin-form"' not in body  # no form outside the window
    if moment < OPENS:
        assert "签到尚未开放：本期培训2026-03-10 08:30开始签到" in body
    else:
        assert "签到已结束：本期培训的签到已于2026-03-10 12:30关闭，本二维码已失效" in body


def test_a_form_opened_inside_the_window_and_sent_after_it_is_refused(phone, session, zhang, clock):
    clock.set(CLOSES)
    page = phone.get(url(session))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page)).group(1)
    clock.set(CLOSES + timedelta(seconds=1))
    response = phone.post(
        url(session), {"csrfmiddlewaretoken": token, "name": "张三", "id_tail": "002X"}
    )
    assert "签到已结束：本期培训的签到已于2026-03-10 12:30关闭" in text(response)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "name, tail",
    [("张三", "0021"), ("张四", "002X"), ("李四", "1234")],  # wrong tail, wrong name, nobody
)
def test_a_name_or_tail_that_does_not_match_the_roster_is_refused(
    phone, session, zhang, clock, name, tail
):
    body = text(submit(phone, session, name=name, tail=tail))
    assert "签到未成功" in body
    assert (
        f"本期培训名单中没有姓名为“{name}”、身份证号后4位为“{tail}”的人员，"
        "请核对姓名和身份证号后4位；如确应参加，请联系培训组织方"
    ) in body
    assert not Attendance.objects.exists()


def test_a_malformed_tail_is_refused_by_the_form(phone, session, zhang, clock):
    body = text(submit(phone, session, tail="12a4"))
    assert "请填写身份证号后4位（4个字符，前3位为数字，末位为数字或X）" in body
    assert not Attendance.objects.exists()


def test_someone_known_but_not_on_the_roster_is_refused(phone, session, zhang, clock, district):
    walker = PersonFactory(name="钱七")
    PostFactory(person=walker, enterprise=district.ent_a1)
    body = text(submit(phone, session, name="钱七", tail=walker.id_number[-4:]))
    assert "本期培训名单中没有姓名为“钱七”" in body
    assert not Enrolment.objects.filter(person=walker).exists()


def test_a_walk_in_is_allowed_when_the_organiser_allows_it(phone, session, zhang, clock, district):
    session.allow_walk_ins = True
    session.save()
    walker = PersonFactory(name="钱七")
    PostFactory(person=walker, enterprise=district.ent_a1)
    body = text(submit(phone, session, name="钱七", tail=walker.id_number[-4:]))
    assert "签到成功" in body
    assert Enrolment.objects.get(session=session, person=walker).source == "walk_in"
    assert Attendance.objects.get().person == walker


def test_an_unknown_or_regenerated_link_is_not_found(
    client, phone, session, zhang, clock, district
):
    assert phone.get(reverse("training_signin:sign_in", args=["no-such-token"])).status_code == 404
    old = url(session)
    client.force_login(district.town_a)
    response = client.post(reverse("training:session_qr_regenerate", args=[session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert url(session) != old
    assert phone.get(old).status_code == 404
    assert phone.post(old, {"name": "张三", "id_tail": "002X"}).status_code in (403, 404)
    assert Client().get(old).status_code == 404
    assert "签到链接已失效" in text(Client().get(old))
    assert "签到成功" in text(submit(phone, session))  # the new link works


def test_repeated_wrong_tails_for_one_name_are_rate_limited(session, zhang, clock, settings):
    """Brute force of one trainee's tail: after 10 refusals in 10 minutes (across
    addresses) that name is refused for the rest of the 10 minutes, even with the
    right tail; other trainees still sign in."""
    li = PersonFactory(name="李四")
    EnrolmentFactory(session=session, person=li)
    for i in range(10):
        attacker = Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.9.0.{i % 3 + 1}")
        assert "签到未成功" in text(submit(attacker, session, tail=f"{i:03d}1"))
    attacker = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.9.0.77")
    response = submit(attacker, session, tail="002X")
    assert response.status_code == 429 and "核对失败次数过多，请10分钟后再试" in text(response)
    assert not Attendance.objects.exists()
    ok = submit(Client(enforce_csrf_checks=True), session, name="李四", tail=li.id_number[-4:])
    assert "签到成功" in text(ok)


def test_successes_from_one_address_are_not_limited(session, clock):
    """A class behind one venue Wi-Fi: many sign-ins from one address all pass."""
    people = [PersonFactory(name=f"学员{i}") for i in range(40)]
    for person in people:
        EnrolmentFactory(session=session, person=person)
    for person in people:
        venue = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.1")
        assert "签到成功" in text(submit(venue, session, person.name, person.id_number[-4:]))
    assert Attendance.objects.count() == 40


# Sign-out --------------------------------------------------------------------------------


def test_sign_out_credits_the_time_present(phone, session, zhang, clock):
    clock.set(local(2026, 3, 10, 9, 40))
    refused = text(submit(phone, session, out=True))
    assert "您尚未签到，不能签退：请先扫码签到" in refused
    submit(phone, session)
    clock.set(local(2026, 3, 10, 12, 0))
    body = text(submit(phone, session, out=True))
    assert "签退成功" in body and "签退成功，认定学时2.0" in body  # 2 h 20 min → 2.0
    att = Attendance.objects.get()
    assert att.signed_out_at == local(2026, 3, 10, 12, 0) and att.sign_out_agent == PHONE


# The organiser's QR page --------------------------------------------------------------------


def test_the_qr_page_shows_both_links_and_the_window(client, session, district):
    client.force_login(district.town_a)
    response = client.get(reverse("training:session_qr", args=[session.pk]))
    body = text(response)
    assert response.status_code == 200
    sign_in = f"http://testserver/t/{session.sign_in_token}/"
    assert sign_in in body and f"{sign_in}out/" in body
    # Each QR code is an inline SVG with its link printed beside it (no image, no
    # outside request): a phone that cannot scan can type the link.
    cards = re.findall(
        r'<div class="card h-100 text-center qr-box">(.*?)</div>\s*</div>\s*</div>', body, re.S
    )
    assert len(cards) == 2
    for card, link in zip(cards, (sign_in, f"{sign_in}out/"), strict=True):
        assert card.count("<svg") == 1 and "<img" not in card and link in card
    assert 'src="http' not in body
    assert "签到、签退时段：2026-03-10 08:30 至 2026-03-10 12:30" in body
    assert "重新生成链接" in body


def test_the_qr_page_is_the_organisers_only(client, session, district):
    for persona in ("town_b", "department", "enterprise", "town_a_viewer"):
        client.force_login(getattr(district, persona))
        response = client.get(reverse("training:session_qr", args=[session.pk]))
        assert response.status_code in (403, 404), persona
        response = client.post(reverse("training:session_qr_regenerate", args=[session.pk]))
        assert response.status_code in (403, 404), persona
    token = session.sign_in_token
    session.refresh_from_db()
    assert session.sign_in_token == token
    assert TrainingSession.objects.count() == 1
