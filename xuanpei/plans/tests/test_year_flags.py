"""Issue #8 item 11: a copied plan flags the text bound to the old year (the 2022 plan's
〔2022〕3号, 迎接党的“二十大”, 疫情防控) and is not issued until each flag is dealt with."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.plans import services, year_flags
from xuanpei.plans.choices import PlanStatus
from xuanpei.plans.loader import load_template
from xuanpei.plans.models import Plan
from xuanpei.plans.tests.shared_world import built_once, copies

# One worker runs the module (`make test` uses --dist loadgroup): the copy is built once.
pytestmark = pytest.mark.xdist_group("plan_year_flags")

# The 2022 plan's own sentences (template2022.py, verbatim).
PREAMBLE_2022 = "严格落实《XX区2022年应急管理工作要点》（XX咸应急发〔2022〕3号）要求"
GOALS_2022 = (
    "坚决杜绝重特大生产安全事故，防范和遏制较大生产安全事故，以优异成绩迎接党的“二十大”胜利召开。"
)
P5_2022 = "多措并举开展主题宣传教育活动。在做好疫情防控措施的前提下，丰富形式，创意创新"


def texts(findings):
    return [f.text for f in findings]


def test_the_2022_sentences_are_flagged_for_a_2023_plan():
    assert texts(year_flags.find(PREAMBLE_2022, year=2023)) == ["2022", "XX咸应急发〔2022〕3号"]
    assert texts(year_flags.find(GOALS_2022, year=2023)) == ["二十大"]
    assert texts(year_flags.find(P5_2022, year=2023)) == ["疫情防控"]
    assert texts(year_flags.find("深入学习贯彻党的十九届六中全会精神", year=2023)) == [
        "十九届六中全会"
    ]
    assert texts(year_flags.find("组织开展第22个全国“安全生产月”活动", year=2023)) == ["第22个"]


def test_the_new_year_and_ordinary_numbers_are_not_flagged():
    text = "2023年全年开展培训，参训2000人次，持证率达到100%，重大事故隐患“十大”类型"
    assert year_flags.find(text, year=2023) == []
    assert texts(year_flags.find("二〇二二年度总结", year=2023)) == ["二〇二二年"]
    assert texts(year_flags.find("2021年以来", year=2023)) == ["2021"]


@given(st.text(alphabet="安全生产宣传教育培训工作计划各新城镇街，。、", max_size=80))
def test_plain_text_without_years_or_events_has_no_flags(text):
    assert year_flags.find(text, year=2023) == []


@given(
    before=st.text(alphabet="安全生产宣传，。", max_size=20),
    after=st.text(alphabet="安全生产宣传，。", max_size=20),
    year=st.integers(min_value=2000, max_value=2099),
    number=st.integers(min_value=1, max_value=999),
)
def test_a_cited_document_of_an_earlier_year_is_always_flagged(before, after, year, number):
    cited = f"XX安委办发〔{year}〕{number}号"
    found = texts(year_flags.find(f"{before}（{cited}）{after}", year=year + 1))
    assert cited in found
    assert texts(year_flags.find(f"{before}（{cited}）{after}", year=year)) == []


@pytest.fixture(scope="module")
def _copied_2023(django_db_setup, django_db_blocker):
    """The persona district, its issued 2022 plan and the 2023 copy, built once for the
    module; each test runs in a savepoint inside (see shared_world.py)."""
    from tests.personas import build_district

    with built_once(django_db_blocker):
        district = build_district()
        plan = load_template(2022, actor=district.district, issue=True)
        yield district, services.copy_plan(plan, year=2023, actor=district.district)


@pytest.fixture
def _world(_copied_2023, db):
    return copies(_copied_2023)


@pytest.fixture
def district(_world):
    return _world[0]


@pytest.fixture
def copy_2023(_world):
    return _world[1]


def test_copying_the_2022_plan_flags_its_year_bound_text(copy_2023):
    flags = copy_2023.year_flags
    found = {f["text"] for f in flags}
    assert {"XX咸应急发〔2022〕3号", "二十大", "疫情防控", "十九届六中全会"} <= found
    preamble = [f for f in flags if f["where"] == "plan:preamble"]
    assert [f["text"] for f in preamble] == ["XX咸应急发〔2022〕3号"]
    # The moved year is not a flag ("2022年应急管理工作要点" became 2023); a 2022 the
    # copy does not move (a task's 工作成果: 《2022年学习宣传贯彻…任务清单》) is.
    stale = [f for f in flags if f["text"] == "2022"]
    assert stale and all(f["where"].endswith(":deliverables") for f in stale)


def test_a_flagged_copy_is_not_issued_and_the_message_names_what_is_left(district, copy_2023):
    with pytest.raises(ValidationError) as exc:
        services.issue_plan(copy_2023, actor=district.district)
    message = " ".join(exc.value.messages)
    assert "导语“XX咸应急发〔2022〕3号”" in message
    assert "未复核" in message
    assert Plan.objects.get(pk=copy_2023.pk).status == PlanStatus.DRAFT


def test_changing_the_text_or_confirming_it_clears_the_flags_and_the_plan_issues(
    district, copy_2023
):
    plan = copy_2023
    plan.preamble = plan.preamble.replace("XX咸应急发〔2022〕3号", "XX咸应急发〔2023〕2号")
    plan.save()
    left = year_flags.outstanding(plan)
    assert "XX咸应急发〔2022〕3号" not in {f["text"] for f in left}
    first = left[0]
    year_flags.clear_flags(plan, actor=district.district, keys=[first["key"]])
    assert first["key"] not in {f["key"] for f in year_flags.outstanding(plan)}
    with pytest.raises(ValidationError):
        services.issue_plan(plan, actor=district.district)
    year_flags.clear_flags(plan, actor=district.district)
    services.issue_plan(plan, actor=district.district)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.ISSUED


def test_the_copied_plan_page_lists_the_flags_and_confirms_them(client, district, copy_2023):
    client.force_login(district.district)
    url = copy_2023.get_absolute_url()
    body = client.get(url).content.decode()
    assert 'id="year-flags"' in body
    assert "XX咸应急发〔2022〕3号" in body and "二十大" in body and "疫情防控" in body
    response = client.post(reverse("plans:plan_issue", args=[copy_2023.pk]), follow=True)
    assert "未复核" in response.content.decode()
    client.post(reverse("plans:plan_year_flags", args=[copy_2023.pk]), {"all": "1"})
    assert Plan.objects.get(pk=copy_2023.pk).year_flags == []
    assert 'id="year-flags"' not in client.get(url).content.decode()


def test_only_the_issuer_confirms_flags(client, district, copy_2023):
    client.force_login(district.town_a)
    response = client.post(reverse("plans:plan_year_flags", args=[copy_2023.pk]), {"all": "1"})
    assert response.status_code == 404  # a district draft is outside a new town's scope
    assert Plan.objects.get(pk=copy_2023.pk).year_flags
