"""Coverage, quotas, roll-ups and coverage reminders (issue #11 items 4 and 7) against a
small world counted by hand.

The world (tests/personas.py plus three villages): 测试区 → 东新城 (→ 甲街道 → 甲社区)
and 西新城 (→ 乙镇 → 一村, 二村, 三社区). 安全生产月 runs 6/1–6/30.

    activity               unit    campaign  day   status     五进              people  locality
    a 乙镇学校进农村        乙镇    yes       6/5   accepted   school+village     100     一村
    b 西新城进企业          西新城  yes       6/9   accepted   enterprise          50     —
    c 甲街道进学校          甲街道  yes       6/20  accepted   school              30     —
    d 乙镇待审核            乙镇    yes       6/10  submitted  school             999     二村
    e 乙镇五月              乙镇    yes       5/20  accepted   school              10     —   (outside the dates)
    f 乙镇无主题            乙镇    no        6/12  accepted   family              20     —
"""

from __future__ import annotations

from datetime import date

import factory
import pytest
from django.core.management import call_command
from django.urls import reverse
from factory.django import DjangoModelFactory

from xuanpei.notifications.models import Notification
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.publicity import coverage, reminders, rollups
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.models_ledger import Activity, Quota, QuotaMeasure, ReviewStatus

pytestmark = pytest.mark.django_db
YEAR = 2025


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"测试活动{n}")
    place = "活动广场"
    held_on = date(YEAR, 6, 5)
    status = ReviewStatus.ACCEPTED

    @factory.post_generation
    def campaigns(self, create, extracted, **kwargs):
        if create and extracted:
            self.campaigns.set(extracted)


@pytest.fixture
def world(district):
    d = district
    d.one = add_unit(d.town_b_sub, "一村", UnitKind.VILLAGE)
    d.two = add_unit(d.town_b_sub, "二村", UnitKind.VILLAGE)
    d.three = add_unit(d.town_b_sub, "三社区", UnitKind.COMMUNITY)
    d.month = CampaignFactory(
        unit=d.root, year=YEAR, name="安全生产月", start_date=date(YEAR, 6, 1),
        end_date=date(YEAR, 6, 30),
    )  # fmt: skip
    c = [d.month]
    A = ActivityFactory
    d.a = A(title="乙镇学校进农村", unit=d.town_b_sub, campaigns=c, to_school=True,
            to_village=True, participants=100, locality=d.one)  # fmt: skip
    d.b = A(unit=d.town_b_unit, campaigns=c, held_on=date(YEAR, 6, 9), to_enterprise=True,
            participants=50)  # fmt: skip
    d.c = A(unit=d.street_a, campaigns=c, held_on=date(YEAR, 6, 20), to_school=True,
            participants=30)  # fmt: skip
    A(unit=d.town_b_sub, campaigns=c, held_on=date(YEAR, 6, 10), to_school=True,
      participants=999, locality=d.two, status=ReviewStatus.SUBMITTED)  # fmt: skip
    A(unit=d.town_b_sub, campaigns=c, held_on=date(YEAR, 5, 20), to_school=True, participants=10)
    A(unit=d.town_b_sub, held_on=date(YEAR, 6, 12), to_family=True, participants=20)
    return d


def cells(matrix) -> dict[str, dict[str, tuple[int, str]]]:
    return {
        row.unit.name: {"total": (row.total.count, row.total.state)}
        | {v: (c.count, c.state) for (v, _l), c in zip(matrix.columns, row.cells, strict=True)}
        for row in matrix.rows
    }


def test_the_campaign_matrix_counts_accepted_activities_of_the_campaign_in_its_dates(world):
    got = cells(coverage.campaign_matrix(world.month, world.root, minimum=2))
    # The district's children, departments left out; each row counts its subtree.
    assert list(got) == ["东新城", "西新城"]
    west, east = got["西新城"], got["东新城"]
    assert west["total"] == (2, "covered")  # a (乙镇) + b (西新城 itself)
    assert west["school"] == (1, "partly") and west["village"] == (1, "partly")
    assert west["enterprise"] == (1, "partly") and west["family"] == (0, "none")
    assert east["total"] == (1, "partly") and east["school"] == (1, "partly")
    assert east["community"] == (0, "none")
    # The 镇街 level: 甲街道 and 乙镇 (a only: b sits above it).
    towns = cells(coverage.campaign_matrix(world.month, world.root, kind="town"))
    assert {n: r["total"] for n, r in towns.items()} == {
        "甲街道": (1, "covered"),
        "乙镇": (1, "covered"),
    }


