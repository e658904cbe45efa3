"""The quarterly bulletin (issue #13 item 3, item 5's `xuanpei bulletin`): the draft written
from the figures, the 发文字号 rule (GB/T 9704, domain.md §5), issuing, who reads it,
the inbox message, the pages and the command."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from tests.personas import build_district
from xuanpei.assessment import services_bulletins as services
from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
from xuanpei.assessment.models import AssessedKind, Bulletin
from xuanpei.notifications.models import Notification

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 5)  # Q2 2026 has ended
TITLE = "关于2026年第二季度全区应急管理宣传教育培训工作情况的通报"


@pytest.fixture
def d(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_district()


def scored_run(d, year=2026, quarter=2, **kwargs):
    """东新城 loses points on 持证率; 教育局 scores in full; 西新城 is not assessed."""
    from xuanpei.assessment.models import IndicatorSet

    existing = IndicatorSet.objects.filter(year=year).first()
    if existing is not None:
        kwargs["indicator_set"] = existing
    run = QuarterRunFactory(unit=d.root, year=year, quarter=quarter, **kwargs)
    cert = {
        "code": "cert",
        "name": "三项岗位持证率",
        "weight": 10,
        "value": 0.8,
        "score": 8,
        "detail": "持证率80%（4/5）",
        "records_url": "",
    }
    full = {**cert, "score": 10, "detail": "持证率100%"}
    minus = {
        "code": "minus",
        "name": "督查扣分",
        "kind": "deduction",
        "weight": 5,
        "value": -2,
        "score": -2,
        "detail": "督查发现宣传台账不全",
        "records_url": "",
    }
    plus = {**minus, "name": "典型案例采用", "kind": "bonus", "score": 1, "detail": "市级采用"}
    UnitScoreFactory(
        run=run, unit=d.town_a_unit, total=Decimal("88"), rank=1, items=[cert, minus, plus]
    )
    UnitScoreFactory(
        run=run,
        unit=d.dept_unit,
        assessed_kind=AssessedKind.DEPARTMENT,
        total=Decimal("96"),
        rank=1,
        items=[full, plus],
    )
    return run


def issue(bulletin, user, code="测试安委办〔2026〕3号"):
    return services.issue_bulletin(bulletin, actor=user, doc_code=code, today=TODAY)


# --------------------------------------------------------------------------- draft


def test_draft_title_defaults_and_quarter_on_quarter_sentences(d):
    from xuanpei.publicity.factories_ledger import ActivityFactory
    from xuanpei.publicity.models_ledger import ReviewStatus
    from xuanpei.training.factories import TrainingSessionFactory
    from xuanpei.training.models import TrainingSession

    accepted = {"unit": d.street_a, "status": ReviewStatus.ACCEPTED}
    for day in (date(2026, 2, 1), date(2026, 3, 31)):
        ActivityFactory(held_on=day, participants=100, **accepted)
    for day in (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 30)):
        ActivityFactory(held_on=day, participants=50, **accepted)
    ActivityFactory(held_on=date(2026, 5, 2), unit=d.street_a)  # a draft: not counted
    held = TrainingSession.Status.HELD
    for month in (3, 4, 5):
        starts = timezone.make_aware(datetime(2026, month, 10, 9))
        TrainingSessionFactory(unit=d.town_a_unit, starts_at=starts, status=held)
    scored_run(d)

    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    assert b.title == TITLE and b.status == Bulletin.Status.DRAFT
    assert b.signer == "测试区安全生产委员会办公室" and b.doc_prefix == "测试安委办"
    assert b.addressees.endswith("：")  # 主送机关 ends with a full-width colon
    # 3 activities against 2 (+50%); reach 150 against 200 (−25%); 2 sessions against 1.
    assert "全区共开展宣传活动3场，较上季度增加1场（+50.0%）" in b.overview
    assert "参与群众150人次，较上季度减少50人次（-25.0%）" in b.overview
    assert "组织安全培训2期，较上季度增加1期（+100.0%）" in b.overview
    assert "未结束" not in b.overview
    assert "东新城" in b.units_text and "教育局" in b.units_text
    # 三、存在的问题 names the unit that lost the points, not the one in full.
    assert "三项岗位持证率未达标（1个单位）：东新城（持证率80%（4/5））" in b.problems
    assert "）督查扣分（1个单位）：东新城（督查发现宣传台账不全）" in b.problems
    assert "教育局" not in b.problems and "典型案例" not in b.problems  # a bonus is no problem
    assert b.next_steps == services.DEFAULT_NEXT_STEPS
    # Asking again reopens the same draft.
    assert services.draft_bulletin(year=2026, quarter=2, actor=d.district) == b


def test_settings_name_the_signer_prefix_and_addressees(d, settings):
    settings.BULLETIN_SIGNER = "某区安委会办公室"
    settings.BULLETIN_DOC_PREFIX = "某安办"
    settings.BULLETIN_ADDRESSEES = "各有关单位："
    scored_run(d)
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    assert (b.signer, b.doc_prefix, b.addressees) == ("某区安委会办公室", "某安办", "各有关单位：")


def test_many_units_short_on_an_indicator_are_named_without_details(d):
    run = scored_run(d)
    item = {
        "code": "grid",
        "name": "网格员季度培训",
        "kind": "scored",
        "weight": 10,
        "score": 0,
        "detail": "网格员培训 0 次（应 ≥ 1 次）",
    }
    units = [d.town_b_unit, d.street_a, d.town_b_sub, d.village_a, d.other_dept_unit]
    for rank, unit in enumerate([*units, d.town_a_unit, d.dept_unit], 1):
        score = run.scores.filter(unit=unit).first()
        if score is None:
            UnitScoreFactory(run=run, unit=unit, total=80, rank=rank + 1, items=[item])
        else:
            score.items = [*score.items, item]
            score.save()
    from xuanpei.orgs.choices import UnitKind
    from xuanpei.orgs.factories import add_unit

    full = {**item, "score": 10, "detail": "网格员培训 1 次（应 ≥ 1 次）"}
    north = add_unit(d.root, "北新城", UnitKind.NEW_TOWN)
    UnitScoreFactory(run=run, unit=north, total=99, rank=1, items=[full])
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    line = next(x for x in b.problems.splitlines() if "网格员季度培训" in x)
    assert line.startswith("（") and "网格员季度培训未达标（7个单位）：" in line
    assert all(u.name in line for u in [*units, d.town_a_unit, d.dept_unit])
    assert "应 ≥ 1 次" not in line  # 7 units or more: names only (the details are in the table)
    assert "北新城" not in line
    # Every unit short on it: one sentence, no list.
    run.scores.filter(unit=north).delete()
    b.delete()
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    assert "网格员季度培训未达标：参加考核的7个单位均未得满分。" in b.problems


def test_only_the_district_drafts(d):
    with pytest.raises(PermissionDenied):
        services.draft_bulletin(year=2026, quarter=2, actor=d.town_a)


def test_a_quarter_not_ended_is_a_draft_marked_and_never_issued(d):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    scored_run(d, year=today.year, quarter=quarter, quarter_ended=False)
    b = services.draft_bulletin(year=today.year, quarter=quarter, actor=d.district)
    assert "本季度未结束" in b.overview
    with pytest.raises(ValidationError, match="未结束"):
        services.issue_bulletin(b, actor=d.district)
    b.refresh_from_db()
    assert b.status == Bulletin.Status.DRAFT and not b.docx


# --------------------------------------------------------------------------- 发文字号


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("测试安委办〔2025〕3号", "年份须为印发年份2026年"),
        ("测试安委办〔2026〕0号", "不编虚位"),
        ("测试安委办〔2026〕03号", "不编虚位"),
        ("测试安委办[2026]3号", "六角括号"),
        ("测试安委办〔2026〕第3号", "格式应为"),
        ("〔2026〕3号", "格式应为"),
    ],
)
def test_bad_doc_numbers_are_refused_and_nothing_is_saved(d, code, reason):
    scored_run(d)
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    with pytest.raises(ValidationError, match=reason) as exc:
        issue(b, d.district, code)
    assert "发文字号" in str(exc.value)
    b.refresh_from_db()
    assert b.status == Bulletin.Status.DRAFT and b.doc_number is None and not b.docx
    assert not Notification.objects.exists()


def test_a_repeated_doc_number_names_the_bulletin_that_has_it(d):
    scored_run(d)
    scored_run(d, quarter=1)
    first = issue(services.draft_bulletin(year=2026, quarter=1, actor=d.district), d.district)
    second = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    with pytest.raises(ValidationError) as exc:
        issue(second, d.district, "测试安委办〔2026〕3号")
    assert f"发文字号“测试安委办〔2026〕3号”已被《{first.title}》使用" in str(exc.value)
    # Without a number the next free one is taken.
    assert issue(second, d.district, "").doc_code == "测试安委办〔2026〕4号"


# --------------------------------------------------------------------------- issue


def _readable(user):
    """The bulletins `user` reads: the one scoping mechanism, as every page and the API."""
    return Bulletin.objects.for_user(user, "view")


def test_issued_bulletin_reaches_the_named_units_only(d):
    scored_run(d)
    b = issue(services.draft_bulletin(year=2026, quarter=2, actor=d.district), d.district)
    assert b.status == Bulletin.Status.ISSUED and b.doc_code == "测试安委办〔2026〕3号"
    assert b.signed_on == TODAY and b.docx and b.pdf
    assert set(b.recipients.all()) == {d.town_a_unit, d.dept_unit}
    assert b in _readable(d.town_a)  # a named new town
    assert b in _readable(d.department)
    assert b not in _readable(d.town_b)  # not named
    assert b not in _readable(d.enterprise)
    note = Notification.objects.get(unit=d.town_a_unit)
    assert TITLE in note.title and note.url == reverse("assessment:bulletin_detail", args=[b.pk])
    assert Notification.objects.filter(unit=d.dept_unit).count() == 1
    assert not Notification.objects.filter(unit=d.town_b_unit).exists()
    with pytest.raises(ValidationError):
        services.update_bulletin(b, actor=d.district, next_steps="改")


def test_drafts_are_the_districts_alone(d):
    scored_run(d)
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    assert b not in _readable(d.town_a)


# --------------------------------------------------------------------------- pages


def test_pages_draft_edit_escape_issue_and_download(d, client, settings):
    settings.JOB_RUNNER = "sync"  # the jobs run at once: the POSTs land on the bulletin
    scored_run(d)
    client.force_login(d.district)
    response = client.post(reverse("assessment:bulletin_add"), {"year": 2026, "quarter": 2})
    b = Bulletin.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{b.pk}/")
    edit = reverse("assessment:bulletin_edit", args=[b.pk])
    data = {
        "title": b.title,
        "addressees": b.addressees,
        "overview": b.overview,
        "units_text": b.units_text,
        "problems": b.problems,
        "next_steps": "<script>alert(1)</script>年底前完成补训",
        "signer": b.signer,
        "doc_code": "测试安委办〔2026〕01号",
    }
    response = client.post(edit, data)
    assert response.status_code == 200 and "不编虚位" in response.content.decode()
    response = client.post(edit, {**data, "doc_code": ""})
    assert response.status_code == 302
    page = client.get(reverse("assessment:bulletin_detail", args=[b.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;年底前完成补训" in page
    assert "<script>alert(1)" not in page
    assert client.get(reverse("assessment:bulletin_list")).status_code == 200
    # Issue from the page: the suggested number is this year's next.
    issue_url = reverse("assessment:bulletin_issue", args=[b.pk])
    assert "测试安委办〔" in client.get(issue_url).content.decode()
    year = timezone.localdate().year
    response = client.post(issue_url, {"doc_code": f"测试安委办〔{year}〕5号"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == Bulletin.Status.ISSUED and b.doc_number == 5

    client.force_login(d.town_a)
    assert TITLE in client.get(reverse("assessment:bulletin_list")).content.decode()
    assert client.get(reverse("assessment:bulletin_detail", args=[b.pk])).status_code == 200
    download = client.get(reverse("assessment:bulletin_docx", args=[b.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    text = [p.text for p in Document(io.BytesIO(download.content)).paragraphs]
    assert "<script>alert(1)</script>年底前完成补训" in text  # literal text, inert in Word
    pdf = client.get(reverse("assessment:bulletin_pdf", args=[b.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(edit).status_code == 404
    assert client.get(reverse("assessment:bulletin_add")).status_code == 403

    client.force_login(d.town_b)
    assert client.get(reverse("assessment:bulletin_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("assessment:bulletin_docx", args=[b.pk])).status_code == 404
    assert TITLE not in client.get(reverse("assessment:bulletin_list")).content.decode()


def test_issuing_is_a_job_whose_page_shows_progress_then_forwards(d, client):
    from xuanpei.core.jobs import run_job
    from xuanpei.core.models import Job

    scored_run(d)
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    client.force_login(d.district)
    issue_url = reverse("assessment:bulletin_issue", args=[b.pk])
    # A broken number is refused on the form at once; no job is started.
    response = client.post(issue_url, {"doc_code": "测试安委办2026第5号"})
    assert response.status_code == 200 and "六角括号" in response.content.decode()
    assert not Job.objects.exists()
    year = timezone.localdate().year
    response = client.post(issue_url, {"doc_code": f"测试安委办〔{year}〕7号"})
    job = Job.objects.get(kind=services.ISSUE_JOB)
    assert response.url == reverse("core:job_detail", args=[job.pk])  # the thread runner
    page = client.get(response.url).content.decode()
    assert "正在印发通报…" in page and "hx-trigger" in page
    b.refresh_from_db()
    assert b.status == Bulletin.Status.DRAFT  # nothing issued before the job runs
    run_job(job.pk)  # what the worker thread does after the request's commit
    poll = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    detail = reverse("assessment:bulletin_detail", args=[b.pk])
    assert poll["HX-Redirect"] == detail
    assert f"测试安委办〔{year}〕7号" in poll.content.decode()
    b.refresh_from_db()
    assert b.status == Bulletin.Status.ISSUED and b.doc_number == 7
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (services.ISSUE_STEPS,) * 2


def test_an_issue_job_refused_under_the_lock_says_why(d):
    """The draft edited after the job was queued: the job fails with the reason."""
    from xuanpei.core.jobs import run_job
    from xuanpei.core.models import Job

    scored_run(d)
    b = issue(services.draft_bulletin(year=2026, quarter=2, actor=d.district), d.district)
    job = Job.objects.create(
        kind=services.ISSUE_JOB, user=d.district, params={"bulletin": b.pk, "doc_code": ""}
    )
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "该通报已印发"


def test_a_draft_edited_while_its_files_render_is_not_issued_stale(d, monkeypatch):
    from xuanpei.assessment import bulletin_pdf

    scored_run(d)
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    render = bulletin_pdf.render

    def render_while_someone_edits(bulletin, **kwargs):
        Bulletin.objects.filter(pk=b.pk).update(next_steps="另一位同事改过的要求")
        return render(bulletin, **kwargs)

    monkeypatch.setattr(bulletin_pdf, "render", render_while_someone_edits)
    with pytest.raises(ValidationError) as exc:
        issue(b, d.district)
    assert "通报草稿在印发期间被修改" in str(exc.value)
    b.refresh_from_db()
    assert b.status == Bulletin.Status.DRAFT and not b.docx and not b.recipients.exists()


# --------------------------------------------------------------------------- command


def test_command_writes_a_draft_then_the_issued_files(d, tmp_path):
    scored_run(d)
    out, pdf = tmp_path / "b.docx", tmp_path / "b.pdf"
    stdout = io.StringIO()
    call_command("bulletin", "2026Q2", "--out", str(out), "--pdf", str(pdf), stdout=stdout)
    assert "草稿" in stdout.getvalue()
    assert TITLE in [p.text for p in Document(str(out)).paragraphs]
    assert pdf.read_bytes().startswith(b"%PDF")
    b = issue(Bulletin.objects.get(), d.district)
    call_command(
        "bulletin", "2026Q2", "--out", str(out), "--user", d.town_a.username, stdout=stdout
    )
    with b.docx.open("rb") as fh:
        assert out.read_bytes() == fh.read()
    with pytest.raises(CommandError, match="只有区安委办可以生成草稿"):
        call_command("bulletin", "2026Q1", "--out", str(out), "--user", d.town_b.username)


def test_command_refuses_a_malformed_quarter(d, tmp_path):
    with pytest.raises(CommandError, match="2026Q2"):
        call_command("bulletin", "2026-2", "--out", str(tmp_path / "x.docx"))


def test_api_lists_what_the_pages_show(d, client):
    scored_run(d)
    b = issue(services.draft_bulletin(year=2026, quarter=2, actor=d.district), d.district)
    url = reverse("api:assessment-bulletin-list")
    client.force_login(d.town_a)
    got = client.get(url, {"year": 2026}).json()
    rows = got["results"] if isinstance(got, dict) else got
    assert [r["doc_code"] for r in rows] == ["测试安委办〔2026〕3号"]
    client.force_login(d.town_b)
    assert client.get(reverse("api:assessment-bulletin-detail", args=[b.pk])).status_code == 404


def test_a_quarter_without_a_run_is_scored_first(d):
    """The draft of an unscored quarter computes the run (services_scoring) and writes
    its table and problems from the computed rows."""
    b = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    assert b.run is not None and b.run.scores.exists()
    named = set(b.run.scores.values_list("unit__name", flat=True))
    assert {"东新城", "西新城"} <= named
    # Nothing was recorded in the quarter: the new towns lose points and are named.
    assert "东新城" in b.problems and "西新城" in b.problems
    # Bonuses are no problem; deductions are named only when points were taken; a
    # manual indicator nobody entered is the district's gap, not the unit's.
    assert "加分" not in b.problems and "扣分" not in b.problems
    assert "无录入" not in b.problems


# --------------------------------------------------------------------------- parser

PREFIXES = st.text(
    alphabet=st.characters(whitelist_categories=("Lo", "Lu", "Ll", "Nd")), min_size=1, max_size=8
)


@given(prefix=PREFIXES, year=st.integers(1000, 9999), number=st.integers(1, 10**6))
def test_doc_code_round_trips(prefix, year, number):
    code = f"{prefix}〔{year}〕{number}号"
    assert services.parse_doc_code(code) == (prefix, year, number)


@given(prefix=PREFIXES, year=st.integers(1000, 9999), number=st.integers(0, 999))
def test_doc_code_with_a_leading_zero_is_refused(prefix, year, number):
    with pytest.raises(ValidationError, match="发文字号"):
        services.parse_doc_code(f"{prefix}〔{year}〕0{number}号")
