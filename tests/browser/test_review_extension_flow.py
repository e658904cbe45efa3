"""Issue #9 item 16 in a real browser: a town admin records a review with the 6-year
interval; without the issuer's consent it is refused in Chinese, with it the consent is
recorded and shown on the certificate page. The number stays masked for a reporter."""

import datetime

import pytest

from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory
from xuanpei.workforce.models import Certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_town_records_an_extended_review_with_the_issuers_consent(
    district, workforce_dictionaries, login, shot, live_server
):
    today = datetime.date.today()
    holder = PersonFactory(name="老焊工", id_number="320102199003071239")
    PostFactory(person=holder, enterprise=district.ent_a1, special=True)
    # Review due in 30 days (inside the window); first issued 12 years ago.
    cert = CertificateFactory(
        holder=holder,
        enterprise=district.ent_a1,
        special=True,
        number="T320102199003072139",  # two digits swapped: still masked for reporters
        issue_date=today.replace(year=today.year - 3) + datetime.timedelta(days=30),
        first_issue_date=today.replace(year=today.year - 12),
    )
    page = login("town_a")
    page.goto(f"{live_server.url}/workforce/certificates/{cert.pk}/review/")
    assert page.input_value("#id_review_date") == today.isoformat()  # proposed: today
    page.select_option("#id_interval_years", "6")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=须经发证机关同意")
    shot("16-review-extension-refused")
    assert Certificate.objects.count() == 1

    page.fill("#id_consent_by", "测试市应急管理局")
    page.fill("#id_consent_ref", "测应急复〔2026〕8号")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=测应急复〔2026〕8号")
    shot("16-review-extension-recorded")
    new = Certificate.objects.get(is_current=True)
    assert (new.review_interval_years, new.extension_consent_ref) == (6, "测应急复〔2026〕8号")

    page.context.clear_cookies()
    page = login("enterprise")
    page.goto(f"{live_server.url}/workforce/certificates/{new.pk}/")
    body = page.locator("main").inner_text()
    assert "T320102199003072139" not in body and "T320***********2139" in body
    shot("03-near-miss-number-masked")
