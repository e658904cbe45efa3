"""Counts of long lists are remembered a minute; short lists are counted every time."""

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuanpei.core import pagination
from xuanpei.core.pagination import CountCachingPaginator
from xuanpei.orgs.models import Unit


def counts_made(queryset) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        count = CountCachingPaginator(queryset, 10).count
    return count, sum("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


@pytest.fixture
def large_is(monkeypatch):
    """Lists of 3 rows count as long, in a cache of this test's own (no count it
    remembers may reach a later test)."""
    monkeypatch.setattr(pagination, "LARGE_COUNT", 3)
    monkeypatch.setattr(pagination, "cache", LocMemCache("test-pagination", {}))


@pytest.mark.django_db
def test_a_long_lists_count_is_reused_and_a_short_lists_is_not(district, large_is):
    units = Unit.objects.all()
    total = units.count()
    assert total >= 3
    assert counts_made(units) == (total, 1)
    assert counts_made(units) == (total, 0)  # remembered

    few = Unit.objects.filter(path=district.root.path)
    assert counts_made(few) == (1, 1)
    assert counts_made(few) == (1, 1)  # below LARGE_COUNT: counted again


@pytest.mark.django_db
def test_two_filters_never_share_a_count(district, large_is):
    everything = Unit.objects.all()
    town_a = Unit.objects.filter(path__startswith=district.town_a_unit.path)
    assert counts_made(everything)[0] == Unit.objects.count()
    assert counts_made(town_a)[0] == town_a.count() < Unit.objects.count()


@pytest.mark.django_db
def test_an_empty_filter_counts_zero_without_a_query(large_is):
    assert counts_made(Unit.objects.none()) == (0, 0)
