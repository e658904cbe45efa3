"""持证率 service: numbers per persona, snapshots equal live, one-query aggregates, trend."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xuanpei.orgs.services import close_enterprise
from xuanpei.workforce import compliance, services
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import CertificateFactory, PostFactory, operation_item
from xuanpei.workforce.models import ComplianceSnapshot
from xuanpei.workforce.privacy import mask_certificate_number

TODAY = date(2024, 6, 15)


@pytest.fixture
def today(monkeypatch):
    """Freeze "today" for the service (snapshots are made for today and past month-ends)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def covered_post(enterprise, **kwargs):
    post = PostFactory(enterprise=enterprise, **kwargs)
    CertificateFactory(holder=post.person, enterprise=enterprise, issue_date=date(2023, 3, 1))
    return post


@pytest.fixture
def roster(district, today):
    """ent_a1: 2 covered + 1 uncovered manager + 1 worker needing none; ent_a2: 1 uncovered;
    ent_b1: 1 covered principal; supervised (教育局): 1 covered, 1 uncovered."""
    d = district
    posts = {
        "a1_ok1": covered_post(d.ent_a1),
        "a1_ok2": covered_post(d.ent_a1),
        "a1_bad": PostFactory(enterprise=d.ent_a1),
        "a1_worker": PostFactory(enterprise=d.ent_a1, post_type_id=PostTypeCode.OTHER),
        "a2_bad": PostFactory(enterprise=d.ent_a2),
        "b1_ok": covered_post(d.ent_b1, post_type_id=PostTypeCode.PRINCIPAL),
        "sup_ok": covered_post(d.supervised),
        "sup_bad": PostFactory(enterprise=d.supervised),
    }
    return posts


def totals(user, on=TODAY, **kwargs):
    s = compliance.compliance_summary(user, on, **kwargs)
    return s.required, s.compliant


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district", (7, 4)),
        ("town_a", (4, 2)),
        ("town_a_viewer", (4, 2)),
        ("town_b", (3, 2)),
        ("department", (2, 1)),
        ("enterprise", (3, 2)),
    ],
)
def test_each_persona_gets_the_rate_of_its_own_scope(roster, district, persona, expected):
    assert totals(getattr(district, persona)) == expected


@pytest.mark.parametrize("on", [TODAY, date(2024, 3, 20)])
def test_snapshot_and_live_numbers_agree_for_every_grouping(roster, district, on):
    user = district.district
    compliance.refresh_snapshots(on=on)
    for group_by in ("new_town", "town", "sector", "department", "enterprise"):
        snap = compliance.compliance_summary(user, on, group_by, source="snapshot")
        live = compliance.compliance_summary(user, on, group_by, source="live")
        assert (snap.required, snap.compliant) == (live.required, live.compliant), group_by
        assert [(r.key, r.required, r.compliant) for r in snap.rows] == [
            (r.key, r.required, r.compliant) for r in live.rows
        ], group_by


def test_today_reads_the_snapshot_which_is_made_once(roster, district, django_assert_num_queries):
    assert not ComplianceSnapshot.objects.exists()
    summary = compliance.compliance_summary(district.district, TODAY)
    assert summary.source == "snapshot"
    assert ComplianceSnapshot.objects.filter(on=TODAY).count() == 4
    # Now: the snapshot-day check; the aggregate is the reading cached by the first call
    # (test_compliance_cache.py: when it is made again).
    with django_assert_num_queries(1):
        again = compliance.compliance_summary(district.district, TODAY)
    assert (again.required, again.compliant) == (summary.required, summary.compliant) == (7, 4)


def test_an_ordinary_past_day_is_computed_live_in_one_query(
    roster, district, django_assert_num_queries
):
    day = date(2024, 5, 10)
    with django_assert_num_queries(2):  # snapshot-day check + the aggregate
        summary = compliance.compliance_summary(district.district, day)
    assert summary.source == "live"
    assert not ComplianceSnapshot.objects.filter(on=day).exists()
    with django_assert_num_queries(1):
        compliance.compliance_summary(district.district, day, source="live")


