"""The demo workforce (issue #3 §8): people, posts and certificates for `xuanpei seed-demo`.

About 15 people per enterprise (by its scale), with the posts a real roster has:
one 主要负责人, one to three 安全生产管理人员, 特种作业人员 whose 操作项目 fit
the enterprise's sector, 特种设备 and 建筑施工 operators where the sector has
them, and 其他从业人员. Certificates are dated relative to the seed day so that
every status occurs on it (valid, review due, review overdue, expiring, expired,
revoked, cancelled); some have a version history (a review or a renewal added a
version). Some posts are uncertified, more in some 新城 and sectors than in
others, so that the 持证率 dashboards tell a story; and a few integrity problems
are planted for the checks of §4 to find.

Deterministic: one `random.Random` seeded from the demo seed, enterprises in
USCC order, dates relative to `today`. Nothing is real: names come from a
surname + given-name generator; ID numbers have a valid GB 11643-1999 check
character but use county codes 91–99 of Shaanxi's prefectures (no county
uses them, like the factories' 610199), so no number is anyone's.

Fast: rows are bulk-inserted per chunk of enterprises (no `save()`, no signals,
hence no audit entries — the seed is a system load); the fields `save()` would
derive are filled by the models' own helpers (`Certificate.fill_derived`), and a
test checks them against `save()`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from xuanpei.core.validators import id_check_char
from xuanpei.orgs.choices import EnterpriseScale, UnitKind
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.workforce import rules
from xuanpei.workforce.choices import (
    CertificateKindCode,
    CertificateOrigin,
    CertificateState,
    CertificateStatus,
    Gender,
    PostTypeCode,
)
from xuanpei.workforce.dictionaries import ensure_workforce_dictionaries
from xuanpei.workforce.models import (
    Certificate,
    CertificateKind,
    OperationItem,
    Person,
    Post,
    PostType,
)

CHUNK = 200  # enterprises per round of bulk inserts (bounds memory at --scale 10)
BATCH_SIZE = 1000
S = CertificateStatus

# People per enterprise by its scale (inclusive ranges; ≈ 15 on average over the demo mix).
PEOPLE_BY_SCALE: dict[str, tuple[int, int]] = {
    EnterpriseScale.LARGE: (24, 34),
    EnterpriseScale.MEDIUM: (18, 24),
    EnterpriseScale.SMALL: (14, 19),
    EnterpriseScale.MICRO: (10, 14),
}
MANAGERS_BY_SCALE = {
    EnterpriseScale.LARGE: 3,
    EnterpriseScale.MEDIUM: 2,
    EnterpriseScale.SMALL: 1,
    EnterpriseScale.MICRO: 1,
}

# 持证率 profile of each 新城, in tree order (orgs.demo.NEW_TOWNS): the centre of a
# normal draw per enterprise, capped at 100% — so ≈ 98%, 96%, 94%, 90%, 86%.
NEW_TOWN_RATES = (1.01, 0.975, 0.945, 0.905, 0.865)
ENTERPRISE_RATE_SPREAD = 0.045
# Closer supervision of the high-risk sectors; looser in construction and services.
SECTOR_ADJUST: dict[str, float] = {
    "hazardous_chemicals": 0.02,
    "fireworks": 0.02,
    "non_coal_mine": 0.01,
    "metal_smelting": 0.01,
    "education": 0.005,
    "health": 0.005,
    "industry_trade": -0.01,
    "road_transport": -0.01,
    "elderly_care": -0.02,
    "culture_tourism": -0.03,
    "other": -0.03,
    "agriculture": -0.04,
    "construction": -0.045,
}

# Share of the staff (after the 负责人 and 安管人员) in each certified trade:
# (特种作业, 特种设备作业, 建筑施工特种作业).
SECTOR_MIX: dict[str, tuple[float, float, float]] = {
    "industry_trade": (0.25, 0.08, 0.0),
    "non_coal_mine": (0.45, 0.05, 0.0),
    "metal_smelting": (0.40, 0.10, 0.0),
    "hazardous_chemicals": (0.45, 0.10, 0.0),
    "fireworks": (0.45, 0.0, 0.0),
    "construction": (0.12, 0.05, 0.35),
    "road_transport": (0.10, 0.05, 0.0),
    "special_equipment": (0.12, 0.40, 0.0),
    "education": (0.08, 0.05, 0.0),
    "health": (0.10, 0.08, 0.0),
    "sports": (0.08, 0.05, 0.0),
    "elderly_care": (0.08, 0.05, 0.0),
    "culture_tourism": (0.10, 0.08, 0.0),
    "electric_power": (0.40, 0.05, 0.10),
    "agriculture": (0.10, 0.03, 0.0),
    "other": (0.10, 0.05, 0.0),
}
DEFAULT_MIX = (0.12, 0.03, 0.0)

# 特种作业操作项目 a sector's workers plausibly hold (codes of the 2010 catalogue);
# repeated codes weigh more.
SECTOR_ITEMS: dict[str, tuple[str, ...]] = {
    "industry_trade": ("1.2", "1.2", "1.2", "1.1", "2.1", "2.1", "3.1", "3.2", "4.1", "4.2"),
    "non_coal_mine": ("6.1", "6.2", "6.3", "6.4", "6.6", "6.7", "6.8", "6.8", "1.2"),
    "metal_smelting": ("8.1", "8.1", "8.1", "2.1", "2.2", "1.1", "1.2"),
    "hazardous_chemicals": ("9.3", "9.4", "9.8", "9.10", "9.14", "9.16", "9.16", "1.3", "1.2"),
    "fireworks": ("10.1", "10.2", "10.3", "10.4", "10.4", "10.5", "10.5"),
    "construction": ("1.2", "1.2", "2.1", "2.1", "3.1", "3.2"),
    "road_transport": ("1.2", "2.1", "4.1"),
    "special_equipment": ("1.2", "2.1", "2.3", "3.2"),
    "education": ("1.2", "1.2", "4.1"),
    "health": ("1.2", "1.1", "4.1", "4.2"),
    "sports": ("1.2", "4.1"),
    "elderly_care": ("1.2", "4.1"),
    "culture_tourism": ("1.2", "3.2", "4.1"),
    "electric_power": ("1.1", "1.1", "1.2", "1.4", "1.5", "1.6", "3.1", "3.2"),
    "agriculture": ("1.2", "2.1", "4.1"),
    "other": ("1.2", "3.2", "4.1"),
}

# What happens to a post that needs a certificate, given whether it is compliant today.
COMPLIANT_STATUSES = ((S.VALID, 86), (S.REVIEW_DUE, 7), (S.EXPIRING, 7))
# None = no certificate at all; "wrong_item" = a 特种作业 card for another 操作项目.
NON_COMPLIANT_OUTCOMES = (
    (None, 40),
    ("wrong_item", 5),
    (S.EXPIRED, 22),
    (S.REVIEW_OVERDUE, 18),
    (S.REVOKED, 8),
    (S.CANCELLED, 7),
)
LEFT_SHARE = 0.04  # posts already left (离岗): not counted, but on the roster
HISTORY_SHARE = 0.35  # cards with an earlier version (a review, or a renewed card)

AUTHORITIES = {
    CertificateKindCode.SPECIAL_OPERATION: "秦川市应急管理局",
    CertificateKindCode.SAFETY_COMPETENCE: "秦川市应急管理局",
    CertificateKindCode.SPECIAL_EQUIPMENT: "秦川市市场监督管理局",
    CertificateKindCode.CONSTRUCTION_SPECIAL: "秦川市住房和城乡建设局",
}
REVOKE_REASONS = ("发生生产安全事故负有责任", "隐瞒有关情况或提供虚假材料", "健康体检不合格")
CANCEL_REASONS = ("本人申请注销", "持证人死亡", "撤销后注销")

# Names. Common surnames (more frequent first, weighted) and given-name characters.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_SURNAME_WEIGHTS = [max(1, 60 - i) for i in range(len(_SURNAMES))]
_MALE_CHARS = "伟强磊军勇涛斌鹏辉刚杰峰超波明亮建国华平宇浩凯志东海龙新文俊飞鑫晨博兵林武江振成"
_FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲秀英华慧琳雪倩婷颖洁晶莉萍红梅兰欣怡佳琪璐瑶蓉丹月"
# County codes 91–99 under Shaanxi's prefectures (6101…6110): invented, see the docstring.
_HOME_PREFECTURES = [f"61{p:02d}" for p in range(1, 11)]
_OTHER_PROVINCES = ["4101", "4103", "6201", "1401", "5101", "4201"]  # workers from elsewhere


@dataclass
class WorkforceResult:
    people: int = 0
    posts: int = 0
    certificates: int = 0
    current_certificates: int = 0
    statuses: Counter = field(default_factory=Counter)
    planted: dict[str, int] = field(default_factory=dict)
    integrity_flags: int | None = None
    snapshots: bool = False
    seconds: float = 0.0


# --------------------------------------------------------------------------- people


class _People:
    """Invented people with unique, check-valid ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_ids: set[str] = set()

    def make(self, *, born_between: tuple[date, date]) -> Person:
        rng = self.rng
        lo, hi = born_between
        while True:
            born = lo + timedelta(days=rng.randrange((hi - lo).days + 1))
            if rng.random() < 0.85:
                region = rng.choice(_HOME_PREFECTURES) + str(rng.randint(91, 99))
            else:
                region = rng.choice(_OTHER_PROVINCES) + str(rng.randint(91, 99))
            seq = rng.randrange(1000)
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                break
        self.used_ids.add(number)
        male = seq % 2 == 1  # GB 11643: odd sequence digit = male
        chars = _MALE_CHARS if male else _FEMALE_CHARS
        given = "".join(rng.choice(chars) for _ in range(1 if rng.random() < 0.3 else 2))
        return Person(
            name=rng.choices(_SURNAMES, _SURNAME_WEIGHTS)[0] + given,
            id_number=number,
            gender=Gender.MALE if male else Gender.FEMALE,
            birth_date=born,
            phone="1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}",
        )


