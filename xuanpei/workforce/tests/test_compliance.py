"""持证率 in SQL: the Post queryset filters agree with rules.post_is_compliant."""

import random
from datetime import date, timedelta

import pytest

from xuanpei.workforce import services
from xuanpei.workforce.choices import CertificateKindCode, CertificateState, PostTypeCode
from xuanpei.workforce.factories import (
    CertificateFactory,
    PersonFactory,
    PostFactory,
    operation_item,
)
from xuanpei.workforce.models import Certificate, Post

ON = date(2024, 6, 1)


@pytest.fixture
def roster(district):
    """ent_a1: a covered manager, an uncovered manager, a covered and a wrong-item
    electrician, an ordinary worker; ent_b1: one covered principal."""
    ent = district.ent_a1
    covered = PostFactory(enterprise=ent)
    CertificateFactory(holder=covered.person, enterprise=ent, issue_date=date(2023, 3, 1))
    uncovered = PostFactory(enterprise=ent)
    electrician = PostFactory(enterprise=ent, special=True)
    CertificateFactory(
        holder=electrician.person, enterprise=ent, special=True, issue_date=date(2023, 3, 1)
    )
    welder = PostFactory(enterprise=ent, special=True, operation_item=operation_item("2.1"))
    CertificateFactory(holder=welder.person, enterprise=ent, special=True)  # item 1.2
    worker = PostFactory(enterprise=ent, post_type_id=PostTypeCode.OTHER)
    principal = PostFactory(enterprise=district.ent_b1, post_type_id=PostTypeCode.PRINCIPAL)
    CertificateFactory(holder=principal.person, enterprise=district.ent_b1)
    return {
        "covered": covered,
        "uncovered": uncovered,
        "electrician": electrician,
        "welder": welder,
        "worker": worker,
        "principal": principal,
    }


def test_only_posts_of_certified_types_count(roster):
    assert roster["worker"] not in Post.objects.requiring_certificate()
    assert Post.objects.requiring_certificate().count() == 5


def test_compliant_posts_are_those_with_a_fitting_covering_certificate(roster):
    compliant = set(Post.objects.requiring_certificate().compliant(ON))
    assert compliant == {roster["covered"], roster["electrician"], roster["principal"]}
    assert set(Post.objects.non_compliant(ON)) == {roster["uncovered"], roster["welder"]}


