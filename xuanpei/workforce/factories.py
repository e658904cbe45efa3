"""factory_boy factories for people, posts and certificates (tests, benchmarks, demo).

ID numbers are invented: a region code that no county uses (610199), a birth
date and sequence derived from the factory counter, and the computed check
character — valid under GB 11643-1999 but nobody's.
"""

from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from xuanpei.core.validators import id_check_char
from xuanpei.workforce import rules
from xuanpei.workforce.choices import CertificateKindCode, PostTypeCode
from xuanpei.workforce.dictionaries import ensure_workforce_dictionaries
from xuanpei.workforce.models import (
    Certificate,
    CertificateKind,
    OperationItem,
    Person,
    Post,
    PostType,
)

INVENTED_REGION = "610199"


def make_id_number(n: int, *, born: date | None = None, female: bool | None = None) -> str:
    """A valid, invented 18-character ID number, distinct for each `n` below 1.6 × 10**9."""
    born = born or date(1960, 1, 1) + timedelta(days=n % 16000)
    seq = n // 16000 % 1000
    if female is not None and (seq % 2 == 0) != female:
        seq = (seq + 1) % 1000
    # The counter's high part moves the region's last digits so that numbers stay
    # distinct when the same birth date and sequence come round again.
    region = INVENTED_REGION[:4] + f"{(99 - n // 16_000_000 % 100):02d}"
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _dictionary_row(model, **lookup):
    """A row of a workforce dictionary; reloads the dictionaries if a flush removed them.

    `transaction=True` tests (browser tests) flush the migration data after them,
    so a later test may find the tables empty (see workforce/dictionaries.py).
    """
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        ensure_workforce_dictionaries()
        return model.objects.get(**lookup)


def get_post_type(code: str) -> PostType:
    return _dictionary_row(PostType, pk=code)


def get_certificate_kind(code: str) -> CertificateKind:
    return _dictionary_row(CertificateKind, pk=code)


def operation_item(code: str = "1.2") -> OperationItem:
    """An item of the current catalogue by code (loaded by the data migration)."""
    return _dictionary_row(OperationItem, category__version__is_current=True, code=code)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("id_number",)

    name = factory.Sequence(lambda n: f"测试人员{n:05d}")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory)
    enterprise = None  # pass an enterprise
    post_type = factory.LazyFunction(lambda: get_post_type(PostTypeCode.SAFETY_MANAGER))
    operation_item = None
    start_date = date(2020, 1, 1)
    end_date = None

    class Params:
        special = factory.Trait(
            post_type=factory.LazyFunction(lambda: get_post_type(PostTypeCode.SPECIAL_OPERATION)),
            operation_item=factory.LazyFunction(operation_item),
        )


class CertificateFactory(DjangoModelFactory):
    """A current, active certificate; dates derived by the rules unless given."""

    class Meta:
        model = Certificate

    holder = factory.SubFactory(PersonFactory)
    kind = factory.LazyFunction(lambda: get_certificate_kind(CertificateKindCode.SAFETY_COMPETENCE))
    enterprise = None  # pass an enterprise
    operation_item = None
    number = factory.LazyAttributeSequence(
        lambda o, n: rules.expected_number(o.kind, o.holder.id_number) or f"AQ{n:08d}"
    )
    issuing_authority = "测试市应急管理局"
    issue_date = date(2024, 1, 10)
    first_issue_date = factory.SelfAttribute("issue_date")
    valid_until = None  # derived: issue_date + the kind's validity

    class Params:
        special = factory.Trait(
            kind=factory.LazyFunction(
                lambda: get_certificate_kind(CertificateKindCode.SPECIAL_OPERATION)
            ),
            operation_item=factory.LazyFunction(operation_item),
        )