def adult_on(born: date) -> date:
    return rules.add_years(born, 18)


# --------------------------------------------------------------------------- certificates


@dataclass
class _Version:
    """One planned certificate version (dates only; the rows are built later)."""

    issue_date: date
    effective_from: date
    origin: str = CertificateOrigin.ISSUED
    last_review_date: date | None = None
    review_interval_years: int | None = None
    new_number: bool = False  # a renewed card of a free-numbered kind gets a new number


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _plan(rng: random.Random, kind: rules.KindRules, status: str, today: date) -> list[_Version]:
    """Versions (oldest first) of one card whose current version has `status` on `today`.

    Manual states (revoked, cancelled) are set by the caller on a card that is
    otherwise valid; here they plan like a valid one.
    """
    years = kind.validity_years
    reviewed = bool(kind.review_interval_years)
    if status in (S.REVOKED, S.CANCELLED):
        status = S.VALID
    if not reviewed:
        status = {S.REVIEW_DUE: S.VALID, S.REVIEW_OVERDUE: S.EXPIRED}.get(status, status)

    if status == S.VALID and reviewed and rng.random() < 0.4:
        # Reviewed once (within the 60-day window), valid until the 6-year expiry.
        first = today - _days(rng.randint(3 * 365 + 10, years * 365 - 130))
        return _reviewed(rng, kind, first)
    if status == S.VALID:
        margin = 3 * 365 - 75 if reviewed else years * 365 - 100
        return _maybe_renewed(rng, kind, today - _days(rng.randint(10, margin)))
    if status == S.REVIEW_DUE:
        due = today + _days(rng.randint(0, kind.review_window_days - 2))
        return _maybe_renewed(rng, kind, rules.add_years(due, -kind.review_interval_years))
    if status == S.REVIEW_OVERDUE:
        # Never reviewed: the 3-year point passed, the 6-year expiry not yet.
        return [_issued(today - _days(rng.randint(3 * 365 + 3, years * 365 - 5)))]
    if status == S.EXPIRING:
        first = rules.add_years(
            today + _days(rng.randint(1, kind.expiring_window_days - 2)), -years
        )
        return _reviewed(rng, kind, first) if reviewed else _maybe_renewed(rng, kind, first)
    if status == S.EXPIRED:
        first = rules.add_years(today - _days(rng.randint(1, 700)), -years)
        if reviewed and rng.random() < 0.6:
            return _reviewed(rng, kind, first)
        return [_issued(first)]
    raise ValueError(status)


