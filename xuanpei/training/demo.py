"""The demo training year (issue #12 item 10) for `xuanpei seed-demo`, after the plans.

A story as of today, for the year whose third quarter has ended (this year from
October on, last year before) and for this year up to today:

- ~5 grid officers per 镇街 (a `UnitPost` at one of its 村/社区) and the cadres of
  the new towns, the 镇街 and the departments, as new people (one person table);
- each new town holds a grid-officer class every quarter (三(二)3(3)) with its
  officers signed in by QR — except that **渭滨新城 held none in Q3** and 灞水新城's
  Q2 class was missed by two officers; classes dated after today are still planned;
- the 应急管理局 holds the cadre classes (专题, 外出学习调研), a 复工复产 class for the
  principals, an online course; enterprises hold 行业专项, 重点作业 and 全员 classes for
  their staff and a training institution the 三项岗位 取证/复审 courses with exam
  scores — every class linked to its 附件2 task; the plan's counted training targets
  are pointed at the training metrics (`COMPUTED_TARGETS`), so they count the classes;
- **some principals and safety managers stay below their yearly hours** (one 4-hour
  class against 12 h, 3号令 Art. 9);
- **an accident** at a 工矿商贸 enterprise three weeks ago: its principal has been
  retrained, its safety managers and staff not yet (open obligations, due soon);
- a training institution inspected with "走过场" problems and an **open rectification**.

Set-based (`bulk_create`: no signals, no audit entries — a system load, like the rest of
the seed); deterministic for a seed and a day. Skipped when sessions exist already.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role
from xuanpei.orgs import sectors as sector_dict
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.demo import DEMO_SEED
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.plans.choices import PlanKind
from xuanpei.plans.models import Task
from xuanpei.training.models import (
    Attendance,
    Enrolment,
    Inspection,
    Institution,
    Rectification,
    TrainingSession,
    UnitPost,
)
from xuanpei.training.quarters import quarters_of_year
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.demo import _People
from xuanpei.workforce.models import Person, Post

K = TrainingSession.Kind
OFFICERS_PER_TOWN = 5
MISSED_Q3 = "渭滨新城"  # held no grid-officer class in the story year's third quarter
OFFICERS_MISSED_Q2 = ("灞水新城", 2)  # two of its officers missed the Q2 class
ENTERPRISES = 60  # enterprises that hold classes of their own
BELOW_HOURS_SHARE = 0.25  # of those, enterprises whose managers get one 4-hour class only
MANAGERS = (PostTypeCode.PRINCIPAL, PostTypeCode.SAFETY_MANAGER)
SPECIAL = (
    PostTypeCode.SPECIAL_OPERATION,
    PostTypeCode.SPECIAL_EQUIPMENT,
    PostTypeCode.CONSTRUCTION_SPECIAL,
)
AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) MicroMessenger/8.0.49"
# The 附件2 task each kind of class delivers (template2022's numbers).
TASK_OF_KIND = {
    K.CADRE_TOPIC: "三(二)1(1)",
    K.SECTOR: "三(二)1(2)",
    K.STUDY_TOUR: "三(二)1(3)",
    K.CERTIFICATION: "三(二)2(1)",
    K.HIGH_RISK_WORK: "三(二)2(2)",
    K.ACCIDENT_UNIT: "三(二)2(2)",
    K.GRID_OFFICER: "三(二)3(3)",
    K.FOCUS_PERIOD: "三(二)3(4)",
    K.ONLINE: "三(二)",
}
# The 应急管理局's own classes: (title after the year, kind, (month, first day, last day),
# days, hours, (cast list, slice start, stop), more fields).
DISTRICT_CLASSES = (
    (
        "应急管理干部专题培训班",
        K.CADRE_TOPIC,
        (4, 3, 26),
        2,
        12,
        ("cadres", 0, None),
        {"partner": "西北应急管理学院（演示）", "audience": "应急管理系统干部"},
    ),
    (
        "赴外地应急管理学习调研",
        K.STUDY_TOUR,
        (9, 3, 26),
        3,
        16,
        ("cadres", 0, 12),
        {"place": "省外先进城市"},
    ),
    (
        "节后复工复产企业负责人专题培训",
        K.FOCUS_PERIOD,
        (2, 12, 27),
        1,
        4,
        ("principals", 0, 80),
        {"audience": "复工复产企业主要负责人"},
    ),
    ("“安全生产月”网络公开课", K.ONLINE, (6, 3, 26), 1, 2, ("staff", 0, 150), {"online": True}),
)
CADRE_TITLES = ("主任", "副主任", "安全生产专干", "应急办干事")


@dataclass
class TrainingDemoResult:
    year: int = 0
    sessions: int = 0
    planned: int = 0
    attendances: int = 0
    grid_officers: int = 0
    cadres: int = 0
    accident: object = None
    computed_targets: int = 0
    seconds: float = 0.0

    def summary_line(self) -> str:
        return (
            f"培训：{self.year}年起培训班次 {self.sessions} 期（另有计划中 {self.planned} 期），"
            f"签到 {self.attendances} 人次，网格员 {self.grid_officers} 人，干部 {self.cadres} 人，"
            f"按培训记录自动统计的计划指标 {self.computed_targets} 项，"
            f"用时 {self.seconds:.1f} 秒。"
        )


def story_year(today: date) -> int:
    """The year whose Q3 has ended: this year from 1 October, else the previous one."""
    return today.year if today >= date(today.year, 10, 1) else today.year - 1


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


class _Builder:
    """Collects sessions with their rosters and attendance, then writes them in bulk."""

    def __init__(self, rng: random.Random, today: date, admin: User | None):
        self.rng = rng
        self.today = today
        self.admin = admin
        self.sessions: list[tuple[TrainingSession, list[tuple[int, Decimal | None]]]] = []

    def session(
        self,
        *,
        title: str,
        kind: str,
        unit: Unit,
        day: date,
        hours: int,
        people: list[int],
        enterprise: Enterprise | None = None,
        task: Task | None = None,
        days: int = 1,
        credited: dict[int, Decimal] | None = None,
        scores: bool = False,
        **fields,
    ) -> TrainingSession:
        people = list(dict.fromkeys(people))  # a person with two posts is enrolled once
        start = _at(day, 9)
        end = _at(day + timedelta(days=days - 1), 12 if hours <= 3 else 17)
        held = end.date() < self.today
        session = TrainingSession(
            title=title,
            kind=kind,
            unit=unit,
            enterprise=enterprise,
            task=task,
            starts_at=start,
            ends_at=end,
            hours=Decimal(hours),
            place="" if fields.get("online") else fields.pop("place", f"{unit.name}会议室"),
            status=TrainingSession.Status.HELD if held else TrainingSession.Status.DRAFT,
            planned_headcount=len(people),
            audience=fields.pop("audience", ""),
            summary="培训按计划举办，参训人员签到签退，课后进行了测试。" if held else "",
            created_by=self.admin,
            **fields,
        )
        roster = [(p, (credited or {}).get(p)) for p in people]
        self.sessions.append((session, roster if held else [(p, None) for p in people]))
        session._held = held
        session._scores = scores
        return session

    def write(self) -> tuple[int, int, int]:
        """Sessions, their rosters, the attendance of held ones: (held, planned, attendances)."""
        sessions = [s for s, _ in self.sessions]
        TrainingSession.objects.bulk_create(sessions, batch_size=500)
        enrolments, attendances = [], []
        rng = self.rng
        for session, roster in self.sessions:
            for person_id, hours in roster:
                score = None
                if session._held and session._scores:
                    score = Decimal(rng.randint(52, 98))
                enrolments.append(
                    Enrolment(
                        session=session,
                        person_id=person_id,
                        source=Enrolment.Source.BY_POST,
                        exam_score=score,
                        passed=None if score is None else score >= 60,
                    )
                )
                if not session._held or hours == Decimal(0):
                    continue
                late = rng.choice((0, 0, 0, 5, 10, 20))
                attendances.append(
                    Attendance(
                        session=session,
                        person_id=person_id,
                        method=Attendance.Method.QR
                        if rng.random() < 0.85
                        else Attendance.Method.LIST,
                        signed_in_at=session.starts_at + timedelta(minutes=late - 15),
                        sign_in_ip=f"10.{rng.randrange(1, 255)}.{rng.randrange(255)}.{rng.randrange(1, 255)}",
                        sign_in_agent=AGENT,
                        signed_out_at=session.ends_at + timedelta(minutes=rng.randrange(1, 20)),
                        sign_out_ip=f"10.{rng.randrange(1, 255)}.{rng.randrange(255)}.{rng.randrange(1, 255)}",
                        sign_out_agent=AGENT,
                        hours_credited=session.hours if hours is None else hours,
                    )
                )
        Enrolment.objects.bulk_create(enrolments, batch_size=1000)
        Attendance.objects.bulk_create(attendances, batch_size=1000)
        held = sum(1 for s in sessions if s._held)
        return held, len(sessions) - held, len(attendances)


def _spread_days(rng: random.Random, first: date, last: date) -> date:
    """A weekday between two days."""
    while True:
        day = first + timedelta(days=rng.randrange((last - first).days + 1))
        if day.weekday() < 5:
            return day


def _unit_people(rng: random.Random, units: dict, people: _People) -> tuple[list, list]:
    """Grid officers (~5 per 镇街, at its 村/社区) and cadres, as new people and posts."""
    persons, posts = [], []
    born = (date(1968, 1, 1), date(1998, 12, 31))
    for town in units["towns"]:
        villages = units["villages"][town.pk]
        for i in range(OFFICERS_PER_TOWN):
            person = people.make(born_between=born)
            persons.append(person)
            posts.append(
                (person, villages[i % len(villages)], UnitPost.Role.GRID_OFFICER, "网格员")
            )
    cadre_units = [*units["new_towns"], *units["towns"], *units["departments"]]
    for unit in cadre_units:
        count = 6 if unit.name == sector_dict.EMERGENCY else 2
        for i in range(count):
            person = people.make(born_between=born)
            persons.append(person)
            posts.append((person, unit, UnitPost.Role.CADRE, CADRE_TITLES[i % len(CADRE_TITLES)]))
    Person.objects.bulk_create(persons, batch_size=1000)
    rows = [
        UnitPost(
            person=person,
            unit=unit,
            role=role,
            title=title,
            phone=f"1990001{rng.randrange(10000):04d}",
            start_date=date(2021, 1, 1) + timedelta(days=rng.randrange(1200)),
        )
        for person, unit, role, title in posts
    ]
    UnitPost.objects.bulk_create(rows, batch_size=1000)
    officers = [p for p in rows if p.role == UnitPost.Role.GRID_OFFICER]
    cadres = [p for p in rows if p.role == UnitPost.Role.CADRE]
    return officers, cadres


def _units(root: Unit) -> dict:
    children = list(Unit.objects.filter(depth=root.depth + 1).order_by("path"))
    new_towns = [u for u in children if u.kind == UnitKind.NEW_TOWN]
    departments = [u for u in children if u.kind == UnitKind.DEPARTMENT]
    towns = list(
        Unit.objects.filter(
            depth=root.depth + 2, kind__in=(UnitKind.TOWN, UnitKind.SUBDISTRICT)
        ).order_by("path")
    )
    villages = defaultdict(list)
    town_by_path = {t.path: t for t in towns}
    for v in Unit.objects.filter(depth=root.depth + 3).order_by("path"):
        town = town_by_path.get(v.path[: len(v.path) - Unit.steplen])
        if town is not None:
            villages[town.pk].append(v)
    for town in towns:
        villages[town.pk] = villages[town.pk] or [town]
    return {
        "new_towns": new_towns,
        "departments": departments,
        "towns": towns,
        "villages": villages,
    }


def _new_town_of(unit: Unit, new_towns: list[Unit]) -> Unit:
    return next(nt for nt in new_towns if unit.path.startswith(nt.path))


class _Year:
    """One year's classes."""

    def __init__(self, b: _Builder, year: int, *, story: bool, cast: dict):
        self.b, self.year, self.story, self.cast = b, year, story, cast
        tasks = Task.objects.filter(plan__year=year, plan__kind=PlanKind.DISTRICT)
        by_number = {t.number: t for t in tasks}
        self.task = {kind: by_number.get(number) for kind, number in TASK_OF_KIND.items()}

    @staticmethod
    def task_for(year: int, kind: str) -> Task | None:
        return Task.objects.filter(
            plan__year=year, plan__kind=PlanKind.DISTRICT, number=TASK_OF_KIND[kind]
        ).first()

    def day(self, month: int, first: int = 3, last: int = 26) -> date:
        return _spread_days(self.b.rng, date(self.year, month, first), date(self.year, month, last))

    def grid(self) -> None:
        c = self.cast
        for nt in c["units"]["new_towns"]:
            officers = [p.person_id for p in c["officers"] if p.unit.path.startswith(nt.path)]
            for q in quarters_of_year(self.year):
                if self.story and q.number == 3 and nt.name == MISSED_Q3:
                    continue
                credited = {}
                if self.story and q.number == 2 and nt.name == OFFICERS_MISSED_Q2[0]:
                    credited = {p: Decimal(0) for p in officers[: OFFICERS_MISSED_Q2[1]]}
                self.b.session(
                    title=f"{nt.name}{self.year}年第{q.number}季度网格员业务能力培训",
                    kind=K.GRID_OFFICER,
                    unit=nt,
                    day=self.day(3 * q.number - 1),
                    hours=3,
                    people=officers,
                    credited=credited,
                    task=self.task[K.GRID_OFFICER],
                    teacher="区应急管理局业务骨干",
                    audience="安全生产网格员",
                    content="隐患排查、信息报送、应急处置先期工作",
                )

    def district(self) -> None:
        """The 应急管理局's classes (DISTRICT_CLASSES) and the institution's courses."""
        c, b = self.cast, self.b
        for title, kind, (month, first, last), days, hours, (
            who,
            start,
            stop,
        ), extra in DISTRICT_CLASSES:
            b.session(
                title=f"{self.year}年{title}",
                kind=kind,
                unit=c["emergency"],
                day=self.day(month, first, last),
                days=days,
                hours=hours,
                people=c[who][start:stop],
                task=self.task[kind],
                **extra,
            )
        for month, people in ((3, c["special"][:40]), (10, c["special"][40:80])):
            b.session(
                title=f"{self.year}年{month}月特种作业人员取证复审培训",
                kind=K.CERTIFICATION,
                unit=c["emergency"],
                day=self.day(month),
                days=3,
                hours=24,
                people=people,
                task=self.task[K.CERTIFICATION],
                institution=c["institution"],
                partner=c["institution"].name,
                scores=True,
            )

    def _own(self, ent: Enterprise, title: str, kind: str, month: int, hours: int, people):
        """A class an enterprise holds for its own staff."""
        self.b.session(
            title=f"{ent.name}{title}",
            kind=kind,
            unit=ent.unit,
            enterprise=ent,
            day=self.day(month),
            hours=hours,
            people=people,
            task=self.task.get(kind),
        )

    def enterprises(self) -> None:
        c, rng = self.cast, self.b.rng
        for ent in c["enterprises"]:
            staff = c["posts"][ent.pk]
            managers = [p for p, code in staff if code in MANAGERS]
            special = [p for p, code in staff if code in SPECIAL]
            if ent.pk in c["below_hours"]:  # one 4-hour class: below the yearly 12 h
                month = rng.choice((5, 7, 8))
                self._own(ent, f"{self.year}年安全生产管理人员培训", K.SECTOR, month, 4, managers)
            else:
                for month in (rng.choice((3, 4, 5)), rng.choice((8, 9))):
                    title = f"{self.year}年{month}月{ent.sector.name}专项培训"
                    self._own(ent, title, K.SECTOR, month, 8, managers)
            if special and rng.random() < 0.6:
                month = rng.choice((4, 6, 7, 11))
                self._own(ent, "动火、有限空间作业专题培训", K.HIGH_RISK_WORK, month, 4, special)
            month = rng.choice((1, 6, 11))
            everyone = [p for p, _code in staff]
            self._own(ent, f"{self.year}年全员安全培训", K.ALL_STAFF, month, 2, everyone)


