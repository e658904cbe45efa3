"""No page computes snapshot days inline (issue #14 item 2): a 持证率 page whose day has no
snapshots yet reads the last snapshot day before it ("数据截至 …"), writes no snapshot in
the request and queues one `compliance_refresh` job however many read it; the job makes
the day. The system's own callers (the assessment's scoring) still get the exact day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from xuanpei.core import jobs
from xuanpei.core.models import Job
from xuanpei.workforce import compliance
from xuanpei.workforce.factories import CertificateFactory, PostFactory
from xuanpei.workforce.models import ComplianceSnapshot

TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)
LAST_MONTH_END = TODAY.replace(day=1) - timedelta(days=1)


def chinese_day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def staffed(district, settings):
    """Today ent_a1 has two posts, one covered (50%); yesterday's stored snapshot (as the
    daily job left it) said 7 of 10. The job runner is the default thread runner, whose
    jobs start only after a commit: in these tests a queued job waits until run here."""
    settings.JOB_RUNNER = "thread"
    cache.clear()  # another test's claim on a day (REFRESH_GUARD_SECONDS) is not ours
    covered = PostFactory(enterprise=district.ent_a1)
    CertificateFactory(
        holder=covered.person, enterprise=district.ent_a1, issue_date=TODAY - timedelta(days=400)
    )
    PostFactory(enterprise=district.ent_a1)
    return district


@pytest.fixture
def yesterday_snapshot(staffed):
    ComplianceSnapshot.objects.create(
        enterprise=staffed.ent_a1,
        on=YESTERDAY,
        required=10,
        compliant=7,
        computed_at=timezone.now() - timedelta(hours=20),
    )
    return staffed


def dashboard(client, user, **query):
    client.force_login(user)
    url = reverse("workforce:compliance_dashboard")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(url)
    assert response.status_code == 200
    return response


def refresh_jobs():
    return Job.objects.filter(kind=compliance.REFRESH_JOB_KIND)


def test_a_page_serves_the_last_snapshot_day_and_queues_one_refresh(yesterday_snapshot, client):
    d = yesterday_snapshot

    response = dashboard(client, d.district)

    body = response.content.decode()
    assert 'id="kpi-rate">70.0%' in body  # yesterday's stored 7 of 10, not today's 1 of 2
    assert f"数据截至 {chinese_day(YESTERDAY)}" in body
    assert set(ComplianceSnapshot.objects.values_list("on", flat=True)) == {YESTERDAY}
    job = refresh_jobs().get()
    assert job.status == Job.Status.PENDING and job.user == d.district
    assert TODAY.isoformat() in job.params["days"]
    if LAST_MONTH_END != YESTERDAY:  # the trend's month-end is queued with it
        assert LAST_MONTH_END.isoformat() in job.params["days"]
        assert response.context["trend_chart"]["rates"][-2] is None  # a gap, not 0%

    # More readers, another persona: still the one job.
    dashboard(client, d.district)
    dashboard(client, d.town_a)
    assert refresh_jobs().count() == 1
    assert set(ComplianceSnapshot.objects.values_list("on", flat=True)) == {YESTERDAY}

    jobs.run_job(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert TODAY.isoformat() in job.result["made"]
    snap = ComplianceSnapshot.objects.get(enterprise=d.ent_a1, on=TODAY)
    assert (snap.required, snap.compliant) == (2, 1)
    assert ComplianceSnapshot.objects.filter(on=LAST_MONTH_END).exists()
    body = dashboard(client, d.district).content.decode()
    assert 'id="kpi-rate">50.0%' in body and "数据截至" not in body
    assert refresh_jobs().count() == 1


def test_readers_in_other_processes_find_the_pending_job(yesterday_snapshot, client):
    dashboard(client, yesterday_snapshot.district)
    cache.clear()  # another server process: its own local cache has no claim
    dashboard(client, yesterday_snapshot.district)
    assert refresh_jobs().count() == 1


def test_with_no_snapshot_at_all_the_day_is_computed_live_once(staffed, client):
    body = dashboard(client, staffed.district).content.decode()

    assert 'id="kpi-rate">50.0%' in body
    assert "数据截至" not in body and "实时计算" in body
    assert not ComplianceSnapshot.objects.exists()
    assert refresh_jobs().count() == 1


def test_a_past_month_end_not_yet_made_is_queued_not_computed(yesterday_snapshot, client):
    month_end = TODAY.replace(day=1) - timedelta(days=32)
    month_end = compliance.month_end(month_end)

    body = dashboard(client, yesterday_snapshot.district, on=f"{month_end:%Y-%m-%d}")

    assert not ComplianceSnapshot.objects.filter(on=month_end).exists()
    job = refresh_jobs().get()
    assert month_end.isoformat() in job.params["days"]
    assert "实时计算" in body.content.decode()  # nothing stored on or before it: live


def test_the_enterprise_page_reads_the_last_snapshot_day_too(yesterday_snapshot, client):
    d = yesterday_snapshot
    client.force_login(d.enterprise)
    response = client.get(reverse("workforce:compliance_enterprise", args=[d.ent_a1.pk]))

    body = response.content.decode()
    assert 'id="kpi-rate">70.0%' in body
    assert f"数据截至 {chinese_day(YESTERDAY)}" in body
    assert not ComplianceSnapshot.objects.filter(on=TODAY).exists()
    assert refresh_jobs().count() == 1


def test_the_scoring_path_still_gets_the_exact_day(yesterday_snapshot):
    d = yesterday_snapshot
    # As assessment.formulas does: the source once, then summaries of the whole district.
    source = compliance.source_for(TODAY)
    summary = compliance.compliance_summary(None, TODAY, group_by="town", source=source)

    assert source == "snapshot"
    assert (summary.on, summary.as_of, summary.data_day) == (TODAY, None, TODAY)
    assert (summary.required, summary.compliant) == (2, 1)
    snap = ComplianceSnapshot.objects.get(enterprise=d.ent_a1, on=TODAY)
    assert (snap.required, snap.compliant) == (2, 1)
    assert compliance.compliance_summary(None, TODAY).rate == 50.0
    assert not refresh_jobs().exists()


def test_a_page_summary_without_a_source_reads_the_last_day(yesterday_snapshot):
    d = yesterday_snapshot
    summary = compliance.compliance_summary(d.district, TODAY, inline=False)
    assert (summary.on, summary.as_of, summary.rate) == (TODAY, YESTERDAY, 70.0)
    assert not ComplianceSnapshot.objects.filter(on=TODAY).exists()
    assert refresh_jobs().count() == 1


def test_under_the_sync_runner_the_queued_refresh_runs_at_once(staffed, client, settings):
    """JOB_RUNNER=sync (tests that want the old effect): the page's job makes the days."""
    settings.JOB_RUNNER = "sync"

    dashboard(client, staffed.district)

    days = set(ComplianceSnapshot.objects.values_list("on", flat=True))
    assert TODAY in days and LAST_MONTH_END in days
    assert all(d == TODAY or compliance.is_month_end(d) for d in days)
    assert refresh_jobs().get().status == Job.Status.DONE