def test_every_cell_links_to_the_records_behind_it(world):
    matrix = coverage.campaign_matrix(world.month, world.root)
    west = next(r for r in matrix.rows if r.unit == world.town_b_unit)
    school = west.cells[[v for v, _l in matrix.columns].index("school")]
    for part in (
        f"campaign={world.month.pk}",
        f"unit={world.town_b_unit.pk}",
        "five_in=school",
        "status=accepted",
        f"start={YEAR}-06-01",
        f"end={YEAR}-06-30",
    ):
        assert part in school.url


def test_quotas_count_activities_and_villages_reached(world):
    per_town = Quota.objects.create(
        unit=world.root, year=YEAR, name="新城安全生产月", applies_to=UnitKind.NEW_TOWN,
        campaign=world.month, minimum=2,
    )  # fmt: skip
    rows = {r.unit.name: (r.count, r.state) for r in coverage.quota_rows(per_town, world.root)}
    assert rows == {"东新城": (1, "partly"), "西新城": (2, "covered")}
    villages = Quota.objects.create(
        unit=world.root, year=YEAR, name="村社区全覆盖", applies_to=UnitKind.TOWN,
        measure=QuotaMeasure.LOCALITIES,
    )  # fmt: skip
    rows = {r.unit.name: r for r in coverage.quota_rows(villages, world.root)}
    # 乙镇: 一村 reached (a); 二村 only by a submitted activity; 三社区 never.
    assert (rows["乙镇"].count, rows["乙镇"].needed, rows["乙镇"].state) == (1, 3, "partly")
    assert [u.name for u in rows["乙镇"].missing] == ["二村", "三社区"]
    assert (rows["甲街道"].count, rows["甲街道"].state) == (0, "none")
    missing, all_of_them = coverage.never_reached(world.town_b_sub, YEAR)
    assert [u.name for u in missing] == ["二村", "三社区"] and len(all_of_them) == 3


def test_rollups_match_the_hand_count(world, district):
    user = district.district
    assert {r.label: (r.count, r.reach) for r in rollups.table("unit", user, world.root, YEAR)} == {
        "东新城": (1, 30),
        "西新城": (4, 180),  # a, b, e (May), f (no campaign): accepted in the year
        "教育局": (0, 0),
        "住建局": (0, 0),
    }
    five = {r.label: r.count for r in rollups.table("five_in", user, world.root, YEAR)}
    assert five == {"进企业": 1, "进农村": 1, "进社区": 0, "进学校": 3, "进家庭": 1}
    months = [r.count for r in rollups.table("month", user, world.root, YEAR)]
    assert months == [0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0]
    assert [
        (r.label, r.count, r.reach) for r in rollups.table("campaign", user, world.root, YEAR)
    ] == [("安全生产月", 4, 190)]
    # A new town sees its own subtree only.
    west = {
        r.label: r.count for r in rollups.table("unit", district.town_b, world.town_b_unit, YEAR)
    }
    assert west == {"西新城（本级）": 1, "乙镇": 3}


def test_reminders_reach_uncovered_units_once_and_only_in_the_last_week(world):
    Activity.objects.filter(pk=world.c.pk).update(status=ReviewStatus.RETURNED)
    assert reminders.send_coverage_reminders(date(YEAR, 6, 23), email=False).created == 0
    first = reminders.send_coverage_reminders(date(YEAR, 6, 24), email=False)
    # 东新城 and its 甲街道 have nothing accepted; 西新城 and 乙镇 are covered.
    reminded = Notification.objects.filter(kind="publicity")
    assert sorted(n.unit.name for n in reminded) == ["东新城", "甲街道"]
    assert first.created == 2 and "安全生产月还有 6 天结束" in reminded[0].title
    again = reminders.send_coverage_reminders(date(YEAR, 6, 30), email=False)
    assert again.created == 0 and reminded.count() == 2
    assert reminders.send_coverage_reminders(date(YEAR, 7, 1), email=False).created == 0
    call_command("send_reminders", "--date", f"{YEAR}-06-25", "--no-email")


