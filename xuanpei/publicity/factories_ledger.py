"""Factories of the activity ledger (issue #11 item 3). `unit` is required: pass one."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from xuanpei.publicity.models_ledger import Activity, ActivityMaterial, ReviewStatus


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"安全生产宣传活动{n}")
    held_on = date(2024, 6, 16)
    place = "文化广场"
    participants = 50
    status = ReviewStatus.DRAFT

    @factory.post_generation
    def campaigns(self, create, extracted, **kwargs):
        if create and extracted:
            self.campaigns.set(extracted)

    @factory.post_generation
    def tasks(self, create, extracted, **kwargs):
        if create and extracted:
            self.tasks.set(extracted)


class ActivityMaterialFactory(DjangoModelFactory):
    class Meta:
        model = ActivityMaterial

    activity = factory.SubFactory(ActivityFactory)
    kind = "宣传册"
    count = 100
