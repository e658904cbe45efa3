"""Every list, add, import, export and dashboard page is reachable by clicking (issue #8 §3).

The pages are found by walking the URL resolver: every route without an object
in its URL whose name ends like a list, an add/import/export page or a dashboard
(so a new module's list page is covered without editing this file). Each persona
(district, new town, 镇街, department, enterprise, read-only viewer) then:

- opens each such page directly: a 200 means the persona may use it;
- clicks its way from the home page through menus and pages a few levels deep
  (tests/crawl.py), never typing a URL;

and every page it may use must have been linked from some page it reached.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.crawl import crawl
from tests.world import build_world

pytestmark = pytest.mark.django_db

# A page a person looks for in a menu: lists, queues, dashboards, add/import/export pages.
DISCOVERABLE = re.compile(
    r"(_list|_add|_import|_import_template|_export|_dashboard|_due|_queue|_check|inbox)$"
)
NOT_PAGES = ("admin:", "api:", "api-")


def discoverable_names() -> list[str]:
    """Namespaced names of every route without URL arguments that a person should find."""
    names = []

    def walk(patterns, namespaces=()):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = (*namespaces, p.namespace) if p.namespace else namespaces
                if not p.pattern.converters and not getattr(p.pattern, "regex", None).groupindex:
                    walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                if p.pattern.regex.groupindex:
                    continue
                name = ":".join((*namespaces, p.name))
                if DISCOVERABLE.search(p.name) and not name.startswith(NOT_PAGES):
                    names.append(name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


def test_the_resolver_walk_finds_the_pages_a_person_looks_for():
    names = discoverable_names()
    for expected in (
        "orgs:enterprise_list",
        "orgs:enterprise_import",
        "workforce:person_list",
        "workforce:roster_import",
        "workforce:roster_export",
        "workforce:integrityflag_list",
        "workforce:compliance_dashboard",
        "plans:plan_list",
        "plans:inbox",
        "public_check",
    ):
        assert expected in names


@pytest.fixture
def world(district):
    return build_world(district)


PERSONAS = ["district", "new_town", "street", "department", "enterprise", "viewer"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_persona_may_use_is_linked_from_a_page_it_can_reach(world, persona):
    from django.urls import reverse

    client = Client()
    client.force_login(world.personas()[persona])
    usable = {name for name in discoverable_names() if client.get(reverse(name)).status_code == 200}
    assert usable, "the persona may use no page at all: the test would prove nothing"
    reached = crawl(client, depth=3).linked_names
    unreachable = sorted(usable - reached)
    assert not unreachable, f"{persona} may open but cannot find by clicking: {unreachable}"


def test_the_public_certificate_check_is_linked_from_the_login_page(client):
    from django.urls import reverse

    body = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("public_check")}"' in body


def test_the_enterprise_home_page_links_the_roster_import_directly(world):
    from django.urls import reverse

    client = Client()
    client.force_login(world.district.enterprise)
    body = client.get(reverse("core:home")).content.decode()
    shortcuts = body[body.index('id="home-shortcuts"') :]
    assert f'href="{reverse("workforce:roster_import")}"' in shortcuts
    assert reverse("orgs:unit_list") not in body
