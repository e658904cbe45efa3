"""Named filters of the publicity app."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from xuanpei.core.scoping import ScopedQuerySet, ancestor_paths


class CampaignQuerySet(ScopedQuerySet):
    def overlapping(self, first: date, last: date):
        """Campaigns running on at least one day of [first, last] (the month view, the feed)."""
        return self.filter(start_date__lte=last, end_date__gte=first)

    def for_unit_calendar(self, unit):
        """What a unit's calendar shows: the campaigns of the unit and of every unit above it."""
        return self.filter(Q(unit__path__in=ancestor_paths(unit.path)))