def _cast(rng: random.Random, today: date) -> dict:
    root = Unit.objects.get_first_root_node()
    units = _units(root)
    people = _People(rng)
    people.used_ids = set(Person.objects.values_list("id_number", flat=True))
    officers, cadres = _unit_people(rng, units, people)
    emergency = next((d for d in units["departments"] if d.name == sector_dict.EMERGENCY), root)
    active = list(
        Enterprise.objects.filter(is_active=True, posts__isnull=False)
        .distinct()
        .select_related("unit", "sector")
        .order_by("uscc")
    )
    # The accident's enterprise: a 工矿商贸 firm that holds no class of its own.
    trade = [e for e in active if e.sector.code == "industry_trade"]
    struck = trade[len(trade) // 2] if trade else None
    pool = [e for e in active if e != struck]
    chosen = rng.sample(pool, min(ENTERPRISES, len(pool)))
    posts = defaultdict(list)
    for person_id, ent_id, code in Post.objects.filter(
        enterprise__in=chosen, end_date__isnull=True
    ).values_list("person_id", "enterprise_id", "post_type_id"):
        posts[ent_id].append((person_id, code))
    below = {e.pk for e in chosen[: max(1, int(len(chosen) * BELOW_HOURS_SHARE))]}
    flat = [(p, code) for e in chosen for p, code in posts[e.pk]]
    institution = Institution.objects.create(
        name="秦川安全生产培训学校（演示）",
        kind=Institution.Kind.BOTH,
        unit=emergency if emergency.kind == UnitKind.DEPARTMENT else root,
        address="秦川区应急路1号",
        contact="周老师",
        phone="19900020001",
    )
    Institution.objects.create(
        name="秦川特种作业考试点（演示）",
        kind=Institution.Kind.EXAM_SITE,
        unit=root,
        address="秦川区考试中心",
    )
    return {
        "root": root,
        "units": units,
        "officers": officers,
        "cadres": [p.person_id for p in cadres],
        "cadre_posts": cadres,
        "emergency": emergency,
        "enterprises": chosen,
        "posts": posts,
        "below_hours": below,
        "principals": [p for p, code in flat if code == PostTypeCode.PRINCIPAL],
        "special": [p for p, code in flat if code in SPECIAL],
        "staff": [p for p, code in flat if code == PostTypeCode.OTHER],
        "institution": institution,
        "struck": struck,
    }


def _inspection(cast: dict, today: date, admin) -> None:
    inspection = Inspection.objects.create(
        institution=cast["institution"],
        inspected_on=today - timedelta(days=45),
        inspectors="区应急管理局执法大队 王强、李娜",
        findings="抽查2期特种作业培训班的签到表、课时记录和考试试卷。",
        perfunctory=True,
        problems="一期培训实际授课不足规定学时；部分学员签到笔迹雷同，存在“走过场”问题。",
        created_by=admin,
    )
    Rectification.objects.create(
        inspection=inspection,
        requirement="补足所缺学时并重新组织考核；建立人脸识别签到，杜绝代签",
        due_on=today + timedelta(days=15),
    )
    if admin is None:
        return
    Rectification.objects.create(
        inspection=inspection,
        requirement="完善一期一档资料，补齐课程表和教师资质",
        due_on=today - timedelta(days=10),
        evidence="已补齐课程表、教师资质证明，档案已归档。",
        closed_at=timezone.now() - timedelta(days=12),
        closed_by=admin,
    )


def _accident(cast: dict, b: _Builder, today: date):
    """An accident three weeks ago: the principal retrained since (a held class), the
    safety managers and the staff still owed."""
    ent = cast["struck"]
    if ent is None:
        return None
    staff = list(
        Post.objects.filter(enterprise=ent, end_date__isnull=True).values_list(
            "person_id", "post_type_id"
        )
    )
    principals = [p for p, code in staff if code == PostTypeCode.PRINCIPAL]
    occurred = today - timedelta(days=21)
    b.session(
        title=f"{ent.name}事故后主要负责人安全培训",
        kind=K.ACCIDENT_UNIT,
        unit=ent.unit,
        enterprise=ent,
        day=today - timedelta(days=7),
        hours=8,
        people=principals,
        task=_Year.task_for(today.year, K.ACCIDENT_UNIT),
        audience="事故单位主要负责人",
    )
    return ent, occurred


def _record(ent, occurred: date, admin, today: date):
    from xuanpei.training.services_accidents import record_accident

    return record_accident(
        enterprise=ent,
        occurred_on=occurred,
        kind="机械伤害",
        severity="ordinary",
        injuries=1,
        summary="操作工清理设备时未停机，手部被卷入受伤（演示数据）。",
        actor=admin,  # the district's account: audited as its entry
        today=today - timedelta(days=19),  # recorded two days after
    )


# The demo plan's counted training targets, computed from the sessions (issue #12 item 9)
# where the plan left them typed: the classes held, and the grid officers' quarterly rule.
COMPUTED_TARGETS = {
    "三(二)1(1)": "training.sessions",
    "三(二)1(2)": "training.sessions",
    "三(二)1(3)": "training.sessions",
    "三(二)3(3)": "training.grid_sessions",
    "三(二)3(4)": "training.sessions",
}


def _compute_targets(years, today: date) -> int:
    """Point the district plans' counted training targets at the training metrics and
    refresh their assignments' statuses. Returns how many targets now count."""
    from xuanpei.plans.metrics import get_metric
    from xuanpei.plans.models import Assignment, Target
    from xuanpei.plans.status_bulk import refresh_statuses

    changed = []
    for target in Target.objects.filter(
        task__plan__year__in=years,
        task__plan__kind=PlanKind.DISTRICT,
        task__number__in=list(COMPUTED_TARGETS),
        metric="",
    ).select_related("task"):
        key = COMPUTED_TARGETS[target.task.number]
        if get_metric(key) is not None:
            target.metric = key
            changed.append(target)
    Target.objects.bulk_update(changed, ["metric"])
    tasks = {t.task_id for t in changed}
    if tasks:
        refresh_statuses(Assignment.objects.filter(task_id__in=tasks), today)
    return len(changed)


@transaction.atomic
def seed_training(*, seed: int = DEMO_SEED, today: date | None = None) -> TrainingDemoResult:
    """The demo training year on the demo district (after workforce and plans)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    result = TrainingDemoResult(year=story_year(today))
    if TrainingSession.objects.exists() or Unit.objects.get_first_root_node() is None:
        return result
    rng = random.Random(f"{seed}-training")
    admin = User.objects.filter(role=Role.DISTRICT_ADMIN, unit__depth=1).order_by("pk").first()
    cast = _cast(rng, today)
    builder = _Builder(rng, today, admin)
    for year in sorted({result.year, today.year}):
        one = _Year(builder, year, story=year == result.year, cast=cast)
        one.grid()
        one.district()
        one.enterprises()
    accident = _accident(cast, builder, today)
    result.sessions, result.planned, result.attendances = builder.write()
    if accident is not None:
        result.accident = _record(*accident, admin, today)
    _inspection(cast, today, admin)
    result.computed_targets = _compute_targets({result.year, today.year}, today)
    result.grid_officers = len(cast["officers"])
    result.cadres = len(cast["cadre_posts"])
    result.seconds = time.monotonic() - started
    return result
