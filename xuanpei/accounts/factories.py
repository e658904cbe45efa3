"""User factories; passwords satisfy the complexity validator."""

import factory
from factory.django import DjangoModelFactory

from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role

TEST_PASSWORD = "Xuanpei-Test-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.REPORTER
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