@pytest.mark.parametrize(
    ("name", "args", "query", "limit"),
    [
        ("publicity:campaign_coverage", "month", "", 16),
        ("publicity:campaign_coverage", "month", "?kind=town", 16),
        ("publicity:quota_detail", "quota", "", 16),
        ("publicity:coverage", None, f"?year={YEAR}", 16),
        ("publicity:rollup", None, f"?year={YEAR}", 22),
        ("publicity:rollup_export", None, f"?year={YEAR}", 20),
        ("publicity:campaign_summary", "month", "", 16),
    ],
)
def test_pages_answer_with_few_queries(
    world, client, django_assert_max_num_queries, name, args, query, limit
):
    world.quota = Quota.objects.create(
        unit=world.root, year=YEAR, name="村社区全覆盖", applies_to=UnitKind.TOWN,
        measure=QuotaMeasure.LOCALITIES,
    )  # fmt: skip
    client.force_login(world.district)
    url = reverse(name, args=[getattr(world, args).pk] if args else None) + query
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    if name == "publicity:campaign_coverage" and not query:
        body = response.content.decode()
        assert "cov-covered" in body and "cov-none" in body and "西新城" in body


def test_a_quota_is_added_with_its_year_checked(world, client):
    other_year = CampaignFactory(unit=world.root, year=YEAR + 1, name="明年活动")
    client.force_login(world.district)
    data = {"year": YEAR, "name": "新城定额", "applies_to": "new_town", "measure": "activities",
            "minimum": 5, "campaign": other_year.pk}  # fmt: skip
    response = client.post(reverse("publicity:quota_add"), data)
    assert response.status_code == 200 and "与定额年度2025年不一致" in response.content.decode()
    assert not Quota.objects.exists()
    data["campaign"] = world.month.pk
    response = client.post(reverse("publicity:quota_add"), data)
    quota = Quota.objects.get()
    assert response.status_code == 302 and quota.unit == world.root and quota.minimum == 5


def test_the_demo_ledger_tells_a_story_with_gaps_and_runs_once(district):
    from xuanpei.publicity.demo_ledger import seed_ledger

    d = district
    month = CampaignFactory(
        unit=d.root, year=YEAR, name="安全生产月", start_date=date(YEAR, 6, 1),
        end_date=date(YEAR, 6, 30),
    )  # fmt: skip
    result = seed_ledger(today=date(YEAR, 12, 1))
    assert result.activities > 50 and result.media_posts > 20 and result.quotas == 2
    assert 0 < result.accepted < result.activities
    # The last new town (西新城) is silent in 安全生产月; the first one is not.
    rows = {r.unit.name: r.total.count for r in coverage.campaign_matrix(month, d.root).rows}
    assert rows["西新城"] == 0 and rows["东新城"] > 0
    assert seed_ledger(today=date(YEAR, 12, 1)).activities == 0
    assert Activity.objects.count() == result.activities


def test_the_printable_summary_shows_reach_photos_and_escapes_typed_text(world, client):
    from xuanpei.publicity.models_ledger import ActivityFile

    Activity.objects.filter(pk=world.a.pk).update(title="<script>alert(1)</script>乙镇")
    photo = ActivityFile.objects.create(
        activity=world.a, file="publicity/2025/06/a.jpg", name="a.jpg", kind="image", size=10
    )
    client.force_login(world.district)
    body = client.get(reverse("publicity:campaign_summary", args=[world.month.pk])).content
    body = body.decode()
    assert reverse("publicity:activity_thumbnail", args=[photo.pk]) in body
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body
    assert "<b>180</b>" in body  # reach: 100 + 50 + 30 (accepted, in the campaign's dates)