def test_the_totals_and_the_per_enterprise_rates_are_one_query_each(
    roster, district, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert Post.objects.compliance_totals(ON) == {"required": 5, "compliant": 3}
    with django_assert_num_queries(1):
        rows = list(Post.objects.compliance_by(ON, "enterprise_id"))
    assert rows == [
        {"enterprise_id": district.ent_a1.pk, "required": 4, "compliant": 2},
        {"enterprise_id": district.ent_b1.pk, "required": 1, "compliant": 1},
    ]


def test_rates_group_by_sector_department_and_new_town(roster, district):
    by_sector = list(Post.objects.compliance_by(ON, "enterprise__sector_id"))
    assert by_sector == [
        {"enterprise__sector_id": district.sector.pk, "required": 5, "compliant": 3}
    ]
    by_dept = list(Post.objects.compliance_by(ON, "enterprise__departments"))
    assert {
        "enterprise__departments": district.other_dept_unit.pk,
        "required": 1,
        "compliant": 1,
    } in (by_dept)
    by_town = {r["unit_path"]: r for r in Post.objects.compliance_by_unit(ON, depth=2)}
    assert by_town[district.town_a_unit.path]["required"] == 4
    assert by_town[district.town_b_unit.path]["compliant"] == 1


def test_scoped_rates_only_count_posts_in_scope(roster, district):
    assert Post.objects.for_user(district.town_b).compliance_totals(ON) == {
        "required": 1,
        "compliant": 1,
    }
    assert Post.objects.for_user(district.enterprise).compliance_totals(ON)["required"] == 4


def test_posts_off_duty_that_day_are_left_out(roster):
    left = roster["uncovered"]
    left.end_date = ON - timedelta(days=1)
    left.save()
    later = PostFactory(enterprise=left.enterprise, start_date=ON + timedelta(days=1))
    assert Post.objects.compliance_totals(ON) == {"required": 4, "compliant": 3}
    assert later not in Post.objects.on_duty(ON)
    assert later in Post.objects.on_duty(ON + timedelta(days=1))


def test_a_review_keeps_the_post_covered_before_and_after(district):
    post = PostFactory(enterprise=district.ent_a1, special=True)
    cert = CertificateFactory(
        holder=post.person, enterprise=district.ent_a1, special=True, issue_date=date(2020, 1, 10)
    )
    services.record_review(cert, actor=district.district, review_date=date(2022, 12, 1))
    for day, expected in [
        (date(2022, 11, 30), True),  # the old version, in its review window
        (date(2023, 6, 1), True),  # the review version
        (date(2026, 1, 11), False),  # expired
    ]:
        assert Post.objects.compliant(day).filter(pk=post.pk).exists() is expected, day
        assert post.is_compliant_on(day) is expected, day


def test_a_missed_review_makes_the_post_uncovered(district):
    post = PostFactory(enterprise=district.ent_a1, special=True)
    CertificateFactory(
        holder=post.person, enterprise=district.ent_a1, special=True, issue_date=date(2020, 1, 10)
    )
    assert Post.objects.compliant(date(2023, 1, 10)).filter(pk=post.pk).exists()
    assert not Post.objects.compliant(date(2023, 1, 11)).filter(pk=post.pk).exists()


def test_a_revoked_certificate_stops_covering_from_its_revocation_day(district):
    post = PostFactory(enterprise=district.ent_a1)
    cert = CertificateFactory(holder=post.person, enterprise=district.ent_a1)
    services.revoke_certificate(
        cert, actor=district.district, reason="提供虚假材料", on=date(2024, 5, 1)
    )
    assert Post.objects.compliant(date(2024, 4, 30)).filter(pk=post.pk).exists()
    assert not Post.objects.compliant(date(2024, 5, 1)).filter(pk=post.pk).exists()


def test_the_sql_filter_agrees_with_the_rules_on_a_random_roster(district):
    """Random people, posts, versions and states; SQL and Python must pick the same posts."""
    rnd = random.Random(20240601)
    enterprises = [district.ent_a1, district.ent_a2, district.ent_b1]
    items = [operation_item("1.1"), operation_item("1.2")]
    actor = district.district
    for _ in range(40):
        person = PersonFactory()
        ent = rnd.choice(enterprises)
        kind = rnd.choice([PostTypeCode.SAFETY_MANAGER, PostTypeCode.SPECIAL_OPERATION, "other"])
        start = date(2019, 1, 1) + timedelta(days=rnd.randint(0, 2500))
        PostFactory(
            person=person,
            enterprise=ent,
            post_type_id=kind,
            operation_item=rnd.choice(items) if kind == PostTypeCode.SPECIAL_OPERATION else None,
            start_date=start,
            end_date=rnd.choice([None, None, start + timedelta(days=rnd.randint(0, 900))]),
        )
        for _ in range(rnd.randint(0, 2)):
            special = rnd.random() < 0.6
            cert = CertificateFactory(
                holder=person,
                enterprise=ent,
                kind_id=(
                    CertificateKindCode.SPECIAL_OPERATION
                    if special
                    else CertificateKindCode.SAFETY_COMPETENCE
                ),
                operation_item=rnd.choice(items) if special else None,
                issue_date=date(2017, 1, 1) + timedelta(days=rnd.randint(0, 2900)),
                review_interval_years=rnd.choice([None, None, 6]) if special else None,
            )
            roll = rnd.random()
            if special and roll < 0.3 and cert.review_due_date:
                # The window opens on due − 60 (民法典 第1259条), both ends included.
                review_day = cert.review_due_date - timedelta(days=rnd.randint(0, 60))
                services.record_review(cert, actor=actor, review_date=review_day)
            elif roll < 0.45:
                services.renew_certificate(
                    cert, actor=actor, issue_date=cert.valid_until - timedelta(days=10)
                )
            elif roll < 0.55:
                services.revoke_certificate(
                    cert, actor=actor, reason="测试", on=cert.issue_date + timedelta(days=400)
                )
    posts = list(Post.objects.requiring_certificate().select_related("post_type"))
    certs_by_holder = {}
    for c in Certificate.objects.select_related("kind").prefetch_related("kind__post_types"):
        certs_by_holder.setdefault(c.holder_id, []).append(c.facts())
    assert Certificate.objects.filter(state=CertificateState.REVOKED).exists()
    assert Certificate.objects.filter(is_current=False).exists()
    for day in [date(2018, 6, 1), date(2020, 3, 1), date(2022, 12, 31), ON, date(2026, 2, 1)]:
        sql = set(Post.objects.requiring_certificate().compliant(day).values_list("pk", flat=True))
        python = {
            p.pk for p in posts if rules_compliant(p, certs_by_holder.get(p.person_id, []), day)
        }
        assert sql == python, day
        if day == ON:
            assert 0 < len(sql) < len(posts)  # the roster exercises both outcomes


def rules_compliant(post, certs, day):
    from xuanpei.workforce.rules import post_is_compliant

    return post_is_compliant(post.facts(), certs, day)
