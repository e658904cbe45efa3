"""No spreadsheet the platform writes runs what someone typed as a formula (issue #9 item 10).

Text typed by one user (an enterprise's name, a plan's title, a person's name) ends up
in files another user opens in Excel. Every xlsx writer goes through
`core.exports.safe_row`: text starting with = + - @ gets a leading '. These tests
feed such strings into every registered exporter and every `*_export` page, open the
file with openpyxl and assert that no cell is a formula and each text survives.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.test_scope_meta import ALL_ROUTES
from xuanpei.audit.factories import ImportBatchRowFactory
from xuanpei.audit.models import ImportBatchRow
from xuanpei.core.imports.registry import exporter_names, get_exporter
from xuanpei.orgs.models import Enterprise
from xuanpei.plans.choices import PlanKind, TaskKind
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.plans.models import Plan
from xuanpei.publicity.factories_media import MediaPostFactory
from xuanpei.publicity.models_ledger import Activity
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory

# One string per formula prefix, each unique so the test can find it again.
PLAN_TITLE = '=HYPERLINK("http://evil.example/","点击")&"2026年'
HOSTILE = {
    "enterprise": "=1+1东城甲企业",
    "address": "+86 东城路1号",
    "legal": "-法人",
    "person": "@SUM(A1)张三",
    "task": '=HYPERLINK("http://evil.example/","任务")',
    "training": "@培训班",
    "media": '=HYPERLINK("http://evil.example/","推文")',
    "account": "+平安东城",
    "activity": "-东城宣讲活动",
    "place": "@东城广场",
}


@pytest.fixture
def hostile(district):
    """Objects of 东新城 whose typed texts start with = + - @ (written as stored, no form)."""
    d = district
    Enterprise.objects.filter(pk=d.ent_a1.pk).update(
        name=HOSTILE["enterprise"],
        address=HOSTILE["address"],
        legal_representative=HOSTILE["legal"],
    )
    person = PersonFactory(name=HOSTILE["person"])
    PostFactory(person=person, enterprise=d.ent_a1)
    today = timezone.localdate()
    CertificateFactory(
        holder=person, enterprise=d.ent_a1, issue_date=today - timedelta(days=3 * 365 - 20)
    )
    district_plan = PlanFactory(unit=d.root, year=2026)
    plan = PlanFactory(
        unit=d.town_a_unit, kind=PlanKind.UNIT, parent=district_plan, year=2026, title=PLAN_TITLE
    )
    TaskFactory(plan=plan, title=HOSTILE["task"], kind=TaskKind.PUBLICITY)
    TaskFactory(plan=plan, title=HOSTILE["training"], kind=TaskKind.TRAINING)
    MediaPostFactory(
        unit=d.town_a_unit, title=HOSTILE["media"], account=HOSTILE["account"], published_on=today
    )
    Activity.objects.create(
        unit=d.town_a_unit, title=HOSTILE["activity"], place=HOSTILE["place"], held_on=today
    )
    from xuanpei.training.factories import TrainingSessionFactory

    TrainingSessionFactory(unit=d.town_a_unit, title=HOSTILE["training"], teacher=HOSTILE["legal"])
    from xuanpei.training.factories import UnitPostFactory

    UnitPostFactory(person=person, unit=d.village_a, title=HOSTILE["account"])
    UnitPostFactory(person=person, unit=d.street_a, role="cadre", title=HOSTILE["legal"])
    # An import batch whose change table names the hostile enterprise, old → new.
    enterprise = Enterprise.objects.get(pk=d.ent_a1.pk)
    plan.batch = ImportBatchRowFactory(
        batch__unit=d.root,
        obj=enterprise,
        action=ImportBatchRow.Action.UPDATED,
        changes={"企业名称": ["旧名称", HOSTILE["enterprise"]]},
    ).batch
    return plan


def cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_no_formula(data: bytes, expected: list[str]) -> None:
    found = list(cells(data))
    formulas = [(c.coordinate, c.value) for c in found if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for c in found if isinstance(c.value, str)]
    for text in expected:
        # The text survives whole, behind one quote (anywhere in a cell: a title row
        # may add words after it).
        assert any(("'" + text) in t and t.startswith("'") for t in texts), (text, texts)


def expected_for(name: str) -> list[str]:
    return {
        "enterprises": [HOSTILE["enterprise"], HOSTILE["address"], HOSTILE["legal"]],
        "roster": [HOSTILE["person"], HOSTILE["enterprise"]],
        "plan_publicity": [PLAN_TITLE, HOSTILE["task"]],
        "plan_training": [PLAN_TITLE, HOSTILE["training"]],
        "media-posts": [HOSTILE["media"], HOSTILE["account"]],
        "activities": [HOSTILE["activity"], HOSTILE["place"]],
        "grid-officers": [HOSTILE["person"], HOSTILE["account"]],
        "cadres": [HOSTILE["person"], HOSTILE["legal"]],
    }[name]


@pytest.mark.parametrize("name", exporter_names())
def test_every_registered_exporter_writes_typed_formulas_as_quoted_text(name, hostile, district):
    exporter = get_exporter(name)
    options = {"plan": hostile.pk} if "plan" in getattr(exporter, "options_supported", ()) else {}
    instance = exporter(user=district.district, **({"options": options} if options else {}))
    buffer = io.BytesIO()
    instance.write(instance.queryset(), buffer)
    assert_no_formula(buffer.getvalue(), expected_for(name))


EXPORT_ROUTES = [r for r in ALL_ROUTES if r.name and r.name.endswith("_export")]
EXPECTED_BY_ROUTE = {
    "orgs:enterprise_export": [HOSTILE["enterprise"], HOSTILE["address"]],
    "workforce:roster_export": [HOSTILE["person"]],
    "workforce:certificates_due_export": [HOSTILE["person"], HOSTILE["enterprise"]],
    "plans:task_export": [PLAN_TITLE, HOSTILE["task"]],
    # Counts and names of groups only (campaigns, units, dictionaries): nothing typed here.
    "publicity:rollup_export": [],
    "publicity:media_export": [HOSTILE["media"], HOSTILE["account"]],
    "publicity:activity_export": [HOSTILE["activity"], HOSTILE["place"]],
    # Counts and unit names only.
    "publicity:media_tally_export": [],
    "audit:importbatch_changes_export": [HOSTILE["enterprise"]],
    "training:session_export": [HOSTILE["training"], HOSTILE["legal"]],
    "training:grid_officer_export": [HOSTILE["person"], HOSTILE["account"]],
    "training:cadre_export": [HOSTILE["person"], HOSTILE["legal"]],
    # The people below their yearly minimum, with their enterprise.
    "training:shortfall_export": [HOSTILE["person"], HOSTILE["enterprise"]],
    # Counts and names of groups (kinds, units, sectors, quarters, the district's 附件2).
    "training:stats_export": [],
}


def test_every_export_page_is_covered_here():
    assert sorted(r.name for r in EXPORT_ROUTES) == sorted(EXPECTED_BY_ROUTE)


@pytest.mark.parametrize("route", EXPORT_ROUTES, ids=lambda r: r.name)
def test_every_export_page_writes_typed_formulas_as_quoted_text(route, hostile, district, client):
    client.force_login(district.district)
    pk = hostile.batch.pk if route.name.startswith("audit:") else hostile.pk
    kwargs = {k: pk for k in route.kwargs}
    url = reverse(route.name, kwargs=kwargs)
    query = "?table=publicity" if route.name == "plans:task_export" else ""
    response = client.get(url + query)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert_no_formula(data, EXPECTED_BY_ROUTE[route.name])


def test_the_unit_plan_title_of_the_issue_is_text_in_the_task_list(hostile, district, client):
    """The probe's case: /plans/<id>/tasks/export/ of a unit plan titled =HYPERLINK(…)."""
    client.force_login(district.town_a)
    response = client.get(reverse("plans:task_export", kwargs={"pk": hostile.pk}))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    title = workbook.active["A1"]
    assert title.data_type == "s"
    assert title.value.startswith("'" + PLAN_TITLE)
    assert Plan.objects.get(pk=hostile.pk).title == PLAN_TITLE  # stored as typed