def _issued(on: date) -> _Version:
    return _Version(issue_date=on, effective_from=on)


def _reviewed(rng: random.Random, kind: rules.KindRules, first: date) -> list[_Version]:
    """Issued on `first`, reviewed inside the window before the first review point."""
    point = rules.add_years(first, kind.review_interval_years)
    review = point - _days(rng.randint(1, kind.review_window_days - 5))
    # Holders with ≥10 years in the trade may get the 6-year interval (30号令 Art. 21).
    extended = kind.extended_review_interval_years if rng.random() < 0.3 else None
    return [
        _issued(first),
        _Version(
            issue_date=first,
            effective_from=review,
            origin=CertificateOrigin.REVIEWED,
            last_review_date=review,
            review_interval_years=extended,
        ),
    ]


def _maybe_renewed(rng: random.Random, kind: rules.KindRules, issue: date) -> list[_Version]:
    """A card issued on `issue`, sometimes the renewal (换证) of an earlier card."""
    current = _issued(issue)
    if rng.random() >= HISTORY_SHARE:
        return [current]
    # The earlier card was renewed 1–40 days before it expired.
    earlier = rules.add_years(issue, -kind.validity_years) + _days(rng.randint(1, 40))
    current.origin = CertificateOrigin.RENEWED
    current.new_number = True
    return [_issued(earlier), current]


