"""The demo assessment year (issue #13) for `xuanpei seed-demo`, after training.

For the year of the last ended quarter (this year from April on, last year before):
the default indicator library; 督查 entries of that quarter — a deduction with its
photo, a bonus, a typical case adopted at city level; every ended quarter scored from
the demo's records; the earlier quarters published (frozen), the last one computed and
left for the district to publish; one new town's objection to its previous-quarter
score, not yet answered; the previous quarter's bulletin issued (in the named units'
inboxes) and the last quarter's bulletin as a draft to edit and issue.

Through the services, as the district admin (`DISTRICT_ADMIN`); skipped when a run exists.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuanpei.accounts.models import User
from xuanpei.assessment import indicators as library
from xuanpei.assessment import services_bulletins as bulletins
from xuanpei.assessment import services_scoring as scoring
from xuanpei.assessment.models import ManualEntry, QuarterRun, UnitScore
from xuanpei.assessment.services_entries import save_manual_entry
from xuanpei.assessment.services_objections import raise_objection
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.demo import DISTRICT_ADMIN
from xuanpei.orgs.models import Unit


@dataclass
class AssessmentDemoResult:
    year: int = 0
    quarters: int = 0
    published: int = 0
    entries: int = 0
    bulletin_issued: str = ""
    seconds: float = 0.0

    def summary_line(self) -> str:
        if not self.quarters:
            return "考核：已有考核数据，未改动。"
        issued = f"，已印发通报 {self.bulletin_issued}" if self.bulletin_issued else ""
        return (
            f"考核：{self.year}年已计算 {self.quarters} 个季度（已发布 {self.published} 个），"
            f"督查加减分和典型经验 {self.entries} 条{issued}，用时 {self.seconds:.1f} 秒。"
        )


def last_ended_quarter(today: date) -> tuple[int, int]:
    if today.month > 3:
        return today.year, (today.month - 1) // 3
    return today.year - 1, 4


def _photo() -> ContentFile:
    """A small PNG standing for the inspector's photo (a deduction needs evidence)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 360), outline=(180, 40, 40), width=6)
    draw.line((40, 40, 600, 360), fill=(180, 40, 40), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="督查现场照片.png")


def _entries(indicator_set, year: int, quarter: int, actor) -> int:
    manual = {i.code: i for i in indicator_set.indicators.filter(source="manual")}
    towns = list(Unit.objects.filter(kind=UnitKind.NEW_TOWN).order_by("path"))
    streets = list(
        Unit.objects.filter(kind__in=[UnitKind.TOWN, UnitKind.SUBDISTRICT]).order_by("path")
    )
    rows = [
        (
            "inspection_deduction",
            towns[-1],
            {"points": Decimal("-2"), "evidence": _photo()},
            "季度督查发现：安全生产月宣传咨询日活动台账缺少现场照片和签到表。",
        ),
        (
            "inspection_bonus",
            towns[0],
            {"points": Decimal("1")},
            "季度督查中“五进”宣传活动组织有力、台账规范，予以加分。",
        ),
        (
            "typical_cases",
            streets[0],
            {"level": ManualEntry.Level.CITY},
            "《网格员“一月一课”提升基层应急能力》被市应急管理局简报采用。",
        ),
    ]
    for code, unit, values, reason in rows:
        save_manual_entry(
            indicator=manual[code],
            unit=unit,
            year=year,
            quarter=quarter,
            reason=reason,
            actor=actor,
            **values,
        )
    return len(rows)


@transaction.atomic
def seed_assessment(*, today: date | None = None) -> AssessmentDemoResult:
    started = time.monotonic()
    result = AssessmentDemoResult()
    if QuarterRun.objects.exists():
        return result
    today = today or timezone.localdate()
    year, last = last_ended_quarter(today)
    actor = User.objects.get(username=DISTRICT_ADMIN.username)
    root = Unit.objects.get_first_root_node()
    with disable_auditlog():  # a system load, like the rest of the seed
        indicator_set = library.ensure_default_set(year, unit=root)
        result.entries = _entries(indicator_set, year, last, actor)
        for quarter in range(1, last + 1):
            run = scoring.compute_run(year=year, quarter=quarter, actor=actor, today=today)
            if quarter < last:
                scoring.publish_run(run=run, actor=actor, today=today)
                result.published += 1
        result.year, result.quarters = year, last
        if last > 1:
            previous = last - 1
            town_user = (
                User.objects.filter(unit__kind=UnitKind.NEW_TOWN, is_active=True)
                .order_by("unit__path", "pk")
                .first()
            )
            score = UnitScore.objects.filter(
                run__year=year, run__quarter=previous, unit=town_user.unit
            ).first()
            if score is not None:
                raise_objection(
                    score=score,
                    text="本季度我新城已开展网格员培训一次，签到记录已上传，请核实网格员培训得分。",
                    actor=town_user,
                    indicator_code="grid_training",
                )
            draft = bulletins.draft_bulletin(year=year, quarter=previous, actor=actor)
            issued = bulletins.issue_bulletin(draft, actor=actor, today=today)
            result.bulletin_issued = issued.doc_code
        bulletins.draft_bulletin(year=year, quarter=last, actor=actor)
    result.seconds = time.monotonic() - started
    return result