def test_the_live_aggregate_matches_a_hand_written_sql_aggregate(roster, district):
    """The benchmark's reference query, on small data: same numbers as the service."""
    sql = """
        SELECT COUNT(*),
               SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM workforce_certificate c
                   JOIN workforce_certificatekind_post_types kp
                     ON kp.certificatekind_id = c.kind_id AND kp.posttype_id = p.post_type_id
                   JOIN workforce_certificatekind k ON k.code = c.kind_id
                   WHERE c.holder_id = p.person_id
                     AND c.effective_from <= %(on)s AND c.valid_until >= %(on)s
                     AND (c.superseded_on IS NULL OR c.superseded_on > %(on)s)
                     AND (c.review_due_date IS NULL OR c.review_due_date >= %(on)s)
                     AND (c.state = 'active' OR c.state_changed_on > %(on)s)
                     AND (NOT k.requires_operation_item OR c.operation_item_id = p.operation_item_id)
               ) THEN 1 ELSE 0 END)
        FROM workforce_post p
        JOIN workforce_posttype t ON t.code = p.post_type_id
        JOIN orgs_enterprise e ON e.id = p.enterprise_id
        WHERE t.requires_certificate
          AND (p.start_date IS NULL OR p.start_date <= %(on)s)
          AND (p.end_date IS NULL OR p.end_date >= %(on)s)
          AND (e.is_active OR e.closed_at > %(on)s)
    """
    day = date(2024, 5, 10)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"on": day})
        required, compliant = cursor.fetchone()
    summary = compliance.compliance_summary(district.district, day, source="live")
    assert (summary.required, summary.compliant) == (required, compliant) == (7, 4)


def test_closed_enterprises_are_left_out_from_their_closing_day(roster, district):
    close_enterprise(
        district.ent_a2, actor=district.district, closed_at=date(2024, 5, 1), reason="注销"
    )
    assert totals(district.town_a) == (3, 2)
    assert totals(district.town_a, on=date(2024, 4, 30)) == (4, 2)
    assert totals(district.town_a, on=date(2024, 5, 1)) == (3, 2)


def test_rows_by_new_town_and_town_carry_the_units(roster, district):
    rows = compliance.compliance_summary(district.district, TODAY, "new_town").rows
    assert [(r.label, r.required, r.compliant) for r in rows] == [
        ("东新城", 4, 2),
        ("西新城", 3, 2),
    ]
    rows = compliance.compliance_summary(district.town_b, TODAY, "town").rows
    assert [(r.label, r.required, r.compliant) for r in rows] == [("乙镇", 3, 2)]


def test_the_department_sees_only_what_it_supervises_by_new_town(roster, district):
    rows = compliance.compliance_summary(district.department, TODAY, "new_town").rows
    assert [(r.label, r.required, r.compliant) for r in rows] == [("西新城", 2, 1)]


def test_enterprise_ranking_puts_the_lowest_rate_first(roster, district):
    rows = list(compliance.enterprise_ranking(district.district, TODAY))
    assert [r["enterprise_id"] for r in rows[:3]] == [
        district.ent_a2.pk,  # 0 of 1
        district.supervised.pk,  # 1 of 2
        district.ent_a1.pk,  # 2 of 3
    ]
    assert rows[-1]["rate"] == 1.0
    live = list(compliance.enterprise_ranking(district.district, TODAY, source="live"))
    assert [r["enterprise_id"] for r in live] == [r["enterprise_id"] for r in rows]


def test_a_refresh_for_some_enterprises_touches_only_days_already_stored(roster, district):
    assert compliance.refresh_snapshots([district.ent_a1.pk], on=TODAY) == 0
    assert not ComplianceSnapshot.objects.exists()
    compliance.refresh_snapshots(on=TODAY)
    PostFactory(enterprise=district.ent_a1)
    compliance.refresh_snapshots([district.ent_a1.pk], on=TODAY)
    snap = ComplianceSnapshot.objects.get(enterprise=district.ent_a1, on=TODAY)
    assert (snap.required, snap.compliant) == (4, 2)


def test_a_refresh_drops_enterprises_left_without_certified_posts(roster, district):
    compliance.refresh_snapshots(on=TODAY)
    roster["a2_bad"].delete()
    compliance.refresh_snapshots(on=TODAY)
    assert not ComplianceSnapshot.objects.filter(enterprise=district.ent_a2).exists()


def test_edits_refresh_the_stored_days_after_commit(
    roster, district, django_capture_on_commit_callbacks
):
    compliance.refresh_snapshots(on=TODAY)
    compliance.refresh_snapshots(on=date(2024, 5, 31))
    post = roster["a1_bad"]
    with django_capture_on_commit_callbacks(execute=True):
        CertificateFactory(
            holder=post.person, enterprise=district.ent_a1, issue_date=date(2024, 1, 2)
        )
    for day in (TODAY, date(2024, 5, 31)):
        snap = ComplianceSnapshot.objects.get(enterprise=district.ent_a1, on=day)
        assert (snap.required, snap.compliant) == (3, 3), day