# --------------------------------------------------------------------------- the builder


class _Builder:
    """Builds the rows of one chunk of enterprises, then bulk-inserts them."""

    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.people = _People(rng)
        self.post_types = {pt.code: pt for pt in PostType.objects.all()}
        self.kinds = {k.code: k for k in CertificateKind.objects.prefetch_related("post_types")}
        self.kind_rules = {code: rules.KindRules.of(k) for code, k in self.kinds.items()}
        self.items = {
            i.code: i for i in OperationItem.objects.filter(category__version__is_current=True)
        }
        self.serial = Counter()
        self.result = WorkforceResult()
        self._reset()

    def _reset(self):
        self.persons: list[Person] = []
        self.posts: list[Post] = []
        self.chains: list[list[Certificate]] = []

    # ----------------------------------------------------------------- numbers

    def number(self, kind_code: str, person: Person, issue: date) -> str:
        if self.kind_rules[kind_code].number_rule:
            return rules.expected_number(self.kind_rules[kind_code], person.id_number)
        self.serial[kind_code] += 1
        n = self.serial[kind_code]
        if kind_code == CertificateKindCode.SAFETY_COMPETENCE:
            return f"AQ61{issue:%Y}{n:07d}"
        if kind_code == CertificateKindCode.SPECIAL_EQUIPMENT:
            return f"TS61{issue:%Y}{n:07d}"
        return f"陕A04{issue:%Y}{n:07d}"

    # ----------------------------------------------------------------- per enterprise

    def enterprise(self, ent: Enterprise, rate: float) -> None:
        rng = self.rng
        lo, hi = PEOPLE_BY_SCALE.get(ent.scale, (12, 18))
        size = rng.randint(lo, hi)
        code = ent.sector.code if ent.sector_id else "other"
        mix = SECTOR_MIX.get(code, DEFAULT_MIX)
        items = SECTOR_ITEMS.get(code, ("1.2",))
        slots = [PostTypeCode.PRINCIPAL] + [PostTypeCode.SAFETY_MANAGER] * MANAGERS_BY_SCALE.get(
            ent.scale, 1
        )
        rest = size - len(slots)
        for share, post_code in zip(
            mix,
            (
                PostTypeCode.SPECIAL_OPERATION,
                PostTypeCode.SPECIAL_EQUIPMENT,
                PostTypeCode.CONSTRUCTION_SPECIAL,
            ),
            strict=True,
        ):
            if share:
                slots += [post_code] * max(1, round(rest * share * rng.uniform(0.7, 1.3)))
        slots += [PostTypeCode.OTHER] * max(0, size - len(slots))
        for post_code in slots:
            item = rng.choice(items) if post_code == PostTypeCode.SPECIAL_OPERATION else None
            self.person_with_post(ent, post_code, item, compliant=rng.random() < rate)

    def person_with_post(
        self, ent: Enterprise, post_code: str, item_code: str | None, *, compliant: bool
    ) -> Person:
        """A new person with one post at `ent`, and a certificate as the dice decide."""
        rng = self.rng
        kind_code = _KIND_FOR_POST.get(post_code)
        outcome, plan = None, []
        if kind_code:
            table = COMPLIANT_STATUSES if compliant else NON_COMPLIANT_OUTCOMES
            outcome = rng.choices([o for o, _ in table], [w for _, w in table])[0]
            if outcome == "wrong_item" and post_code != PostTypeCode.SPECIAL_OPERATION:
                outcome = None
            if outcome is not None:
                status = S.VALID if outcome == "wrong_item" else outcome
                plan = _plan(rng, self.kind_rules[kind_code], status, self.today)
        person = self.new_person(plan[0].issue_date if plan else None)
        self.add_post(person, ent, post_code, item_code)
        if plan:
            cert_item = item_code
            if outcome == "wrong_item":
                cert_item = rng.choice(
                    [c for c in SECTOR_ITEMS["industry_trade"] if c != item_code]
                )
            state = {S.REVOKED: CertificateState.REVOKED, S.CANCELLED: CertificateState.CANCELLED}
            state = state.get(outcome)
            self.add_chain(person, ent, kind_code, cert_item, plan, state=state)
        return person

    def new_person(self, first_issue: date | None = None) -> Person:
        """Born 1960–2003, and an adult well before a first card issued on `first_issue`."""
        latest = date(2003, 12, 31)
        if first_issue is not None:
            latest = min(latest, rules.add_years(first_issue, -18) - _days(60))
        person = self.people.make(born_between=(date(1960, 1, 1), latest))
        self.persons.append(person)
        return person

    def add_post(
        self,
        person: Person,
        ent: Enterprise,
        post_code: str,
        item_code: str | None = None,
        *,
        start: date | None = None,
        note: str = "",
    ) -> Post:
        rng, today = self.rng, self.today
        if start is None:
            start = max(adult_on(person.birth_date), today - _days(rng.randint(15, 12 * 365)))
        end = None
        if not note and rng.random() < LEFT_SHARE:
            end = min(today - _days(1), start + _days(rng.randint(30, 2000)))
            if end < start:
                end = None
        post = Post(
            person=person,
            enterprise=ent,
            post_type=self.post_types[post_code],
            operation_item=self.items[item_code] if item_code else None,
            start_date=start,
            end_date=end,
            note=note,
        )
        self.posts.append(post)
        return post

    def add_chain(
        self,
        person: Person,
        ent: Enterprise,
        kind_code: str,
        item_code: str | None,
        plan: list[_Version],
        *,
        state: str | None = None,
    ) -> list[Certificate]:
        kind = self.kinds[kind_code]
        item = self.items[item_code] if item_code else None
        chain: list[Certificate] = []
        number = self.number(kind_code, person, plan[0].issue_date)
        for i, v in enumerate(plan):
            if v.new_number:
                number = self.number(kind_code, person, v.issue_date)
            last = i == len(plan) - 1
            cert = Certificate(
                holder=person,
                kind=kind,
                operation_item=item,
                enterprise=ent,
                number=number,
                issuing_authority=AUTHORITIES[kind_code],
                first_issue_date=plan[0].issue_date,
                issue_date=v.issue_date,
                valid_until=None,  # derived from the kind, as save() does
                effective_from=v.effective_from,
                review_interval_years=v.review_interval_years,
                last_review_date=v.last_review_date,
                review_due_date=None,  # derived, as save() does
                origin=v.origin,
                is_current=last,
                superseded_on=None if last else plan[i + 1].effective_from,
                previous=chain[-1] if chain else None,
            )
            cert.fill_derived()
            chain.append(cert)
        if state:
            current = chain[-1]
            reasons = REVOKE_REASONS if state == CertificateState.REVOKED else CANCEL_REASONS
            current.state = state
            current.state_changed_on = max(
                current.effective_from, self.today - _days(self.rng.randint(1, 300))
            )
            current.state_reason = self.rng.choice(reasons)
        self.chains.append(chain)
        return chain

    # ----------------------------------------------------------------- writing

    def flush(self) -> None:
        Person.objects.bulk_create(self.persons, batch_size=BATCH_SIZE)
        Post.objects.bulk_create(self.posts, batch_size=BATCH_SIZE)
        depth = max((len(c) for c in self.chains), default=0)
        for level in range(depth):
            rows = [c[level] for c in self.chains if len(c) > level]
            # `previous` was assigned before its pk existed; bulk_create reads it now.
            Certificate.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        r = self.result
        r.people += len(self.persons)
        r.posts += len(self.posts)
        r.certificates += sum(len(c) for c in self.chains)
        r.current_certificates += len(self.chains)
        for chain in self.chains:
            r.statuses[chain[-1].status_on(self.today)] += 1
        self._reset()


