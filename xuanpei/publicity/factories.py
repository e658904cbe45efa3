"""factory_boy factories for the themed-day calendar (tests and the demo).

`CampaignFactory` needs a `unit` (its owner; the district root for national rules).
"""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from xuanpei.publicity.choices import RuleKind
from xuanpei.publicity.models import CalendarFeed, Campaign, ThemedDayRule


class ThemedDayRuleFactory(DjangoModelFactory):
    class Meta:
        model = ThemedDayRule

    name = factory.Sequence(lambda n: f"本地宣传日{n}")
    kind = RuleKind.FIXED_DAY
    month = 9
    day = 20


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    year = factory.LazyFunction(lambda: date.today().year)
    name = factory.Sequence(lambda n: f"本地主题活动{n}")
    start_date = factory.LazyAttribute(lambda o: date(o.year, 9, 1))
    end_date = factory.LazyAttribute(lambda o: o.start_date)


class CalendarFeedFactory(DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    token = factory.Sequence(lambda n: f"feed-token-{n:04d}-abcdefghijklmnopqrstuvwxyz")
