"""The demo workforce of `seed-demo` (issue #3 §8), on a small demo district (200 enterprises)."""

import copy
import importlib.util
import re
from collections import Counter
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from xuanpei.core.validators import parse_id_number
from xuanpei.orgs import demo as orgs_demo
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.workforce import demo, rules
from xuanpei.workforce.choices import (
    CertificateKindCode,
    CertificateOrigin,
    CertificateStatus,
    PostTypeCode,
)
from xuanpei.workforce.models import Certificate, Person, Post

# One worker runs the module (`make test` uses --dist loadgroup): the demo is seeded once.
pytestmark = pytest.mark.xdist_group("demo_workforce")

TODAY = date(2026, 4, 2)
ENTERPRISES = 200


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo for the module (seeding takes seconds), built in a transaction that
    is rolled back at the end; each test runs in its own savepoint inside it (`db`), so
    what a test writes (the determinism test reseeds, the integrity test adds flags) is
    undone before the next."""
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as mp,
        override_settings(PASSWORD_HASHERS=md5, MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        mp.setattr(orgs_demo, "BASE_ENTERPRISES", ENTERPRISES)
        orgs_demo.seed_demo()
        yield demo.seed_workforce(seed=orgs_demo.DEMO_SEED, today=TODAY, run_hooks=False)
        transaction.set_rollback(True)


@pytest.fixture
def small_demo(_seeded, db):
    return copy.deepcopy(_seeded)  # demo.finish() writes into the result


# Before the tests of the module-wide demo: this one seeds an empty database of its own.
def test_the_command_seeds_the_workforce(db, monkeypatch, capsys):
    monkeypatch.setattr(orgs_demo, "BASE_ENTERPRISES", 40)

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "从业人员" in out
    assert Person.objects.count() > 40 * 10
    assert Post.objects.values("enterprise").distinct().count() == Enterprise.objects.count()


def _fingerprint():
    people = list(
        Person.objects.order_by("id_number").values_list("id_number", "name", "phone", "gender")
    )
    posts = sorted(
        Post.objects.values_list(
            "person__id_number",
            "enterprise__uscc",
            "post_type_id",
            "operation_item__code",
            "start_date",
            "end_date",
        ),
        key=repr,
    )
    certs = sorted(
        Certificate.objects.values_list(
            "holder__id_number",
            "number",
            "kind_id",
            "operation_item__code",
            "issue_date",
            "valid_until",
            "effective_from",
            "review_due_date",
            "state",
            "state_changed_on",
            "is_current",
            "superseded_on",
            "previous__effective_from",
        ),
        key=repr,
    )
    return people, posts, certs


def test_each_enterprise_gets_about_fifteen_people_with_fitting_posts(small_demo):
    planted = sum(small_demo.planted.values())
    assert small_demo.people == Person.objects.count()
    assert 13 * ENTERPRISES <= Person.objects.count() - planted <= 18 * ENTERPRISES
    assert small_demo.posts == Post.objects.count()
    assert small_demo.certificates == Certificate.objects.count()
    assert small_demo.current_certificates == Certificate.objects.filter(is_current=True).count()

    principals = Post.objects.filter(post_type=PostTypeCode.PRINCIPAL)
    assert principals.values("enterprise").distinct().count() == ENTERPRISES
    types = Counter(Post.objects.values_list("post_type_id", flat=True))
    assert set(types) == set(PostTypeCode.values)
    assert types[PostTypeCode.OTHER] > types[PostTypeCode.SPECIAL_OPERATION] > 0

    # Every 特种作业 post names a catalogue item the enterprise's sector plausibly uses
    # (the planted problems reuse the same sector lists).
    special = Post.objects.filter(post_type=PostTypeCode.SPECIAL_OPERATION)
    for code, item in special.values_list("enterprise__sector__code", "operation_item__code"):
        assert item in demo.SECTOR_ITEMS[code], (code, item)
    # 建筑施工 operators only where the sector has them.
    construction = Post.objects.filter(post_type=PostTypeCode.CONSTRUCTION_SPECIAL)
    sectors = set(construction.values_list("enterprise__sector__code", flat=True))
    assert sectors <= {c for c, mix in demo.SECTOR_MIX.items() if mix[2]}


def test_people_are_invented_with_check_valid_ids_and_plausible_phones(small_demo):
    for p in Person.objects.all():
        info = parse_id_number(p.id_number, allow_legacy=False, today=TODAY)
        # The fields save() derives from the ID number are the ones bulk_create wrote.
        assert (info.number, info.gender, info.birth_date) == (p.id_number, p.gender, p.birth_date)
        assert date(1960, 1, 1) <= p.birth_date <= date(2003, 12, 31)
        assert p.id_number[4:6] in {str(n) for n in range(91, 100)}, "invented county codes only"
        assert re.fullmatch(r"1[3-9]\d{9}", p.phone)
        assert 2 <= len(p.name) <= 3
    assert Person.objects.values("name").distinct().count() > Person.objects.count() // 4


def test_every_status_occurs_on_the_seed_date(small_demo):
    current = Certificate.objects.filter(is_current=True).select_related("kind")
    statuses = Counter(c.status_on(TODAY) for c in current)
    wanted = {
        CertificateStatus.VALID,
        CertificateStatus.REVIEW_DUE,
        CertificateStatus.REVIEW_OVERDUE,
        CertificateStatus.EXPIRING,
        CertificateStatus.EXPIRED,
        CertificateStatus.REVOKED,
        CertificateStatus.CANCELLED,
    }
    assert wanted <= set(statuses), statuses
    assert statuses == small_demo.statuses
    # Mostly valid, as in a district that works towards 100%.
    assert statuses[CertificateStatus.VALID] > sum(statuses.values()) * 0.7


def test_derived_fields_equal_what_save_would_fill(small_demo):
    certs = Certificate.objects.select_related("kind").prefetch_related("kind__post_types")
    for cert in certs:
        fresh = Certificate(
            kind=cert.kind,
            issue_date=cert.issue_date,
            review_interval_years=cert.review_interval_years,
            last_review_date=cert.last_review_date,
            # A review version takes effect on the review day (services.record_review).
            effective_from=cert.effective_from
            if cert.origin == CertificateOrigin.REVIEWED
            else None,
        )
        fresh.fill_derived()
        assert (fresh.valid_until, fresh.effective_from, fresh.review_due_date) == (
            cert.valid_until,
            cert.effective_from,
            cert.review_due_date,
        ), cert.number
    # And save() itself changes nothing on the rows it would derive.
    for cert in Certificate.objects.order_by("pk")[:: max(1, Certificate.objects.count() // 200)]:
        before = (cert.valid_until, cert.effective_from, cert.review_due_date)
        cert.full_clean(exclude=["previous"])
        cert.save()
        cert.refresh_from_db()
        assert (cert.valid_until, cert.effective_from, cert.review_due_date) == before
    for post in Post.objects.select_related("post_type")[:300]:
        post.full_clean()


def test_some_certificates_have_a_version_history(small_demo):
    old = Certificate.objects.filter(is_current=False).select_related("successor")
    assert old.count() > small_demo.current_certificates // 10
    for version in old:
        assert version.successor.superseded_on is None or version.successor.is_current is False
        assert version.superseded_on == version.successor.effective_from
        assert version.successor.holder_id == version.holder_id
        assert version.status_on(TODAY) == CertificateStatus.SUPERSEDED
    origins = Counter(Certificate.objects.filter(is_current=True).values_list("origin", flat=True))
    assert origins[CertificateOrigin.REVIEWED] and origins[CertificateOrigin.RENEWED]
    # A reviewed 特种作业 card: next review no longer due before its 6-year expiry.
    reviewed = Certificate.objects.filter(
        is_current=True,
        origin=CertificateOrigin.REVIEWED,
        kind=CertificateKindCode.SPECIAL_OPERATION,
    ).first()
    assert reviewed.review_due_date is None
    assert reviewed.previous.review_due_date == rules.add_years(reviewed.issue_date, 3)


def test_rates_differ_between_new_towns_and_sectors(small_demo):
    rates = {
        row["unit_path"]: 100 * row["compliant"] / row["required"]
        for row in Post.objects.compliance_by_unit(TODAY, 2)
    }
    towns = Unit.objects.filter(kind="new_town").order_by("path").values_list("path", flat=True)
    ordered = [rates[path] for path in towns]
    assert ordered[0] >= 95, ordered
    assert ordered[-1] <= 90, ordered
    assert ordered[0] > ordered[-1] + 6, ordered
    per_enterprise = Post.objects.compliance_by(TODAY, "enterprise_id")
    full = [r for r in per_enterprise if r["compliant"] == r["required"]]
    assert 0 < len(full) < len(per_enterprise), "some enterprises at 100%, some not"
    # Some posts are uncertified altogether (no certificate of any kind).
    bare = Post.objects.requiring_certificate().exclude(person__certificates__isnull=False)
    assert bare.exists()


def test_integrity_problems_are_planted(small_demo):
    count = max(2, ENTERPRISES // 400)
    assert small_demo.planted == {
        "duplicate_number": count,
        "multiple_employers": count,
        "number_mismatch": count,
        "issued_under_18": count,
    }
    shared = (
        Certificate.objects.values("number")
        .annotate(holders=Count("holder", distinct=True))
        .filter(holders__gt=1)
    )
    assert shared.count() == count
    on_duty = (
        Post.objects.on_duty(TODAY)
        .values("person")
        .annotate(firms=Count("enterprise", distinct=True))
    )
    assert on_duty.filter(firms__gt=1).count() >= count
    special = Certificate.objects.filter(
        kind=CertificateKindCode.SPECIAL_OPERATION, is_current=True
    ).select_related("holder", "kind")
    mismatched = [c for c in special if c.number != "T" + c.holder.id_number]
    assert len(mismatched) == count
    young = [
        c
        for c in Certificate.objects.filter(is_current=True).select_related("holder")
        if c.first_issue_date < rules.add_years(c.holder.birth_date, 18)
    ]
    assert len(young) == count


@pytest.mark.skipif(
    importlib.util.find_spec("xuanpei.workforce.integrity") is None,
    reason="the integrity checks are not there yet",
)
def test_the_integrity_checks_find_the_planted_problems(small_demo):
    from xuanpei.workforce.choices import IntegrityKind
    from xuanpei.workforce.models import IntegrityFlag

    demo.finish(small_demo, today=TODAY)

    kinds = set(IntegrityFlag.objects.values_list("kind", flat=True))
    assert {
        IntegrityKind.DUPLICATE_NUMBER,
        IntegrityKind.MULTIPLE_EMPLOYERS,
        IntegrityKind.NUMBER_MISMATCH,
        IntegrityKind.ISSUED_UNDER_18,
    } <= kinds
    assert small_demo.integrity_flags == IntegrityFlag.objects.count()


def test_the_seed_is_deterministic(small_demo):
    first = _fingerprint()
    Certificate.objects.update(previous=None)
    Certificate.objects.all().delete()
    Post.objects.all().delete()
    Person.objects.all().delete()

    demo.seed_workforce(seed=orgs_demo.DEMO_SEED, today=TODAY, run_hooks=False)

    assert _fingerprint() == first


def test_the_seed_writes_no_audit_entries(small_demo):
    types = ContentType.objects.get_for_models(Person, Post, Certificate).values()
    assert not LogEntry.objects.filter(content_type__in=types).exists()