_KIND_FOR_POST = {
    PostTypeCode.PRINCIPAL: CertificateKindCode.SAFETY_COMPETENCE,
    PostTypeCode.SAFETY_MANAGER: CertificateKindCode.SAFETY_COMPETENCE,
    PostTypeCode.SPECIAL_OPERATION: CertificateKindCode.SPECIAL_OPERATION,
    PostTypeCode.SPECIAL_EQUIPMENT: CertificateKindCode.SPECIAL_EQUIPMENT,
    PostTypeCode.CONSTRUCTION_SPECIAL: CertificateKindCode.CONSTRUCTION_SPECIAL,
}


# --------------------------------------------------------------------------- rates


def _enterprise_rates(rng: random.Random, enterprises: list[Enterprise]) -> dict[int, float]:
    """The chance that a certified post of each enterprise is compliant today."""
    new_towns = list(
        Unit.objects.filter(kind=UnitKind.NEW_TOWN).order_by("path").values_list("path", flat=True)
    )
    centre = {path: NEW_TOWN_RATES[i % len(NEW_TOWN_RATES)] for i, path in enumerate(new_towns)}
    steplen = Unit.steplen
    rates = {}
    for ent in enterprises:
        base = centre.get(ent.unit.path[: 2 * steplen], 0.93)
        base += SECTOR_ADJUST.get(ent.sector.code if ent.sector_id else "", 0.0)
        rates[ent.pk] = min(1.0, max(0.4, rng.gauss(base, ENTERPRISE_RATE_SPREAD)))
    return rates


