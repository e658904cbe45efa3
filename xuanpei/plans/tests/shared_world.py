"""A world built once for many tests (a class or a module) instead of once per test.

Loading the 2022 plan takes seconds; tests that only read it (or write and expect their
writes undone) share one load. The world is built in a transaction that stays open while
its tests run and is rolled back after the last: each test (`db`) runs in a savepoint
inside it, so what a test writes is undone before the next one, as with Django's
`TestCase.setUpTestData`. Tests get deep copies of the shared objects (`copies`), so an
in-memory change (`refresh_from_db`, a changed attribute) does not leak either.

Mark the class or module `xdist_group` so that one pytest-xdist worker runs its tests
together and builds the world once.
"""

import copy
from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings

MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def built_once(django_db_blocker):
    """Database access, fast password hashing and a transaction rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=MD5), transaction.atomic():
        yield
        transaction.set_rollback(True)


def copies(world):
    """One test's own copies of the shared objects (model instances compare by pk)."""
    return copy.deepcopy(world)
