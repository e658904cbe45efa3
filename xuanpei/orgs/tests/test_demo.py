"""The demo district: counts, valid codes, determinism, `--if-empty`, and the printed accounts."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from xuanpei.accounts.models import User
from xuanpei.core.validators import uscc_error
from xuanpei.orgs import demo
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Enterprise, Sector, Unit
from xuanpei.orgs.sectors import SECTORS, load_sectors

pytestmark = pytest.mark.django_db


# Most tests need a district, not the full 2,000 enterprises: a smaller base keeps the
# suite quick; the size test below seeds the real default.
SMALL = 200


@pytest.fixture
def small_base(monkeypatch):
    monkeypatch.setattr(demo, "BASE_ENTERPRISES", SMALL)


@pytest.fixture
def seeded(db, small_base):
    return demo.seed_demo()


def snapshot():
    """What two runs must agree on: unit paths and names, enterprises, their supervisors."""
    return (
        list(Unit.objects.order_by("path").values_list("path", "name", "kind", "code")),
        list(
            Enterprise.objects.order_by("uscc").values_list(
                "uscc", "name", "unit__name", "sector__code", "scale", "risk_level", "address"
            )
        ),
        sorted(
            Enterprise.departments.through.objects.values_list("enterprise__uscc", "unit__name")
        ),
        sorted(User.objects.values_list("username", "role", "unit__name", "enterprise__uscc")),
    )


def wipe():
    User.objects.all().delete()
    Enterprise.objects.all().delete()
    Sector.objects.all().delete()
    Unit.objects.all().delete()


def test_it_builds_a_district_of_the_promised_size(db):
    seeded = demo.seed_demo()
    kinds = dict((k, Unit.objects.filter(kind=k).count()) for k, _label in UnitKind.choices)
    assert kinds[UnitKind.DISTRICT] == 1
    assert kinds[UnitKind.NEW_TOWN] == 5
    assert kinds[UnitKind.TOWN] + kinds[UnitKind.SUBDISTRICT] == 25
    assert kinds[UnitKind.VILLAGE] + kinds[UnitKind.COMMUNITY] == 150
    assert 10 <= kinds[UnitKind.DEPARTMENT] <= 12
    assert Enterprise.objects.count() == 2000
    assert seeded.enterprises == 2000
    # Departments sit directly under the district; villages under a 镇街.
    assert set(Unit.objects.departments().values_list("depth", flat=True)) == {2}
    assert set(
        Unit.objects.filter(kind__in=[UnitKind.VILLAGE, UnitKind.COMMUNITY]).values_list(
            "depth", flat=True
        )
    ) == {4}


def test_every_enterprise_has_a_valid_unique_uscc(seeded):
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(set(codes)) == len(codes) == SMALL
    assert [c for c in codes if uscc_error(c)] == []


def test_enterprises_spread_over_sectors_and_territorial_units(seeded):
    assert Enterprise.objects.values("sector").distinct().count() == len(SECTORS)
    home_kinds = set(Enterprise.objects.values_list("unit__kind", flat=True))
    assert home_kinds == {UnitKind.NEW_TOWN, UnitKind.TOWN, UnitKind.SUBDISTRICT}
    assert Enterprise.objects.values("unit").distinct().count() == 30


def test_supervising_departments_follow_the_sector_defaults(seeded):
    for sector in Sector.objects.prefetch_related("default_departments"):
        defaults = {d.pk for d in sector.default_departments.all()}
        assert defaults, f"{sector} has no default department"
        sample = Enterprise.objects.filter(sector=sector).prefetch_related("departments")[:20]
        for ent in sample:
            assert defaults <= {d.pk for d in ent.departments.all()}


def test_high_risk_flags_match_domain_rules(seeded):
    high = set(Sector.objects.filter(high_risk=True).values_list("name", flat=True))
    assert high == {"非煤矿山", "金属冶炼", "危险化学品", "烟花爆竹"}


def test_two_runs_produce_the_same_district(db, small_base):
    demo.seed_demo()
    first = snapshot()
    wipe()
    demo.seed_demo()
    assert snapshot() == first


def test_scale_multiplies_the_enterprises(db, small_base):
    result = demo.seed_demo(scale=2)
    assert result.enterprises == Enterprise.objects.count() == 2 * SMALL


def test_seed_demo_if_empty_leaves_a_used_database_alone(seeded):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert snapshot() == before


def test_seed_demo_refuses_a_non_empty_database_without_if_empty(seeded):
    with pytest.raises(CommandError, match="已有单位数据"):
        call_command("seed_demo")
    assert Enterprise.objects.count() == SMALL


def test_seed_demo_command_loads_an_empty_database(db, small_base):
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert f"企业 {SMALL} 家" in out.getvalue()
    assert Unit.objects.filter(kind=UnitKind.DISTRICT).count() == 1


def test_sector_loader_is_idempotent_and_links_departments_that_exist(seeded):
    load_sectors()
    assert Sector.objects.count() == len(SECTORS)
    road = Sector.objects.get(code="road_transport")
    assert set(road.default_departments.values_list("name", flat=True)) == {
        "交通运输局",
        "公安分局",
    }


def test_demo_accounts_prints_every_account_with_its_password(seeded):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "用户名" in text and "密码" in text
    for account in demo.demo_accounts():
        assert account.username in text and account.password in text


def test_demo_accounts_says_so_when_nothing_is_loaded(db):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "seed-demo" in out.getvalue()


def test_demo_accounts_cover_every_role(seeded):
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"district_admin", "unit_admin", "reporter", "viewer"}
    assert User.objects.filter(role="unit_admin", unit__kind=UnitKind.NEW_TOWN).count() == 5
    assert User.objects.filter(enterprise__isnull=False).count() == 1
    assert User.objects.filter(unit__kind=UnitKind.DEPARTMENT).count() == 1


def test_every_demo_account_can_log_in_with_its_printed_password(seeded, client):
    for username, password, _role, _home in demo.account_rows():
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": password}
        )
        assert response.status_code == 302, username
        assert int(client.session["_auth_user_id"]) == User.objects.get(username=username).pk
        client.logout()


def test_invented_firm_names_never_run_out():
    """Scale 30 (60,000 firms) once hung: the combinations ran out and the loop retried
    for ever. A tiny name space must still give as many distinct names as asked."""
    import collections
    import random

    from xuanpei.orgs.demo import firm_name

    rng, used, branches = random.Random(1), set(), collections.Counter()
    names = [
        firm_name(rng, ("", "秦川"), ("恒达",), ("机械",), ("有限公司",), used, branches)
        for _ in range(40)
    ]
    assert len(set(names)) == 40
    assert {"恒达机械有限公司", "秦川恒达机械有限公司", "恒达机械有限公司第1分公司"} <= set(names)