def test_a_revocation_through_the_service_updates_today(
    roster, district, django_capture_on_commit_callbacks
):
    compliance.refresh_snapshots(on=TODAY)
    cert = roster["b1_ok"].person.certificates.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_certificate(cert, actor=district.district, reason="虚假材料", on=TODAY)
    snap = ComplianceSnapshot.objects.get(enterprise=district.ent_b1, on=TODAY)
    assert (snap.required, snap.compliant) == (1, 0)


def test_the_trend_has_twelve_month_ends_stored_once(
    roster, district, django_assert_max_num_queries
):
    points = compliance.trend(district.district, TODAY)
    assert len(points) == 12
    assert points[-1].key == TODAY
    assert points[-2].key == date(2024, 5, 31)
    assert points[0].key == date(2023, 7, 31)
    # Posts started 2020-01-01; certificates were issued 2023-03-01.
    assert (points[0].required, points[0].compliant) == (7, 4)
    stored = set(ComplianceSnapshot.objects.values_list("on", flat=True))
    assert date(2024, 5, 31) in stored and TODAY in stored
    with django_assert_max_num_queries(2):
        compliance.trend(district.district, TODAY)


def test_trend_days_end_on_the_chosen_day():
    assert compliance.trend_days(date(2024, 3, 31), 3) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]
    assert compliance.trend_days(date(2024, 3, 10), 3) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 10),
    ]


def test_uncertified_people_are_named_with_a_reason(district, today):
    ent = district.ent_a1
    none = PostFactory(enterprise=ent)
    expired = PostFactory(enterprise=ent)
    CertificateFactory(holder=expired.person, enterprise=ent, issue_date=date(2020, 1, 1))
    overdue = PostFactory(enterprise=ent, special=True)
    CertificateFactory(
        holder=overdue.person, enterprise=ent, special=True, issue_date=date(2020, 1, 10)
    )
    revoked = PostFactory(enterprise=ent)
    cert = CertificateFactory(holder=revoked.person, enterprise=ent)
    services.revoke_certificate(cert, actor=district.district, reason="虚假", on=date(2024, 5, 1))
    wrong_item = PostFactory(enterprise=ent, special=True, operation_item=operation_item("2.1"))
    CertificateFactory(holder=wrong_item.person, enterprise=ent, special=True)
    posts = compliance.uncertified_posts(district.enterprise, TODAY, enterprise=ent)
    rows = {r["post"].pk: r for r in compliance.explain_uncertified(posts, TODAY)}
    assert set(rows) == {none.pk, expired.pk, overdue.pk, revoked.pk, wrong_item.pk}
    assert rows[none.pk]["reason"] == "无证"
    assert rows[expired.pk]["reason"] == "证书已过期"
    assert rows[overdue.pk]["reason"] == "逾期未复审（证书失效）"
    assert rows[revoked.pk]["reason"] == "证书已撤销"
    assert rows[wrong_item.pk]["reason"] == "证书操作项目与岗位不符"
    assert rows[none.pk]["id_masked"].count("*") == 11


def test_due_counts_look_ninety_days_ahead(district, today):
    ent = district.ent_a1
    CertificateFactory(enterprise=ent, issue_date=TODAY - timedelta(days=3 * 365 - 30))
    CertificateFactory(
        enterprise=ent, special=True, issue_date=date(2021, 7, 1)
    )  # review 2024-07-01
    CertificateFactory(enterprise=district.ent_b1, issue_date=date(2021, 8, 1))
    assert compliance.due_counts(district.district) == {"review": 1, "expiring": 2}
    assert compliance.due_counts(district.town_a) == {"review": 1, "expiring": 1}
    assert compliance.due_counts(district.town_b) == {"review": 0, "expiring": 1}


def test_certificate_numbers_holding_an_id_are_masked():
    # One rule for every page (workforce.privacy); the due list and reminders use it.
    assert mask_certificate_number("T61019919900101001X") == "T610***********001X"
    assert mask_certificate_number("AQ00000001") == "AQ00000001"


# Cached readings (compliance_cache): reused while nothing changed, made again after any
# change they depend on, never shared between scopes.


