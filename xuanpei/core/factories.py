"""Factories for core rows (background jobs)."""

import factory
from factory.django import DjangoModelFactory

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.models import Job


class JobFactory(DjangoModelFactory):
    """A finished import preview (dry run) of an uploaded file, by default."""

    class Meta:
        model = Job

    kind = "import"
    status = Job.Status.DONE
    user = factory.SubFactory(UserFactory)
    params = factory.LazyFunction(
        lambda: {
            "importer": "enterprises",
            "path": "imports/upload.xlsx",
            "filename": "upload.xlsx",
            "dry_run": True,
        }
    )
    result = factory.LazyFunction(dict)