# --------------------------------------------------------------------------- integrity plants


def _plant_integrity_problems(
    builder: _Builder, enterprises: list[Enterprise], count: int
) -> dict[str, int]:
    """A few findings for the integrity checks (issue #3 §4), `count` of each kind.

    Written as ordinary rows of the same bulk load; the checks, not the seed,
    raise the flags.
    """
    rng, today = builder.rng, builder.today
    planted = Counter()
    chosen = rng.sample(enterprises, min(len(enterprises), 4 * count))
    groups = [chosen[i::4] for i in range(4)]

    # 1. One certificate number held by two people. Current numbers are unique in
    #    the database, so the copy sits in B's earlier version: B registered a card
    #    bearing A's number, later replaced by a card of B's own.
    competence = CertificateKindCode.SAFETY_COMPETENCE
    for ent in groups[0]:
        a_cert = (
            Certificate.objects.filter(enterprise=ent, kind_id=competence, is_current=True)
            .order_by("number")
            .first()
        )
        if a_cert is None:
            continue
        issue = today - _days(rng.randint(30, 700))
        plan = [
            _issued(rules.add_years(issue, -3) + _days(rng.randint(1, 40))),
            _Version(issue_date=issue, effective_from=issue, origin=CertificateOrigin.RENEWED),
        ]
        b = builder.new_person(plan[0].issue_date)
        builder.add_post(b, ent, PostTypeCode.SAFETY_MANAGER, start=plan[0].issue_date)
        chain = builder.add_chain(b, ent, competence, None, plan)
        chain[0].number = a_cert.number
        chain[1].number = builder.number(competence, b, issue)
        planted["duplicate_number"] += 1

    # 2. One person on duty at two enterprises at once (a part-time safety manager).
    for ent in groups[1]:
        person = builder.person_with_post(ent, PostTypeCode.SAFETY_MANAGER, None, compliant=True)
        builder.posts[-1].end_date = None  # still on duty here too
        other = rng.choice([e for e in enterprises if e.pk != ent.pk])
        start = today - _days(rng.randint(30, 400))
        builder.add_post(person, other, PostTypeCode.SAFETY_MANAGER, start=start, note="兼职")
        planted["multiple_employers"] += 1

    # 3. A 特种作业操作证 whose number is not "T" + the holder's ID number
    #    (two digits of the birth month swapped, as a miscopied card would show).
    special = CertificateKindCode.SPECIAL_OPERATION
    for ent in groups[2]:
        item = rng.choice(SECTOR_ITEMS.get(ent.sector.code, ("1.2",)))
        issue = today - _days(rng.randint(30, 900))
        person = builder.new_person(issue)
        builder.add_post(person, ent, PostTypeCode.SPECIAL_OPERATION, item, start=issue)
        chain = builder.add_chain(person, ent, special, item, [_issued(issue)])
        ident = person.id_number
        wrong = "T" + ident[:10] + ident[11] + ident[10] + ident[12:]
        if wrong == "T" + ident:
            wrong = "T" + ident[:-1] + ("0" if ident[-1] != "0" else "1")
        for cert in chain:
            cert.number = wrong
        planted["number_mismatch"] += 1

    # 4. A card issued before its holder turned 18 (born 2003, issued at 17).
    for ent in groups[3]:
        item = rng.choice(SECTOR_ITEMS.get(ent.sector.code, ("1.2",)))
        person = builder.people.make(born_between=(date(2003, 1, 1), date(2003, 12, 31)))
        builder.persons.append(person)
        issue = rules.add_years(person.birth_date, 17) + _days(rng.randint(30, 300))
        builder.add_post(person, ent, PostTypeCode.SPECIAL_OPERATION, item)
        plan = _reviewed(rng, builder.kind_rules[special], issue)
        builder.add_chain(person, ent, special, item, plan)
        planted["issued_under_18"] += 1
    builder.flush()
    return dict(planted)


