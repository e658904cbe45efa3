"""The dictionaries loaded by migration 0002_load_catalogue, and the models' own checks."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xuanpei.workforce import catalogue
from xuanpei.workforce.choices import CertificateKindCode, Gender, PostTypeCode
from xuanpei.workforce.factories import PersonFactory, make_id_number
from xuanpei.workforce.models import (
    CatalogueVersion,
    CertificateKind,
    OperationCategory,
    OperationItem,
    Person,
    PostType,
)
from xuanpei.workforce.rules import KindRules
from xuanpei.workforce.tests.test_rules import SAFETY, SPECIAL

pytestmark = pytest.mark.django_db


def test_the_2010_catalogue_has_eleven_categories_and_their_items():
    version = CatalogueVersion.objects.get(is_current=True)
    assert version.code == "2010"
    assert OperationCategory.objects.filter(version=version).count() == 11
    assert OperationItem.objects.filter(is_variant=False).count() == 51
    assert str(OperationItem.objects.get(code="1.1")) == "1.1 高压电工作业"
    assert OperationItem.objects.get(code="5.10").name == "煤矿探放水作业"
    assert OperationItem.objects.get(code="9.16").category.name == "危险化学品安全作业"
    assert not OperationItem.objects.filter(category__code="11").exists()


def test_the_electrical_variants_are_flagged_under_electrical_work():
    variants = OperationItem.objects.filter(is_variant=True)
    assert set(variants.values_list("name", flat=True)) == {
        "电力电缆作业",
        "继电保护作业",
        "电气试验作业",
    }
    assert {v.category.name for v in variants} == {"电工作业"}


def test_post_types_say_which_need_a_certificate():
    assert set(
        PostType.objects.filter(requires_certificate=True).values_list("name", flat=True)
    ) == {
        "主要负责人",
        "安全生产管理人员",
        "特种作业人员",
        "特种设备作业人员",
        "建筑施工特种作业人员",
    }
    assert not PostType.objects.get(pk=PostTypeCode.OTHER).requires_certificate
    assert set(PostType.objects.values_list("code", flat=True)) == set(PostTypeCode.values)


def test_the_rule_tests_use_the_seeded_certificate_kinds():
    kinds = CertificateKind.objects.prefetch_related("post_types")
    assert KindRules.of(kinds.get(pk=CertificateKindCode.SPECIAL_OPERATION)) == SPECIAL
    assert KindRules.of(kinds.get(pk=CertificateKindCode.SAFETY_COMPETENCE)) == SAFETY
    assert set(CertificateKind.objects.values_list("code", flat=True)) == set(
        CertificateKindCode.values
    )


def test_unconfirmed_periods_are_flagged_as_configurable():
    unconfirmed = CertificateKind.objects.filter(confirmed=False)
    assert {(k.name, k.validity_years) for k in unconfirmed} == {
        ("特种设备安全管理和作业人员证", 4),
        ("建筑施工特种作业操作资格证", 2),
    }


def test_loading_the_catalogue_again_changes_nothing():
    from django.apps import apps

    before = OperationItem.objects.count(), CertificateKind.objects.count()
    catalogue.load(apps)
    assert (OperationItem.objects.count(), CertificateKind.objects.count()) == before


def test_only_one_catalogue_version_is_current():
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogueVersion.objects.create(code="2030", name="新目录", is_current=True)


def test_a_person_gets_gender_and_birth_date_from_the_id_number():
    person = PersonFactory(id_number=make_id_number(7, born=date(1985, 4, 3), female=True))
    person.refresh_from_db()
    assert (person.gender, person.birth_date) == (Gender.FEMALE, date(1985, 4, 3))


def test_a_person_with_a_bad_id_number_fails_validation_in_chinese():
    person = Person(name="张三", id_number="110105194912310021")
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert exc.value.message_dict["id_number"] == ["身份证号校验位错误（第18位应为X）"]


def test_the_id_number_is_unique():
    PersonFactory(id_number="11010519491231002X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="李四", id_number="11010519491231002X")


def test_invented_id_numbers_are_valid_and_distinct():
    numbers = {make_id_number(n) for n in range(0, 2_000_000, 997)}
    assert len(numbers) == len(range(0, 2_000_000, 997))
    for number in list(numbers)[:200]:
        Person(name="x", id_number=number).clean_fields()
