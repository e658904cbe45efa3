"""Enterprise and person names sort by pinyin on PostgreSQL (ICU collation "zh-x-icu")
and by code point on SQLite, which has no ICU (issue #10 item 5, docs/decisions.md).

Pinned to the pinyin of the names: 阿强 (ā), 李四 (lǐ), 王五 (wáng), 张三 (zhāng). Their
code points run the other way round: 张 U+5F20, 李 U+674E, 王 U+738B, 阿 U+963F.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from xuanpei.core.ordering import PinyinCollate
from xuanpei.orgs.factories import EnterpriseFactory
from xuanpei.orgs.models import Enterprise
from xuanpei.workforce.factories import PersonFactory, PostFactory
from xuanpei.workforce.models import Person

NAMES = ["张三", "李四", "王五", "阿强"]
PINYIN = ["阿强", "李四", "王五", "张三"]
CODE_POINTS = sorted(NAMES)  # what SQLite (and C.UTF-8 PostgreSQL) order gives
assert CODE_POINTS == ["张三", "李四", "王五", "阿强"]

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ICU collations exist on PostgreSQL only"
)


def expected() -> list[str]:
    return PINYIN if connection.vendor == "postgresql" else CODE_POINTS


@pytest.fixture
def people(district):
    people = [PersonFactory(name=name) for name in NAMES]
    for person in people:  # on ent_a1's roster: in every admin's scope above it
        PostFactory(person=person, enterprise=district.ent_a1)
    return people


@pytest.fixture
def enterprises(district):
    return [EnterpriseFactory(name=f"{name}有限公司", unit=district.ent_a1.unit) for name in NAMES]


def listed(client, user, url, objects, **params):
    client.force_login(user)
    response = client.get(reverse(url), {"per_page": 200, **params})
    assert response.status_code == 200
    ours = {obj.pk for obj in objects}
    return [obj.name for obj in response.context["object_list"] if obj.pk in ours]


@on_postgresql
def test_on_postgresql_names_sort_by_pinyin(people, enterprises):
    assert (
        list(Person.objects.filter(pk__in=[p.pk for p in people]).values_list("name", flat=True))
        == PINYIN
    )
    assert [
        e.name[:2] for e in Enterprise.objects.filter(pk__in=[e.pk for e in enterprises])
    ] == PINYIN


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite companion of the test above")
def test_on_sqlite_names_keep_code_point_order(people, enterprises):
    assert (
        list(Person.objects.filter(pk__in=[p.pk for p in people]).values_list("name", flat=True))
        == CODE_POINTS
    )
    assert [
        e.name[:2] for e in Enterprise.objects.filter(pk__in=[e.pk for e in enterprises])
    ] == CODE_POINTS
    sql = str(Person.objects.order_by(PinyinCollate("name")).query)
    assert "COLLATE" not in sql


def test_the_roster_and_enterprise_lists_use_the_database_s_name_order(
    client, district, people, enterprises
):
    assert listed(client, district.district, "workforce:person_list", people) == expected()
    assert (
        listed(client, district.district, "workforce:person_list", people, sort="-name")
        == (expected()[::-1])
    )
    names = listed(client, district.town_a, "orgs:enterprise_list", enterprises, sort="name")
    assert [name[:2] for name in names] == expected()
    names = listed(client, district.town_a, "orgs:enterprise_list", enterprises, sort="-name")
    assert [name[:2] for name in names] == expected()[::-1]


@on_postgresql
def test_the_name_indexes_carry_the_pinyin_collation():
    """The list's default order is served by an index in the same collation (an index in
    the database's own collation cannot serve ORDER BY name COLLATE "zh-x-icu")."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE indexname IN ('workforce_person_name', 'orgs_enterprise_name')"
        )
        definitions = dict(cursor.fetchall())
    assert len(definitions) == 2
    for definition in definitions.values():
        assert 'COLLATE "zh-x-icu"' in definition, definition