def aggregate_queries(call) -> int:
    """Queries other than the snapshot-day check (`MIN(on)` probes)."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return sum("MIN(" not in q["sql"].upper() for q in ctx.captured_queries)


def test_a_second_reader_of_the_same_scope_gets_the_cached_reading(roster, district):
    assert totals(district.town_a) == (4, 2)
    # town_a_viewer reads the same new town: the same reading, no aggregate query.
    assert aggregate_queries(lambda: totals(district.town_a_viewer)) == 0
    assert totals(district.town_a_viewer) == (4, 2)


def test_readers_of_other_scopes_never_get_each_others_reading(roster, district):
    assert totals(district.district) == (7, 4)
    assert totals(district.town_a) == (4, 2)
    assert totals(district.town_b) == (3, 2)
    assert totals(district.department) == (2, 1)
    assert totals(district.enterprise) == (3, 2)


def test_a_new_post_is_counted_at_once_not_after_the_cache_expires(
    roster, district, django_capture_on_commit_callbacks
):
    assert totals(district.district) == (7, 4)
    with django_capture_on_commit_callbacks(execute=True):
        covered_post(district.ent_b1)  # on commit: today's snapshot of ent_b1 made again
    assert totals(district.district) == (8, 5)
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory(enterprise=district.ent_b1)  # uncovered
    assert totals(district.district) == (9, 5)


def test_closing_an_enterprise_takes_it_out_of_the_cached_reading(roster, district):
    assert totals(district.town_a) == (4, 2)
    close_enterprise(district.ent_a2, actor=district.district, closed_at=TODAY, reason="注销")
    assert totals(district.town_a) == (3, 2)  # ent_a2's uncovered post is gone


def test_the_trend_is_cached_and_made_again_after_a_refresh(
    roster, district, django_capture_on_commit_callbacks
):
    user = district.district
    first = compliance.trend(user, TODAY, inline=True)
    assert aggregate_queries(lambda: compliance.trend(user, TODAY, inline=True)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        covered_post(district.ent_b1)
    latest = compliance.trend(user, TODAY, inline=True)[-1]
    assert (latest.required, latest.compliant) == (first[-1].required + 1, first[-1].compliant + 1)


@pytest.mark.parametrize("day", [date(2024, 5, 10)])
def test_a_live_day_is_never_cached(roster, district, day):
    user = district.district
    compliance.compliance_summary(user, day)
    assert aggregate_queries(lambda: compliance.compliance_summary(user, day)) == 1
    compliance.compliance_summary(user, TODAY)  # a snapshot day: made, then cached
    assert aggregate_queries(lambda: compliance.compliance_summary(user, TODAY)) == 0


def test_the_certificates_due_are_cached_and_counted_again_after_a_new_certificate(district, today):
    ent = district.ent_a1
    CertificateFactory(enterprise=ent, issue_date=TODAY - timedelta(days=3 * 365 - 30))
    assert compliance.due_counts(district.town_a) == {"review": 0, "expiring": 1}
    assert aggregate_queries(lambda: compliance.due_counts(district.town_a)) == 0
    # Saved without a commit (the test's transaction): counted at once all the same.
    CertificateFactory(enterprise=ent, issue_date=TODAY - timedelta(days=3 * 365 - 10))
    assert compliance.due_counts(district.town_a) == {"review": 0, "expiring": 2}
    assert compliance.due_counts(district.town_b) == {"review": 0, "expiring": 0}


def test_a_page_of_the_ranking_is_cached_and_made_again_after_a_new_post(
    roster, district, django_capture_on_commit_callbacks
):
    def page(user):
        p = compliance.ranking_page(
            user, TODAY, unit=None, source="snapshot", number=1, per_page=20
        )
        return p.paginator.count, [(r["enterprise_id"], r["compliant"], r["required"]) for r in p]

    compliance.ensure_snapshots([TODAY])
    first = page(district.district)
    # Lowest rate first: ent_a2 0 of 1, the supervised one 1 of 2, ent_a1 2 of 3, ent_b1 1 of 1.
    assert first == (
        4,
        [
            (district.ent_a2.pk, 0, 1),
            (district.supervised.pk, 1, 2),
            (district.ent_a1.pk, 2, 3),
            (district.ent_b1.pk, 1, 1),
        ],
    )
    assert aggregate_queries(lambda: page(district.district)) == 0
    # Another scope: its own reading (西新城 holds ent_b1 and the supervised one).
    assert page(district.town_b) == (
        2,
        [(district.supervised.pk, 1, 2), (district.ent_b1.pk, 1, 1)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory(enterprise=district.ent_b1)  # uncovered: ent_b1 now 1 of 2
    after = dict((e, (c, r)) for e, c, r in page(district.district)[1])
    assert after[district.ent_b1.pk] == (1, 2)
