"""The workforce dictionaries survive the flush of `transaction=True` tests (issue #3).

pytest-django flushes every table after a transactional test, migration data
included, and runs the transactional tests after the ordinary ones; so the
first transactional test below leaves an empty catalogue to the second, which
must still find it through the `workforce_dictionaries` fixture. The ordinary
test empties the tables itself (inside its rolled-back transaction) to show the
factories reload them lazily whatever order the tests run in.
"""

import pytest

from xuanpei.workforce.catalogue import CATALOGUE_2010, CERTIFICATE_KINDS, POST_TYPES
from xuanpei.workforce.choices import CertificateKindCode, PostTypeCode
from xuanpei.workforce.dictionaries import dictionaries_loaded, ensure_workforce_dictionaries
from xuanpei.workforce.models import (
    CatalogueVersion,
    CertificateKind,
    OperationCategory,
    OperationItem,
    PostType,
)


def _assert_catalogue_complete():
    assert PostType.objects.count() == len(POST_TYPES)
    assert CertificateKind.objects.count() == len(CERTIFICATE_KINDS)
    assert OperationCategory.objects.filter(version__is_current=True).count() == len(CATALOGUE_2010)
    item = OperationItem.objects.get(category__version__is_current=True, code="1.2")
    assert item.name == "低压电工作业"
    special = CertificateKind.objects.get(pk=CertificateKindCode.SPECIAL_OPERATION)
    assert list(special.post_types.values_list("pk", flat=True)) == [PostTypeCode.SPECIAL_OPERATION]


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_the_catalogue(workforce_dictionaries):
    _assert_catalogue_complete()


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_finds_it_after_the_flush(workforce_dictionaries):
    # The previous test's teardown flushed every table; the fixture loaded them again.
    _assert_catalogue_complete()


@pytest.mark.django_db(transaction=True)
def test_factories_reload_the_dictionaries_lazily_after_a_flush(district):
    from xuanpei.workforce.factories import CertificateFactory, PostFactory

    post = PostFactory(enterprise=district.ent_a1, special=True)
    cert = CertificateFactory(holder=post.person, enterprise=district.ent_a1, special=True)

    assert post.operation_item.code == "1.2"
    assert cert.number == "T" + post.person.id_number
    _assert_catalogue_complete()


def test_an_ordinary_test_after_an_emptied_catalogue_finds_it(db):
    # Given the tables as a flush leaves them (rolled back with this test's transaction)
    CatalogueVersion.objects.all().delete()
    CertificateKind.objects.all().delete()
    PostType.objects.all().delete()
    assert not dictionaries_loaded()

    # When the loader runs twice
    assert ensure_workforce_dictionaries() is True
    assert ensure_workforce_dictionaries() is False

    # Then everything is there once
    _assert_catalogue_complete()
    assert CatalogueVersion.objects.filter(is_current=True).count() == 1
