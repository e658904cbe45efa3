"""The demo assessment year (issue #13) as `xuanpei seed-demo` loads it, on a small district."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from xuanpei.accounts.models import User
from xuanpei.assessment.demo import last_ended_quarter
from xuanpei.assessment.models import Bulletin, ManualEntry, Objection, QuarterRun
from xuanpei.notifications.models import Notification
from xuanpei.orgs import demo as orgs_demo
from xuanpei.orgs.choices import UnitKind

pytestmark = pytest.mark.django_db


def test_seed_demo_scores_the_year_and_issues_the_previous_quarters_bulletin(monkeypatch, capsys):
    monkeypatch.setattr(orgs_demo, "BASE_ENTERPRISES", 20)
    call_command("seed_demo")
    year, last = last_ended_quarter(timezone.localdate())

    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("考核：")]
    assert len(lines) == 1 and f"{year}年已计算 {last} 个季度" in lines[0]
    runs = QuarterRun.objects.filter(year=year).order_by("quarter")
    assert [r.quarter for r in runs] == list(range(1, last + 1))
    assert [r.status for r in runs] == ["published"] * (last - 1) + ["draft"]
    assert all(r.scores.count() > 30 for r in runs)  # 新城, 镇街 and 行业部门
    deduction = ManualEntry.objects.get(indicator__code="inspection_deduction")
    assert deduction.points < 0 and deduction.evidence and deduction.reason
    assert ManualEntry.objects.count() == 3
    drafts = Bulletin.objects.filter(status=Bulletin.Status.DRAFT)
    assert [(b.year, b.quarter) for b in drafts] == [(year, last)]
    if last > 1:
        issued = Bulletin.objects.get(status=Bulletin.Status.ISSUED)
        assert (issued.quarter, issued.doc_year) == (last - 1, timezone.localdate().year)
        assert issued.docx and issued.pdf
        town = User.objects.filter(unit__kind=UnitKind.NEW_TOWN).order_by("unit__path").first()
        readable = Bulletin.objects.for_user(town, "view")
        assert list(readable) == [issued]  # the issued one, never the draft
        assert Notification.objects.filter(unit=town.unit, url__contains=f"/{issued.pk}/")
        assert Objection.objects.filter(score__unit=town.unit, answer="").count() == 1
    # Loading again is refused as a whole (the district exists): nothing doubles.
    call_command("seed_demo", "--if-empty")
    assert QuarterRun.objects.filter(year=year).count() == last
