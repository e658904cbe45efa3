"""Pagination for pages and the API: Django's, with a large count remembered a minute.

A page of a list costs two queries: the rows (an index walk, milliseconds) and the
count of everything the filters match — for a new town's roster at scale 10, 60,000
people counted through their posts, a third of a second on every page of every click
(issue #14, the load mix). Where a list is that long, a count up to COUNT_SECONDS old
changes nothing a reader can see; short lists, where one added row shows, are counted
on every request (below LARGE_COUNT the count is cheap anyway).

The cache key is the count query itself (its SQL and parameters): two readers share a
count exactly when they count the same rows, so no count crosses a scope.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

LARGE_COUNT = 5000
COUNT_SECONDS = 60


def _count_key(queryset: QuerySet) -> str | None:
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return None
    raw = repr((queryset.db, sql, params))
    return "count:" + hashlib.sha1(raw.encode()).hexdigest()


class CountCachingPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        rows = self.object_list
        key = _count_key(rows) if isinstance(rows, QuerySet) else None
        if key is None:
            return Paginator.count.func(self)
        count = cache.get(key)
        if count is None:
            count = Paginator.count.func(self)
            if count >= LARGE_COUNT:
                cache.set(key, count, timeout=COUNT_SECONDS)
        return count


class CountCachingPagination(PageNumberPagination):
    """DRF's page-number pagination (settings PAGE_SIZE) over CountCachingPaginator."""

    django_paginator_class = CountCachingPaginator