# --------------------------------------------------------------------------- hooks


def _optional(module: str, function: str):
    """`module.function` if another part of the app provides it yet, else None."""
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), function, None)


def _call(func, **kwargs):
    """Call `func` with those of `kwargs` it accepts (the hooks' signatures may differ)."""
    params = inspect.signature(func).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return func(**kwargs)
    return func(**{k: v for k, v in kwargs.items() if k in params})


def month_ends(today: date, months: int) -> list[date]:
    """The last days of the `months` months before `today`'s month, oldest first."""
    ends, day = [], today.replace(day=1)
    for _ in range(months):
        day -= _days(1)
        ends.append(day)
        day = day.replace(day=1)
    return ends[::-1]


TREND_MONTHS = 12


def finish(result: WorkforceResult, *, today: date) -> None:
    """Run the integrity checks and refresh the 持证率 snapshots, if those exist yet."""
    run_checks = _optional("xuanpei.workforce.integrity", "run_checks")
    if run_checks is not None:
        from xuanpei.workforce.models import IntegrityFlag

        _call(run_checks, on=today, today=today)
        result.integrity_flags = IntegrityFlag.objects.count()
    refresh = _optional("xuanpei.workforce.compliance", "refresh_snapshots")
    if refresh is not None:
        params = inspect.signature(refresh).parameters
        if "on" in params:
            # Month ends feed the dashboard's monthly trend; today its current figures.
            for day in [*month_ends(today, TREND_MONTHS), today]:
                refresh(on=day)
        else:
            _call(refresh, today=today)
        result.snapshots = True


# --------------------------------------------------------------------------- entry point


@transaction.atomic
def seed_workforce(
    *, seed: int, today: date | None = None, run_hooks: bool = True
) -> WorkforceResult:
    """Add the demo workforce to every enterprise in the database (after `orgs.demo`)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    ensure_workforce_dictionaries()
    rng = random.Random(f"{seed}-workforce")
    enterprises = list(Enterprise.objects.select_related("unit", "sector").order_by("uscc"))
    rates = _enterprise_rates(rng, enterprises)
    builder = _Builder(rng, today)
    for start in range(0, len(enterprises), CHUNK):
        for ent in enterprises[start : start + CHUNK]:
            builder.enterprise(ent, rates[ent.pk])
        builder.flush()
    result = builder.result
    if enterprises:
        result.planted = _plant_integrity_problems(
            builder, enterprises, count=max(2, len(enterprises) // 400)
        )
    if run_hooks:
        finish(result, today=today)
    result.seconds = time.monotonic() - started
    return result
