"""Integrity checks on certificates (打击假冒证件, issue #3 §4) and their review queue.

`run_checks` looks for five kinds of finding, each with a set-based query (one
GROUP BY or one filtered scan, never a query per person), and raises an
`IntegrityFlag` per finding. A finding is identified by (kind, key, person):
running the checks again raises nothing twice, and a flag a district admin has
resolved or dismissed stays as decided. The checks only flag; nothing is
refused or changed on the roster — a person on duty at two enterprises may be a
legitimate part-timer, which is for a person to judge.

    duplicate_number     one certificate number held by two different people
                         (any version: a current number reappearing in someone
                         else's history counts); key = the number
    multiple_employers   one person on duty at two or more enterprises on day
                         `on`; key = the enterprises' ids, so a new combination
                         is a new finding
    number_mismatch      a current certificate whose kind prescribes its number
                         ("T" + 身份证号) and whose number differs
                         (`rules.number_matches_holder`); key = the number
    issued_under_18      an issue (or first issue) date before the holder's 18th
                         birthday; key = the number
    issued_after_expiry  an issue (or first issue) date after the valid-until
                         date; key = the number

`resolve_flag` / `dismiss_flag` are the district admin's decisions, with a reason.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Concat, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.permissions import is_district_admin
from xuanpei.workforce import rules
from xuanpei.workforce.choices import IntegrityKind, IntegrityStatus, NumberRule
from xuanpei.workforce.models import Certificate, CertificateKind, IntegrityFlag, Post

ADULT_AGE = 18
KEY_MAX = IntegrityFlag._meta.get_field("key").max_length
BATCH = 1000


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    person_id: int
    certificate_id: int | None = None
    enterprise_id: int | None = None
    details: dict = field(default_factory=dict, compare=False, hash=False)


# The checks ------------------------------------------------------------------------


def _touching(certs, enterprise_ids):
    """Certificates registered by, or held by someone with a post at, one of the enterprises."""
    if enterprise_ids is None:
        return certs
    holders = Post.objects.filter(enterprise_id__in=enterprise_ids).values("person_id")
    return certs.filter(Q(enterprise_id__in=enterprise_ids) | Q(holder_id__in=holders))


def _newest_per_number_and_holder(rows):
    """From version rows ordered newest first, the first row of each (number, holder)."""
    seen = {}
    for row in rows:
        seen.setdefault((row["number"], row["holder_id"]), row)
    return seen


def find_duplicate_numbers(enterprise_ids=None) -> list[Finding]:
    """One number, several holders: GROUP BY number HAVING COUNT(DISTINCT holder) > 1."""
    numbers = (
        Certificate.objects.order_by()
        .values("number")
        .annotate(holders=Count("holder_id", distinct=True))
        .filter(holders__gt=1)
        .values("number")
    )
    if enterprise_ids is not None:
        numbers = numbers.filter(
            number__in=_touching(Certificate.objects.all(), enterprise_ids).values("number")
        )
    rows = (
        Certificate.objects.filter(number__in=numbers)
        .order_by("number", "holder_id", "-is_current", "-effective_from", "-pk")
        .values("pk", "number", "holder_id", "holder__name", "enterprise_id")
    )
    newest = _newest_per_number_and_holder(rows)
    holders_of = defaultdict(list)
    for (number, _holder), row in newest.items():
        holders_of[number].append(row)
    findings = []
    for number, group in holders_of.items():
        for row in group:
            others = [
                {"id": o["holder_id"], "name": o["holder__name"]} for o in group if o is not row
            ]
            findings.append(
                Finding(
                    IntegrityKind.DUPLICATE_NUMBER,
                    number,
                    row["holder_id"],
                    row["pk"],
                    row["enterprise_id"],
                    {"number": number, "others": others},
                )
            )
    return findings


def _enterprise_key(ids: list[int]) -> str:
    key = ",".join(str(i) for i in ids)
    if len(key) <= KEY_MAX:
        return key
    # Dozens of employers at once: keep the key unique and within the column.
    return "sha1:" + hashlib.sha1(key.encode()).hexdigest()


def find_multiple_employers(on: date, enterprise_ids=None) -> list[Finding]:
    """People with on-duty posts at two or more enterprises on `on` (one GROUP BY person)."""
    on_duty = Post.objects.on_duty(on).order_by()
    people = (
        on_duty.values("person_id")
        .annotate(employers=Count("enterprise_id", distinct=True))
        .filter(employers__gt=1)
        .values("person_id")
    )
    if enterprise_ids is not None:
        people = people.filter(
            person_id__in=on_duty.filter(enterprise_id__in=enterprise_ids).values("person_id")
        )
    rows = (
        on_duty.filter(person_id__in=people)
        .values("person_id", "enterprise_id", "enterprise__name")
        .distinct()
        .order_by("person_id", "enterprise_id")
    )
    employers = defaultdict(dict)
    for row in rows:
        employers[row["person_id"]][row["enterprise_id"]] = row["enterprise__name"]
    findings = []
    for person_id, by_id in employers.items():
        ids = sorted(by_id)
        findings.append(
            Finding(
                IntegrityKind.MULTIPLE_EMPLOYERS,
                _enterprise_key(ids),
                person_id,
                None,
                ids[0],
                {
                    "on": on.isoformat(),
                    "enterprises": [{"id": i, "name": by_id[i]} for i in ids],
                },
            )
        )
    return findings


def find_number_mismatches(enterprise_ids=None) -> list[Finding]:
    """Current certificates of a kind with a number rule whose number is not the prescribed one.

    SQL narrows to the rows whose number is not literally "T" + ID number; the
    rule itself (`rules.number_matches_holder`, which also forgives case and
    stray spaces) decides each of those few candidates.
    """
    kinds = {
        k.pk: rules.KindRules.of(k)
        for k in CertificateKind.objects.exclude(number_rule=NumberRule.FREE).prefetch_related(
            "post_types"
        )
    }
    if not kinds:
        return []
    candidates = (
        _touching(Certificate.objects.current(), enterprise_ids)
        .filter(kind_id__in=list(kinds))
        .exclude(number=Concat(Value("T"), F("holder__id_number")))
        .values("pk", "number", "kind_id", "holder_id", "holder__id_number", "enterprise_id")
    )
    findings = []
    for row in candidates.iterator(chunk_size=BATCH):
        kind = kinds[row["kind_id"]]
        if rules.number_matches_holder(kind, row["number"], row["holder__id_number"]):
            continue
        findings.append(
            Finding(
                IntegrityKind.NUMBER_MISMATCH,
                row["number"],
                row["holder_id"],
                row["pk"],
                row["enterprise_id"],
                # The expected number is the ID number: the queue shows it masked.
                {"number": row["number"], "rule": kind.number_rule},
            )
        )
    return findings


def _day_number(prefix: str):
    """A date as the integer YYYYMMDD, so "18 years before" is a subtraction of 180000."""
    return ExtractYear(prefix) * 10000 + ExtractMonth(prefix) * 100 + ExtractDay(prefix)


def find_issued_under_18(enterprise_ids=None) -> list[Finding]:
    """Versions issued (or first issued) before the holder's 18th birthday.

    Born 2000-03-05 → adult from 2018-03-05; one born on 29 February becomes an
    adult on 1 March in a common year. Compared as YYYYMMDD integers, which
    SQLite and PostgreSQL both compute, with no per-row Python.
    """
    offset = ADULT_AGE * 10000
    certs = (
        _touching(Certificate.objects.all(), enterprise_ids)
        .filter(holder__birth_date__isnull=False)
        .annotate(
            born=_day_number("holder__birth_date"),
            issued=_day_number("issue_date"),
            first_issued=_day_number("first_issue_date"),
        )
        .filter(Q(issued__lt=F("born") + offset) | Q(first_issued__lt=F("born") + offset))
        .order_by("number", "holder_id", "-is_current", "-effective_from", "-pk")
        .values(
            "pk",
            "number",
            "holder_id",
            "holder__birth_date",
            "issue_date",
            "first_issue_date",
            "enterprise_id",
        )
    )
    return [
        Finding(
            IntegrityKind.ISSUED_UNDER_18,
            number,
            holder_id,
            row["pk"],
            row["enterprise_id"],
            {
                "number": number,
                "birth_date": row["holder__birth_date"].isoformat(),
                "issue_date": row["issue_date"].isoformat(),
                "first_issue_date": (
                    row["first_issue_date"].isoformat() if row["first_issue_date"] else None
                ),
            },
        )
        for (number, holder_id), row in _newest_per_number_and_holder(certs).items()
    ]


def find_issued_after_expiry(enterprise_ids=None) -> list[Finding]:
    """Versions whose issue or first issue date lies after their valid-until date."""
    certs = (
        _touching(Certificate.objects.all(), enterprise_ids)
        .filter(Q(issue_date__gt=F("valid_until")) | Q(first_issue_date__gt=F("valid_until")))
        .order_by("number", "holder_id", "-is_current", "-effective_from", "-pk")
        .values(
            "pk",
            "number",
            "holder_id",
            "issue_date",
            "first_issue_date",
            "valid_until",
            "enterprise_id",
        )
    )
    return [
        Finding(
            IntegrityKind.ISSUED_AFTER_EXPIRY,
            number,
            holder_id,
            row["pk"],
            row["enterprise_id"],
            {
                "number": number,
                "issue_date": row["issue_date"].isoformat(),
                "first_issue_date": (
                    row["first_issue_date"].isoformat() if row["first_issue_date"] else None
                ),
                "valid_until": row["valid_until"].isoformat(),
            },
        )
        for (number, holder_id), row in _newest_per_number_and_holder(certs).items()
    ]


# Raising flags -------------------------------------------------------------------------


def _raise_flags(kind: str, findings: list[Finding], on: date) -> int:
    """Create the flags not raised before; returns how many were created."""
    created = 0
    for start in range(0, len(findings), BATCH):
        batch = findings[start : start + BATCH]
        existing = set(
            IntegrityFlag.objects.filter(kind=kind, key__in={f.key for f in batch}).values_list(
                "key", "person_id"
            )
        )
        new = [
            IntegrityFlag(
                kind=kind,
                key=f.key,
                person_id=f.person_id,
                certificate_id=f.certificate_id,
                enterprise_id=f.enterprise_id,
                details=f.details,
                detected_on=on,
            )
            for f in batch
            if (f.key, f.person_id) not in existing
        ]
        # ignore_conflicts: a concurrent run may have raised the same finding meanwhile.
        IntegrityFlag.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


def run_checks(on: date | None = None, enterprise_ids=None) -> dict[str, dict[str, int]]:
    """Run every check and raise the new flags.

    `on` is the day for "on duty at two enterprises" (default today);
    `enterprise_ids` limits the checks to findings touching those enterprises
    (e.g. after an import of their rosters). Returns
    {kind: {"found": n, "created": m}} for every kind.
    """
    on = on or timezone.localdate()
    if enterprise_ids is not None:
        enterprise_ids = list(enterprise_ids)
    checks = {
        IntegrityKind.DUPLICATE_NUMBER: lambda: find_duplicate_numbers(enterprise_ids),
        IntegrityKind.MULTIPLE_EMPLOYERS: lambda: find_multiple_employers(on, enterprise_ids),
        IntegrityKind.NUMBER_MISMATCH: lambda: find_number_mismatches(enterprise_ids),
        IntegrityKind.ISSUED_UNDER_18: lambda: find_issued_under_18(enterprise_ids),
        IntegrityKind.ISSUED_AFTER_EXPIRY: lambda: find_issued_after_expiry(enterprise_ids),
    }
    counts = {}
    for kind, check in checks.items():
        findings = check()
        with transaction.atomic():
            created = _raise_flags(kind, findings, on)
        counts[str(kind)] = {"found": len(findings), "created": created}
    return counts


# Decisions -----------------------------------------------------------------------------


def _decide(flag: IntegrityFlag, *, actor, reason: str, status: str) -> IntegrityFlag:
    if not is_district_admin(actor):
        raise PermissionDenied(_("只有区安委办管理员可以处理核查线索"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写处理说明")})
    locked = IntegrityFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.status != IntegrityStatus.OPEN:
        raise ValidationError(
            _("该线索已%(status)s，不能重复处理") % {"status": locked.get_status_display()}
        )
    locked.status = status
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_reason = reason[: IntegrityFlag._meta.get_field("review_reason").max_length]
    locked.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"]
    )
    return locked


@transaction.atomic
def resolve_flag(flag: IntegrityFlag, *, actor, reason: str) -> IntegrityFlag:
    """已处理: the finding was real and has been dealt with (e.g. the card revoked)."""
    return _decide(flag, actor=actor, reason=reason, status=IntegrityStatus.RESOLVED)


@transaction.atomic
def dismiss_flag(flag: IntegrityFlag, *, actor, reason: str) -> IntegrityFlag:
    """已排除: the finding is not a problem (e.g. a legitimate part-time post)."""
    return _decide(flag, actor=actor, reason=reason, status=IntegrityStatus.DISMISSED)
