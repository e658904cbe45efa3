"""What a role is offered, it can do; what it cannot do, it is not offered (issue #8 §4).

The generic walk: each persona (district, new town, 镇街, department, enterprise,
read-only viewer) clicks through its menus and pages from the home page
(tests/crawl.py). Every link it is offered must open (2xx/3xx) without a refusal
message, and every form or htmx POST it is offered must be a form for that role:
submitted empty (in a transaction rolled back afterwards) it answers with the form
and its errors or a redirect, never 403/404/405/500 or "no permission".

Then the cases the issue names, which a walk cannot judge alone: the plan form's
choices per level, the enterprise and 新建计划, the revoke/cancel buttons of a
certificate issued by another authority.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.crawl import crawl, url_name
from tests.world import build_world
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.plans.models import Plan

pytestmark = pytest.mark.django_db

PERSONAS = ["district", "new_town", "street", "department", "enterprise", "viewer"]
REFUSALS = ("您没有执行此操作的权限", "您没有权限", "您的角色不能", "没有可以查看的")
# Posting these would end the walk, not test an action.
NOT_SUBMITTED = {"accounts:logout"}


@pytest.fixture
def world(district):
    return build_world(district)


def html_of(response) -> str:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode(errors="replace")


def refusal_in(text: str) -> str | None:
    return next((r for r in REFUSALS if r in text), None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_action_offered_to_a_persona_succeeds_or_is_a_form_for_it(world, persona):
    client = Client(raise_request_exception=False)
    client.force_login(world.personas()[persona])
    walk = crawl(client, depth=3, per_name=2)
    problems = []
    for url, status in walk.fetched.items():
        if status >= 400:
            problems.append(f"GET {url} → {status}")
        elif refusal_in(walk.bodies.get(url, "")):
            problems.append(f"GET {url} shows “{refusal_in(walk.bodies[url])}”")
    # Links offered on the last level (or past the per-name sample): one of each kind.
    fetched_names = {url_name(u.split("?")[0]) for u in walk.fetched}
    extra = {}
    for o in walk.offers:
        if o.method == "get" and o.name and o.name not in fetched_names:
            extra.setdefault(o.name, o.url)
    for url in extra.values():
        response = client.get(url)
        text = html_of(response)
        if response.status_code >= 400:
            problems.append(f"GET {url} → {response.status_code}")
        elif refusal_in(text):
            problems.append(f"GET {url} shows “{refusal_in(text)}”")
    posts = {(o.url, o.name) for o in walk.offers if o.method == "post"}
    assert walk.fetched and len(walk.fetched) > 5, "the walk reached nothing"
    for url, name in sorted(posts, key=lambda p: p[0]):
        if name in NOT_SUBMITTED:
            continue
        if name is None:
            problems.append(f"POST {url} (offered) resolves to no page")
            continue
        with transaction.atomic():
            response = client.post(url, {})
            notes = [str(m) for m in get_messages(response.wsgi_request)]
            transaction.set_rollback(True)
        text = html_of(response) + " ".join(notes)
        if response.status_code >= 400:
            problems.append(f"POST {url} → {response.status_code}")
        elif refusal_in(text):
            problems.append(f"POST {url} answers “{refusal_in(text)}”")
    assert not problems, f"{persona}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- named cases


def offered_links(client, url_name_, *args) -> set[str]:
    body = client.get(reverse(url_name_, args=args)).content.decode()
    return set(re.findall(r'href="([^"#?]+)', body))


def test_a_street_admin_is_not_offered_revoke_or_cancel_on_the_citys_certificate(world):
    cert = world.certificate  # issued by 测试市应急管理局, held in 甲街道's enterprise
    client = Client()
    client.force_login(world.street)
    links = offered_links(client, "workforce:certificate_detail", cert.pk)
    for name in ("workforce:certificate_revoke", "workforce:certificate_cancel"):
        url = reverse(name, args=[cert.pk])
        assert url not in links
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "越权", "on": "2026-01-01"}).status_code == 403
    cert.refresh_from_db()
    assert cert.state == "active" and cert.is_current
    # Review stays with the admins of its territory.
    assert reverse("workforce:certificate_review", args=[cert.pk]) in links or (
        cert.review_due_date is None
    )


def test_the_issuing_authority_and_the_district_are_offered_revoke(world):
    cert = world.certificate
    revoke = reverse("workforce:certificate_revoke", args=[cert.pk])
    issuer = UserFactory(unit=world.district.street_a, role=Role.UNIT_ADMIN)
    type(cert).objects.filter(pk=cert.pk).update(issuing_authority="甲街道")
    for user in (world.district.district, issuer):
        client = Client()
        client.force_login(user)
        assert revoke in offered_links(client, "workforce:certificate_detail", cert.pk)
        assert client.get(revoke).status_code == 200


def test_an_enterprise_account_is_not_offered_plans_and_is_refused_the_plan_form(world):
    client = Client()
    client.force_login(world.district.enterprise)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("plans:plan_list") not in home and reverse("plans:plan_add") not in home
    assert client.get(reverse("plans:plan_add")).status_code == 403
    response = client.post(reverse("plans:plan_add"), {"kind": "unit", "year": 2026, "title": "x"})
    assert response.status_code == 403
    assert not Plan.objects.filter(title="x").exists()


@pytest.mark.parametrize(
    ("persona", "kinds"),
    [
        ("district", ["district"]),
        ("new_town", ["unit"]),
        ("street", ["unit"]),
        ("department", ["unit"]),
    ],
)
def test_the_plan_form_offers_only_the_kind_of_plan_the_level_may_write(world, persona, kinds):
    client = Client()
    client.force_login(world.personas()[persona])
    form = client.get(reverse("plans:plan_add")).context["form"]
    assert [value for value, _label in form.fields["kind"].choices if value] == kinds
    assert form["kind"].value() == kinds[0]


def test_a_viewer_is_offered_no_new_plan_and_is_refused_the_form(world):
    client = Client()
    client.force_login(world.district.town_a_viewer)
    assert reverse("plans:plan_add") not in offered_links(client, "plans:plan_list")
    assert client.get(reverse("plans:plan_add")).status_code == 403


def test_the_district_is_not_asked_for_a_parent_plan_and_a_unit_is(world):
    client = Client()
    client.force_login(world.district.district)
    assert client.get(reverse("plans:plan_add")).context["form"]["parent"].is_hidden
    client.force_login(world.street)
    form = client.get(reverse("plans:plan_add")).context["form"]
    assert not form["parent"].is_hidden
    assert form.fields["parent"].empty_label == "请选择本单位计划对应的区级计划"


def test_only_reviewers_are_offered_the_review_queue(world):
    queue = reverse("plans:report_queue")
    client = Client()
    client.force_login(world.district.district)
    assert queue in offered_links(client, "core:home")
    for user in (world.district.town_a_viewer, world.district.enterprise):
        client.force_login(user)
        assert queue not in offered_links(client, "core:home")
        assert client.get(queue).status_code == 403
