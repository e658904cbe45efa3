"""People and certificate pages: roster, person, certificate, scope, personal data, audit."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from xuanpei.core.validators import mask_id_number
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory
from xuanpei.workforce.privacy import can_see_personal_data


@pytest.fixture
def roster(district):
    """Two people of ent_a1 (one certified, one not), one of ent_b1, one special-operation card."""
    today = timezone.localdate()
    certified = PersonFactory(name="持证甲", phone="13912345678")
    PostFactory(person=certified, enterprise=district.ent_a1)
    cert = CertificateFactory(
        holder=certified, enterprise=district.ent_a1, issue_date=today - timedelta(days=30)
    )
    uncertified = PersonFactory(name="无证乙")
    PostFactory(person=uncertified, enterprise=district.ent_a1)
    welder = PersonFactory(name="焊工丙")
    PostFactory(person=welder, enterprise=district.ent_a1, special=True)
    special = CertificateFactory(
        holder=welder,
        enterprise=district.ent_a1,
        special=True,
        issue_date=today - timedelta(days=400),
    )
    foreign = PersonFactory(name="西城丁")
    PostFactory(person=foreign, enterprise=district.ent_b1)
    foreign_cert = CertificateFactory(holder=foreign, enterprise=district.ent_b1)
    return {
        "certified": certified,
        "cert": cert,
        "uncertified": uncertified,
        "welder": welder,
        "special": special,
        "foreign": foreign,
        "foreign_cert": foreign_cert,
    }


def _page(client, user, name, *args, **params):
    client.force_login(user)
    response = client.get(reverse(f"workforce:{name}", args=args), params)
    return response, response.content.decode()


# Roster -----------------------------------------------------------------------------------


def test_the_roster_lists_only_the_people_in_scope(client, district, roster):
    _, body = _page(client, district.enterprise, "person_list")
    assert "持证甲" in body and "无证乙" in body and "西城丁" not in body
    _, body = _page(client, district.town_b, "person_list")
    assert "西城丁" in body and "持证甲" not in body
    _, body = _page(client, district.district, "person_list")
    assert all(n in body for n in ("持证甲", "无证乙", "焊工丙", "西城丁"))


def test_the_department_sees_the_people_of_the_enterprises_it_supervises(client, district, roster):
    person = PersonFactory(name="监管戊")
    PostFactory(person=person, enterprise=district.supervised)
    _, body = _page(client, district.department, "person_list")
    assert "监管戊" in body and "西城丁" not in body and "持证甲" not in body


def test_the_roster_filters_by_compliance_post_type_and_enterprise(client, district, roster):
    _, body = _page(client, district.town_a, "person_list", compliance="non_compliant")
    assert "无证乙" in body and "持证甲" not in body
    _, body = _page(client, district.town_a, "person_list", compliance="compliant")
    assert "持证甲" in body and "焊工丙" in body and "无证乙" not in body
    _, body = _page(client, district.town_a, "person_list", post_type="special_operation")
    assert "焊工丙" in body and "持证甲" not in body
    _, body = _page(client, district.district, "person_list", enterprise=district.ent_b1.pk)
    assert "西城丁" in body and "持证甲" not in body
    _, body = _page(client, district.district, "person_list", unit=district.town_b_unit.pk)
    assert "西城丁" in body and "持证甲" not in body


def test_compliance_is_judged_on_the_chosen_day(client, district, roster):
    # Before 持证甲's card was issued, the post was not covered.
    day = (timezone.localdate() - timedelta(days=60)).isoformat()
    _, body = _page(client, district.town_a, "person_list", compliance="non_compliant", on=day)
    assert "持证甲" in body


def test_the_roster_searches_by_name_id_number_and_certificate_number(client, district, roster):
    welder = roster["welder"]
    _, body = _page(client, district.town_a, "person_list", q="焊工")
    assert "焊工丙" in body and "持证甲" not in body
    _, body = _page(client, district.enterprise, "person_list", q=welder.id_number.lower())
    assert "焊工丙" in body and "持证甲" not in body
    _, body = _page(client, district.enterprise, "person_list", q=roster["special"].number)
    assert "焊工丙" in body and "持证甲" not in body


def test_a_masked_user_cannot_unmask_an_id_number_by_searching_prefixes(client, district, roster):
    welder = roster["welder"]
    prefix = welder.id_number[:10]
    _, body = _page(client, district.enterprise, "person_list", q=prefix)
    assert "焊工丙" not in body
    _, body = _page(client, district.enterprise, "person_list", q=welder.id_number[-5:])
    assert "焊工丙" not in body
    _, body = _page(client, district.town_a, "person_list", q=prefix)
    assert "焊工丙" in body


def test_the_roster_never_shows_a_whole_id_number(client, district, roster):
    for user in (district.district, district.town_a, district.enterprise, district.town_a_viewer):
        _, body = _page(client, user, "person_list")
        for person in (roster["certified"], roster["welder"]):
            assert person.id_number not in body
        assert mask_id_number(roster["certified"].id_number) in body


def test_the_roster_masks_phones_for_reporters_and_viewers(client, district, roster):
    _, body = _page(client, district.enterprise, "person_list")
    assert "13912345678" not in body and "139****5678" in body
    _, body = _page(client, district.town_a, "person_list")
    assert "13912345678" in body


def test_the_roster_list_is_a_bounded_number_of_queries(
    client, district, roster, django_assert_max_num_queries
):
    for _ in range(15):
        PostFactory(person=PersonFactory(), enterprise=district.ent_a2)
    client.force_login(district.town_a)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("workforce:person_list"))
    assert response.status_code == 200


def test_the_roster_answers_htmx_with_the_table_only(client, district, roster):
    client.force_login(district.town_a)
    response = client.get(reverse("workforce:person_list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="person-table"' in body and "<html" not in body


def test_a_malformed_date_in_the_roster_filter_falls_back_to_today_not_a_crash(
    client, district, roster
):
    # views_people.chosen_day: "?on=YYYY-MM-DD, today when absent or malformed".
    response, body = _page(client, district.town_a, "person_list", on="2024-13-45")
    assert response.status_code == 200
    assert response.context["on"] == timezone.localdate()
    plain, _ = _page(client, district.town_a, "person_list")
    assert "焊工丙" in body
    rows = [p.pk for p in response.context["object_list"]]
    assert rows and rows == [p.pk for p in plain.context["object_list"]]


# Person ---------------------------------------------------------------------------------


def test_a_person_page_shows_posts_certificates_and_status(client, district, roster):
    response, body = _page(client, district.enterprise, "person_detail", roster["welder"].pk)
    assert response.status_code == 200
    assert "焊工丙" in body and "特种作业操作证" in body and "有效" in body
    assert "持证上岗" in body


def test_a_foreign_person_is_a_404(client, district, roster):
    response, _ = _page(client, district.enterprise, "person_detail", roster["foreign"].pk)
    assert response.status_code == 404
    response, _ = _page(client, district.town_a, "person_detail", roster["foreign"].pk)
    assert response.status_code == 404


def test_the_status_on_a_past_day_reads_the_version_then(client, district, roster):
    day = (timezone.localdate() - timedelta(days=60)).isoformat()
    _, body = _page(client, district.town_a, "person_detail", roster["certified"].pk, on=day)
    assert "未生效" in body and "未持有效证书" in body


def test_the_person_page_masks_the_id_number_and_embedded_certificate_number(
    client, district, roster
):
    welder = roster["welder"]
    for user in (district.enterprise, district.town_a_viewer, district.town_a, district.district):
        _, body = _page(client, user, "person_detail", welder.pk)
        assert welder.id_number not in body, user
        assert mask_id_number(welder.id_number) in body
        assert ("T" + mask_id_number(welder.id_number)) in body


def test_only_admins_are_offered_the_full_id_number(client, district, roster):
    _, body = _page(client, district.town_a, "person_detail", roster["welder"].pk)
    assert "查看完整身份证号" in body
    _, body = _page(client, district.enterprise, "person_detail", roster["welder"].pk)
    assert "查看完整身份证号" not in body
    # Birth dates are part of the ID number: hidden from masked users.
    assert roster["welder"].birth_date.strftime("%Y-%m-%d") not in body


def test_viewing_the_full_id_number_writes_an_access_record(client, district, roster):
    welder = roster["welder"]
    client.force_login(district.town_a)
    url = reverse("workforce:person_id_number", args=[welder.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert welder.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == district.town_a
    assert entry.object_pk == str(welder.pk)
    assert entry.content_type.model == "person"
    assert entry.additional_data == {"field": "id_number", "via": "page"}
    assert entry.timestamp is not None
    # The record shows in the person's history.
    _, body = _page(client, district.town_a, "person_detail", welder.pk)
    assert "查看完整身份证号" in body and str(district.town_a) in body


def test_masked_users_cannot_view_the_full_id_number(client, district, roster):
    welder = roster["welder"]
    for user in (district.enterprise, district.town_a_viewer, district.department):
        client.force_login(user)
        response = client.post(reverse("workforce:person_id_number", args=[welder.pk]))
        assert response.status_code == 403
        assert welder.id_number not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_an_admin_cannot_view_a_foreign_id_number(client, district, roster):
    client.force_login(district.town_a)
    url = reverse("workforce:person_id_number", args=[roster["foreign"].pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_personal_data_roles_are_district_and_unit_admins(district):
    assert can_see_personal_data(district.district)
    assert can_see_personal_data(district.town_a)
    assert not can_see_personal_data(district.town_a_viewer)
    assert not can_see_personal_data(district.department)
    assert not can_see_personal_data(district.enterprise)


def test_the_person_history_never_shows_the_id_number(client, district, roster):
    welder = roster["welder"]
    welder.phone = "13800001111"
    welder.save()
    _, body = _page(client, district.district, "person_detail", welder.pk)
    history = body.split("变更记录", 1)[1]
    assert "（已隐藏）" in history
    assert welder.id_number[9:] not in history and "13800001111" not in history


# Certificate ----------------------------------------------------------------------------


def test_a_certificate_page_shows_versions_and_reviews(client, district, roster):
    from xuanpei.workforce import services

    special = _due_soon(district)
    reviewed = services.record_review(
        special, actor=district.town_a, review_date=timezone.localdate()
    )
    response, body = _page(client, district.enterprise, "certificate_detail", reviewed.pk)
    assert response.status_code == 200
    assert "复审" in body and "发证" in body and "已被新版本取代" in body
    assert special.holder.id_number not in body
    # The old version's page points at the current one.
    _, body = _page(client, district.enterprise, "certificate_detail", special.pk)
    assert (
        "历史版本" in body and reverse("workforce:certificate_detail", args=[reviewed.pk]) in body
    )


def test_a_foreign_certificate_is_a_404(client, district, roster):
    response, _ = _page(
        client, district.enterprise, "certificate_detail", roster["foreign_cert"].pk
    )
    assert response.status_code == 404


def _due_soon(district):
    """A 特种作业 card whose review falls due in 30 days: today is inside its 60-day window."""
    today = timezone.localdate()
    holder = PersonFactory(name="复审戊")
    PostFactory(person=holder, enterprise=district.ent_a1, special=True)
    return CertificateFactory(
        holder=holder,
        enterprise=district.ent_a1,
        special=True,
        issue_date=today.replace(year=today.year - 3) + timedelta(days=30),
    )


def test_an_enterprise_reporter_records_a_review_for_its_own_people(client, district, roster):
    special = _due_soon(district)
    client.force_login(district.enterprise)
    url = reverse("workforce:certificate_review", args=[special.pk])
    review_date = special.review_due_date - timedelta(days=5)
    if review_date > timezone.localdate():
        review_date = timezone.localdate()
    response = client.post(url, {"review_date": review_date.isoformat(), "interval_years": 3})
    assert response.status_code == 302, response.content.decode()
    special.refresh_from_db()
    assert not special.is_current
    new = special.successor
    assert new.is_current and new.last_review_date == review_date
    assert response["Location"] == reverse("workforce:certificate_detail", args=[new.pk])


def test_a_review_after_the_due_date_is_refused_in_chinese(client, district):
    cert = CertificateFactory(
        enterprise=district.ent_a1, special=True, issue_date=date(2019, 1, 10)
    )
    PostFactory(person=cert.holder, enterprise=district.ent_a1, special=True)
    client.force_login(district.town_a)
    url = reverse("workforce:certificate_review", args=[cert.pk])
    response = client.post(url, {"review_date": "2022-06-01", "interval_years": 3})
    body = response.content.decode()
    assert response.status_code == 200 and "未按期复审的证书失效" in body
    cert.refresh_from_db()
    assert cert.is_current


def test_enterprise_reporters_may_not_renew_revoke_or_cancel(client, district, roster):
    cert = roster["cert"]
    client.force_login(district.enterprise)
    for name in ("certificate_renew", "certificate_revoke", "certificate_cancel"):
        response = client.post(reverse(f"workforce:{name}", args=[cert.pk]), {"reason": "x"})
        assert response.status_code == 403, name
    cert.refresh_from_db()
    assert cert.state == "active" and cert.is_current


def test_the_district_admin_records_a_revocation_with_a_reason(client, district, roster):
    # Revocation is the issuing authority's act; the district records it (issue #8 §4).
    cert = roster["cert"]
    client.force_login(district.district)
    url = reverse("workforce:certificate_revoke", args=[cert.pk])
    response = client.post(url, {"on": timezone.localdate().isoformat(), "reason": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(url, {"on": timezone.localdate().isoformat(), "reason": "伪造证件"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.state == "revoked" and cert.state_reason == "伪造证件"
    # Then cancel it; a cancelled certificate cannot be cancelled twice.
    url = reverse("workforce:certificate_cancel", args=[cert.pk])
    assert (
        client.post(
            url, {"on": timezone.localdate().isoformat(), "reason": "撤销后注销"}
        ).status_code
        == 302
    )
    response = client.post(url, {"on": timezone.localdate().isoformat(), "reason": "再次"})
    assert "已注销" in response.content.decode()


def test_a_unit_admin_renews_a_certificate(client, district, roster):
    cert = roster["cert"]
    client.force_login(district.town_a)
    url = reverse("workforce:certificate_renew", args=[cert.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(url, {"issue_date": today.isoformat(), "number": "ａｑ９９"})
    assert response.status_code == 302, response.content.decode()
    cert.refresh_from_db()
    assert cert.successor.number == "AQ99" and cert.successor.issue_date == today


def test_a_unit_admin_cannot_act_on_a_foreign_certificate(client, district, roster):
    cert = roster["foreign_cert"]
    client.force_login(district.town_a)
    for name in ("certificate_review", "certificate_renew", "certificate_revoke"):
        assert client.get(reverse(f"workforce:{name}", args=[cert.pk])).status_code == 404
    cert.refresh_from_db()
    assert cert.is_current and cert.state == "active"


def test_viewers_are_offered_no_action(client, district, roster):
    _, body = _page(client, district.town_a_viewer, "certificate_detail", roster["special"].pk)
    assert "登记复审" not in body and "撤销" not in body
    _, body = _page(client, district.town_a, "certificate_detail", roster["special"].pk)
    assert "登记复审" in body and "撤销" not in body  # issued by the city (issue #8 §4)
    _, body = _page(client, district.district, "certificate_detail", roster["special"].pk)
    assert "登记复审" in body and "撤销" in body


def test_no_page_body_ever_carries_a_whole_id_number_for_masked_users(client, district, roster):
    welder = roster["welder"]
    pages = [
        ("person_list", ()),
        ("person_detail", (welder.pk,)),
        ("certificate_detail", (roster["special"].pk,)),
        ("certificate_review", (roster["special"].pk,)),
    ]
    # Every page answers (the viewer may not record a review: 403), and no body carries it.
    refused = {(district.town_a_viewer, "certificate_review")}
    for user in (district.enterprise, district.town_a_viewer):
        client.force_login(user)
        for name, args in pages:
            response = client.get(reverse(f"workforce:{name}", args=args))
            assert response.status_code == (403 if (user, name) in refused else 200), (user, name)
            assert welder.id_number not in response.content.decode(), (user, name)
