"""The generic scope test (issue #2 §6, strengthened in issue #9 §15): no route leaks a foreign row.

Every URL pattern and API route is discovered by walking the URL resolver, so a
route added later is covered without editing this file. The world (tests/personas.py
plus every foreign object of tests/scope_registry.py) is built once per module.
Foreign objects are of three kinds: 东新城's (outsiders: 西新城, the department and
the enterprise, each as 填报员 and as 单位管理员), a supervised enterprise's in 西新城
(the department owns them: the supervision branch of the scope filter; 东新城 and its
enterprise are outsiders), and a district plan still in draft (only the district sees
it: the `shared_q()` guard). For each route:

- with an object kwarg (`pk`, `<int:…>`): each outsider GETs and POSTs it (API: GET,
  PUT, PATCH, DELETE and the route's own methods) → 404 (403 only when the role lacks
  the action altogether, 405 when the view has no such method); the body never shows
  the object's marker; the row is unchanged. Each owner GETs it → 200/302 (or what
  OWNER_GET says, with its reason); details and files show the marker;
- without one (lists, exports, autocompletes, dashboards, API lists): each outsider
  GETs it plainly, widened (?days=3650&scope=subtree), searching for each marker of
  the route's model (?q= and ?search=, as htmx too) and with every declared filter that
  names a row (FilterSet or filterset_fields, e.g. ?enterprise=, ?unit=, ?plan=) set to
  a foreign row's id → never a 500, never a marker; xlsx/csv bodies are decoded. A
  route that takes POST is posted to and must change no foreign row. Each owner must
  see the marker (unless OWNER_NO_MARKER says why not: forms, templates). Later pages
  are read too (?page=2 at the smallest page size, and the last page a paginator announces).

Dashboards (`*_dashboard`, `core:home`, 持证率) are rendered by each outsider before and
after 东新城 gets more enterprises, people, certificates and snapshots: the outsiders'
numbers (every number in the template context) stay the same, the owner's change.
Add-forms and API creates with a field over orgs.Unit/orgs.Enterprise are posted by each
outsider with 东新城's street/enterprise in that field: refused (form error, 400/403/404),
no row created; the district's identical POST does create one (ADD_FORM_DATA fills the rest).

A route whose model is unknown and which has no written exemption fails with a
message saying what to add to tests/scope_registry.py.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
from dataclasses import dataclass, field
from datetime import date

import openpyxl
import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import scope_registry as registry
from xuanpei.core.api import METHOD_ACTIONS
from xuanpei.core.permissions import has_action

# --------------------------------------------------------------------------- discovery


@dataclass
class Route:
    name: str | None  # namespaced URL name, e.g. "orgs:enterprise_detail"
    route: str  # the pattern string, prefixes included
    kwargs: tuple[str, ...]
    view_class: type | None
    actions: dict[str, str] | None  # DRF viewset method → action
    initkwargs: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.name or self.route

    @property
    def is_api(self) -> bool:
        return self.actions is not None or _is_drf_view(self.view_class)


def _is_drf_view(view_class) -> bool:
    from rest_framework.views import APIView

    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _walk(patterns, prefix="", namespaces=(), kwargs=()):
    for p in patterns:
        names = tuple(kwargs) + tuple(_kwarg_names(p.pattern))
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns, names)
        elif isinstance(p, URLPattern):
            cb = p.callback
            yield Route(
                name=":".join((*namespaces, p.name)) if p.name else None,
                route=prefix + str(p.pattern),
                kwargs=names,
                view_class=getattr(cb, "view_class", None) or getattr(cb, "cls", None),
                actions=getattr(cb, "actions", None),
                initkwargs=dict(
                    getattr(cb, "initkwargs", None) or getattr(cb, "view_initkwargs", None) or {}
                ),
            )


def discover_routes() -> list[Route]:
    """Every route of the project once; DRF's `.json`-style format-suffix twins are dropped."""
    seen: set[str] = set()
    routes = []
    for r in _walk(get_resolver().url_patterns):
        if "format" in r.kwargs:
            continue
        if r.id in seen:  # e.g. one view mounted twice under one name: first wins, like reverse()
            continue
        seen.add(r.id)
        routes.append(r)
    return routes


def _meta_model(cls):
    meta = getattr(cls, "Meta", None) or getattr(cls, "_meta", None)
    return getattr(meta, "model", None)


def model_of(route: Route):
    """The model a route serves, from the registry override or the view's attributes."""
    label = registry.ROUTE_MODELS.get(route.id)
    if label:
        return apps.get_model(label)
    vc = route.view_class
    if vc is None:
        return None
    model = route.initkwargs.get("model") or getattr(vc, "model", None)
    if model is not None:
        return model
    qs = route.initkwargs.get("queryset") or getattr(vc, "queryset", None)
    if qs is not None and hasattr(qs, "model"):
        return qs.model
    for attr in ("serializer_class", "form_class", "filterset_class"):
        model = _meta_model(getattr(vc, attr, None))
        if model is not None:
            return model
    return None


def exemption(route: Route) -> str | None:
    for pattern, reason in registry.EXEMPT_ROUTES.items():
        if route.name and fnmatch.fnmatchcase(route.name, pattern):
            return reason
        if fnmatch.fnmatchcase(route.route.lstrip("^"), pattern):
            return reason
    return None


ALL_ROUTES = discover_routes()
# Exempt routes are not parametrized (they would show as skips); they are checked
# together by test_exempt_routes_show_no_domain_data below.
ROUTES = [r for r in ALL_ROUTES if not exemption(r)]
EXEMPT = [r for r in ALL_ROUTES if exemption(r)]
OBJECT_KWARGS = ("pk", "id")


def object_kwarg(route: Route) -> str | None:
    for name in route.kwargs:
        if name in OBJECT_KWARGS or name.endswith("_pk") or name.endswith("_id"):
            return name
    return None


# --------------------------------------------------------------------------- helpers


def body_text(response) -> str:
    """The response body as text a person would read: xlsx cells, csv in UTF-8 or GBK, JSON."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype or "ms-excel" in ctype or content[:4] == b"PK\x03\x04":
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        cells = [
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        ]
        return "\n".join(c for c in cells if c != "None")
    if "csv" in ctype:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                return "\n".join(",".join(r) for r in csv.reader(io.StringIO(text)))
            except UnicodeDecodeError:
                continue
    text = content.decode(response.charset or "utf-8", errors="replace")
    if "json" in ctype:
        try:  # JSON may escape non-ASCII characters; read it back
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def call(client, method: str, url: str, route: Route, **extra):
    """One request; an exception in the view is reported as the 500 it would be."""
    kwargs = dict(extra)
    if route.is_api and method in ("post", "put", "patch"):
        kwargs.setdefault("data", "{}")
        kwargs.setdefault("content_type", "application/json")
    try:
        return getattr(client, method)(url, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the test reports any view crash as a failure
        pytest.fail(f"{method.upper()} {url} raised {type(exc).__name__}: {exc} (a 500)")


def row_state(obj):
    model = type(obj)
    row = list(model._default_manager.filter(pk=obj.pk).values())
    m2m = {
        f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True))
        for f in model._meta.many_to_many
    }
    return row, m2m


def allowed_methods(route: Route) -> set[str]:
    vc = route.view_class
    if route.actions is not None:
        methods = set(route.actions)
    else:
        methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(vc, m)}
    return methods & set(getattr(vc, "http_method_names", methods))


def scope_action(route: Route, method: str) -> str:
    if route.is_api:
        return route.initkwargs.get("action_scope") or METHOD_ACTIONS[method.upper()]
    return getattr(route.view_class, "action", None) or ("view" if method == "get" else "change")


MISSING_PK = 987654321


def refuses_role(client, method: str, missing_url: str, route: Route) -> bool:
    """A 403 that does not depend on the object: the view refuses a pk that does not exist too.

    Such a view turns the persona's role away before looking anything up (e.g. a
    填报员 on the user-management pages), so its 403 tells nothing about the object.
    """
    return call(client, method, missing_url, route).status_code == 403


def search_term(marker: str) -> str:
    """What to type into a search box to find `marker` without the page echoing it whole.

    Pages echo the search term (the search box, pagination links); searching for
    the marker minus its last character still finds the row (names match by
    substring, codes by prefix), and only the row itself shows the whole marker.
    """
    return marker[:-1] if len(marker) > 2 else marker


def marker_hits(text: str, foreigns) -> list[str]:
    return [m for f in foreigns for m in f.markers if m and m in text]


def with_query(url: str, **params) -> str:
    from urllib.parse import urlencode

    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def build_foreigns(district) -> dict[str, registry.Foreign]:
    return {label: make(district) for label, make in registry.FOREIGN_OBJECTS.items()}


@dataclass
class World:
    district: object
    primary: dict  # label → the foreign object of 东新城 (FOREIGN_OBJECTS)
    all: list  # every foreign object, each with its label, owners and outsiders

    def of(self, label):
        return [f for f in self.all if f.label == label]

    def against(self, persona_name):
        """The foreign objects `persona_name` must never see."""
        return [f for f in self.all if persona_name in f.outsiders]


def build_world(district) -> World:
    from tests.personas import add_admin_personas

    add_admin_personas(district)
    primary = build_foreigns(district)
    registry.build_more(district)
    everything = []
    for label, foreign in primary.items():
        foreign.label = label
        everything.append(foreign)
    for label, makers in registry.MORE_FOREIGN_OBJECTS.items():
        for make in makers:
            foreign = make(district)
            foreign.label = label
            everything.append(foreign)
    return World(district, primary, everything)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The district and every foreign object, built once for the whole module.

    Built inside a transaction that is rolled back at the end; each test runs in
    its own savepoint inside it (pytest-django's `db`), so what a test writes is
    undone and the world stays as built. Files go to one module-wide MEDIA_ROOT.
    """
    from django.db import transaction
    from django.test import override_settings

    from tests.personas import build_district

    media = tmp_path_factory.mktemp("scope-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(build_district()), media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def district(world, db, settings, _fast_hashing):
    """The module's district (overrides the root fixture: built once, not per test)."""
    settings.MEDIA_ROOT = world[1]
    return world[0].district


@pytest.fixture
def foreign_world(world, district):
    return world[0]


# --------------------------------------------------------------------------- the checks


OWNER_OK = {200, 302}


def owner_status_ok(route, owner, model, method, status) -> bool:
    if status in OWNER_OK or status in registry.OWNER_GET.get(route.id, ((),))[0]:
        return True
    # A role without the action (the viewer on an edit page): refused before any lookup.
    return status == 403 and not has_action(owner, model, scope_action(route, method))


def check_object_route(route, model, foreign, district, client):
    kwarg = object_kwarg(route)
    url = reverse(route.name, kwargs={kwarg: foreign.obj.pk})
    methods = ["get", "put", "patch", "delete", "post"] if route.is_api else ["get", "post"]
    methods += sorted(allowed_methods(route) - set(methods))
    missing = reverse(route.name, kwargs={kwarg: MISSING_PK})
    before = row_state(foreign.obj)
    problems = []
    for persona_name in foreign.outsiders:
        persona = getattr(district, persona_name)
        client.force_login(persona)
        for method in methods:
            response = call(client, method, url, route)
            status = response.status_code
            ok = {404}
            if not has_action(persona, model, scope_action(route, method)) or refuses_role(
                client, method, missing, route
            ):
                ok.add(403)
            if method not in allowed_methods(route):
                ok.add(405)
            if status not in ok:
                problems.append(
                    f"{persona_name} {method.upper()} {url} → {status}, want {sorted(ok)}"
                )
            hits = marker_hits(body_text(response), [foreign])
            if hits:
                problems.append(f"{persona_name} {method.upper()} {url} shows {hits}")
            if row_state(foreign.obj) != before:
                problems.append(f"{persona_name} {method.upper()} {url} changed the foreign row")
                before = row_state(foreign.obj)
        client.logout()
    # The owner side: every route that answers GET answers it for the object's owners
    # (otherwise the outsiders' 404 proves nothing), and pages that show the object
    # (details, files) show its marker.
    if "get" in allowed_methods(route):
        shows = registry.shows_object(route.id)
        expected = registry.OWNER_GET.get(route.id)
        for persona_name in foreign.visible_to:
            owner = getattr(district, persona_name)
            client.force_login(owner)
            response = call(client, "get", url, route)
            status = response.status_code
            good = (
                status in expected[0]
                if expected
                else owner_status_ok(route, owner, model, "get", status)
            )
            if not good:
                problems.append(
                    f"owner {persona_name} GET {url} → {status} (the outsiders' 404 would be "
                    "vacuous; fix the foreign object in tests/scope_registry.py or name the "
                    "expected status in OWNER_GET)"
                )
            elif shows and status == 200 and not marker_hits(body_text(response), [foreign]):
                problems.append(
                    f"owner {persona_name} GET {url} → 200 without the marker {foreign.markers}"
                )
            client.logout()
    assert not problems, "\n".join(problems)


def declared_filters(route: Route, model) -> list[tuple[str, str]]:
    """(query parameter, model label) for each filter of the route that names a related row."""
    vc = route.view_class
    fs = getattr(vc, "filterset_class", None)
    names = {}
    if fs is not None:
        for name, f in fs.base_filters.items():
            qs = getattr(f, "queryset", None)
            names[name] = (getattr(qs, "model", None), f.field_name)
        base = fs._meta.model or model
    else:
        base = model
        for name in getattr(vc, "filterset_fields", None) or []:
            names[name] = (None, name)
    found = []
    for name, (target, path) in names.items():
        if target is None and base is not None and path:
            opts = base._meta
            try:
                for part in path.split("__"):
                    fld = opts.get_field(part)
                    if not fld.is_relation:
                        break
                    target = fld.related_model
                    opts = target._meta
            except Exception:  # noqa: BLE001 - a computed filter: not a row
                target = None
        if target is not None:
            found.append((name, target._meta.label))
    # Query names the pages read themselves (not filterset fields), e.g. ?enterprise=.
    for name, label in registry.EXTRA_FILTERS.get(route.id, ()):
        found.append((name, label))
    return found


def last_page(response) -> int | None:
    """The last page number the response's paginator (page or API) announces."""
    for ctx in response.context or []:
        paginator = ctx.get("paginator")
        if paginator is not None and hasattr(paginator, "num_pages"):
            return paginator.num_pages
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("next") and data.get("results"):
        return -(-data["count"] // len(data["results"]))  # page 1 is full when there is a next
    return None


def check_collection_route(route, model, world, district, client):
    url = reverse(route.name) if route.name else "/" + route.route.lstrip("^").rstrip("$")
    problems = []
    filters = declared_filters(route, model)
    post = "post" in allowed_methods(route)
    label = model._meta.label if model is not None else None
    personas = sorted({p for f in world.all for p in f.outsiders})
    for persona_name in personas:
        forbidden = world.against(persona_name)
        client.force_login(getattr(district, persona_name))
        requests = [(url, {}), (with_query(url, **registry.WIDE_QUERY), {})]
        # Search for the markers of the route's own model (all of them on a page without one).
        searched = [f for f in forbidden if f.label == label] if label else forbidden
        requests += [
            (with_query(url, q=search_term(m), search=search_term(m)), {"HTTP_HX_REQUEST": "true"})
            for f in searched
            for m in f.markers
        ]
        # Every filter that names a row, given a foreign row's id (widened as far as it goes).
        requests += [
            (with_query(url, **{name: f.obj.pk}, **registry.WIDE_QUERY), {})
            for name, label in filters
            for f in forbidden
            if f.label == label
        ]
        # Later pages (the smallest page size a list offers, so a second page exists sooner).
        requests.append((with_query(url, page=2, per_page=10, **registry.WIDE_QUERY), {}))
        for target, headers in requests:
            response = call(client, "get", target, route, **headers)
            if response.status_code >= 500:
                problems.append(f"{persona_name} GET {target} → {response.status_code}")
                continue
            hits = marker_hits(body_text(response), forbidden)
            if hits:
                problems.append(f"{persona_name} GET {target} shows foreign {hits}")
            last = last_page(response)
            last_url = with_query(url, page=last, per_page=10, **registry.WIDE_QUERY)
            if last and last > 2 and (last_url, {}) not in requests:
                requests.append((last_url, {}))
        if post:  # POST-only actions (read-all, token): never touch a foreign row
            before = [row_state(f.obj) for f in forbidden]
            response = call(client, "post", url, route)
            if response.status_code >= 500:
                problems.append(f"{persona_name} POST {url} → {response.status_code}")
            if [row_state(f.obj) for f in forbidden] != before:
                problems.append(f"{persona_name} POST {url} changed a foreign row")
            if marker_hits(body_text(response), forbidden):
                problems.append(f"{persona_name} POST {url} shows a foreign marker")
        client.logout()
    if label is not None and "get" in allowed_methods(route):
        shows = route.id not in registry.OWNER_NO_MARKER
        for foreign in world.of(label):
            for persona_name in foreign.visible_to:
                owner = getattr(district, persona_name)
                client.force_login(owner)
                seen, statuses = False, set()
                term = search_term(foreign.markers[0])
                for target in (url, with_query(url, q=term, search=term)):
                    response = call(client, "get", target, route)
                    statuses.add(response.status_code)
                    seen = seen or (
                        response.status_code == 200
                        and bool(marker_hits(body_text(response), [foreign]))
                    )
                    if seen or not shows:
                        break
                if not all(owner_status_ok(route, owner, model, "get", s) for s in statuses):
                    problems.append(f"owner {persona_name} GET {url} → {sorted(statuses)}")
                elif shows and not seen and statuses == {200}:
                    problems.append(
                        f"owner {persona_name} GET {url} never shows {foreign.markers} (the "
                        "test would be vacuous: make the foreign object show here, or list the "
                        "route in OWNER_NO_MARKER with the reason)"
                    )
                client.logout()
    assert not problems, "\n".join(problems)


def check_district_only_route(route, district, client):
    kwarg = object_kwarg(route)
    url = reverse(route.name, kwargs={kwarg: 1} if kwarg else None)
    problems = []
    for persona_name in ("town_a", "town_a_viewer", *registry.OUTSIDERS):
        client.force_login(getattr(district, persona_name))
        response = call(client, "get", url, route)
        if response.status_code not in (403, 404):
            problems.append(f"{persona_name} GET {url} → {response.status_code}, want 403/404")
        client.logout()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_route_never_leaks_a_foreign_object(route, district, foreign_world, client):
    model = model_of(route)
    label = model._meta.label if model is not None else None
    if label in registry.DISTRICT_ONLY_MODELS:
        check_district_only_route(route, district, client)
        return
    model_less = route.id in registry.MODEL_LESS_ROUTES
    if label is None and not model_less:
        pytest.fail(
            f"Route {route.id} ({route.route}) has no model the scope test can find. Give the view "
            "a `queryset`/`model`/`serializer_class`, name its model in ROUTE_MODELS, list it in "
            "MODEL_LESS_ROUTES (a dashboard or the user's own page), or add it to EXEMPT_ROUTES "
            "with a reason — all in tests/scope_registry.py."
        )
    known = label in registry.FOREIGN_OBJECTS or label in registry.SHARED_MODELS
    if label is not None and not known:
        pytest.fail(
            f"Route {route.id} serves {label}, which tests/scope_registry.py does not know. Add one "
            "line to FOREIGN_OBJECTS (an object of 东新城 that outsiders must not see) or, for a "
            "dictionary shared by the whole district, to SHARED_MODELS with a reason."
        )
    kwarg = object_kwarg(route)
    if kwarg:
        if label not in registry.FOREIGN_OBJECTS:
            pytest.fail(
                f"Route {route.id} takes `{kwarg}` but {label} has no foreign object in "
                "tests/scope_registry.py FOREIGN_OBJECTS."
            )
        for foreign in foreign_world.of(label):
            check_object_route(route, model, foreign, district, client)
        return
    unknown = [k for k in route.kwargs if k != kwarg]
    if unknown:
        pytest.fail(
            f"Route {route.id} takes {unknown}, which the scope test cannot fill in; name the "
            "kwarg `pk` (or `<model>_pk`) or exempt the route in tests/scope_registry.py."
        )
    check_collection_route(route, model, foreign_world, district, client)


# --------------------------------------------------------------------------- sanity checks


def test_exempt_routes_show_no_domain_data(district, foreign_world, client):
    """Exempt pages (login, API schema/docs, admin) never print a foreign object's marker."""
    assert EXEMPT, "the walker should at least find the login page and the admin"
    foreigns = foreign_world.primary
    client.force_login(district.town_b)
    for route in EXEMPT:
        if route.kwargs or route.name is None or route.name.startswith("admin:"):
            continue  # admin: test_admin_is_for_superusers_only; unnamed: static files
        url = reverse(route.name)
        response = call(client, "get", url, route)
        assert response.status_code < 500, (route.id, response.status_code)
        assert not marker_hits(body_text(response), foreigns.values()), route.id


def test_the_walker_finds_pages_and_api_routes():
    api = [r for r in ALL_ROUTES if r.is_api and r.route.startswith("api/v1/")]
    pages = [r for r in ALL_ROUTES if not r.is_api and r.view_class is not None]
    assert api, "no API route found: is the walker still descending into includes?"
    assert pages


def test_each_foreign_object_is_out_of_scope_for_outsiders_and_in_scope_for_owners(
    district, foreign_world
):
    for foreign in foreign_world.all:
        label = foreign.label
        manager = type(foreign.obj)._default_manager
        if not hasattr(manager.all(), "for_user"):
            continue  # owner-only rows (jobs) are checked through their routes
        for name in foreign.outsiders:
            assert not manager.all().in_scope(getattr(district, name), foreign.obj.pk), (
                label,
                name,
            )
        for name in foreign.visible_to:
            assert manager.all().in_scope(getattr(district, name), foreign.obj.pk), (label, name)


def test_admin_is_for_superusers_only(district, client, django_user_model):
    from django.contrib import admin

    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]
    for name in ("district", "town_a", *registry.OUTSIDERS):
        client.force_login(getattr(district, name))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 403), (name, url, response.status_code)
            if response.status_code == 302:
                assert reverse("admin:login") in response["Location"], (name, url)
        client.logout()
    root = django_user_model.objects.create_superuser("root", password="Root-Pass-2026")
    client.force_login(root)
    for url in urls:
        assert client.get(url).status_code == 200, url


# --------------------------------------------------------------------------- dashboards


def _numbers(value, path="", depth=0, out=None):
    """Every number reachable from a context value (dicts, lists, plain objects' attributes)."""
    from decimal import Decimal

    out = {} if out is None else out
    if depth > 4:
        return out
    if isinstance(value, bool) or value is None:
        return out
    if isinstance(value, int | float | Decimal):
        out[path] = value
    elif isinstance(value, dict):
        for k, v in value.items():
            _numbers(v, f"{path}.{k}", depth + 1, out)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _numbers(v, f"{path}[{i}]", depth + 1, out)
    elif hasattr(value, "__dict__") and not hasattr(value, "_meta") and not callable(value):
        for k, v in vars(value).items():
            if not k.startswith("_"):
                _numbers(v, f"{path}.{k}", depth + 1, out)
    return out


def dashboard_numbers(response) -> dict:
    numbers = {}
    for ctx in response.context or []:
        for key, value in ctx.flatten().items():
            if key in ("csrf_token", "request", "view", "perms", "messages", "user"):
                continue
            _numbers(value, key, 0, numbers)
    return numbers


DASHBOARDS = [
    r
    for r in ROUTES
    if not r.kwargs
    and r.name
    and (
        r.name.endswith("_dashboard")
        or r.name == "core:home"
        or r.name.startswith("workforce:compliance")
    )
]


def _more_foreign_rows(district) -> None:
    """More rows owned by 东新城: another enterprise, person, post and certificate in 甲街道."""
    from xuanpei.orgs.factories import EnterpriseFactory
    from xuanpei.workforce.factories import CertificateFactory, PostFactory
    from xuanpei.workforce.models import ComplianceSnapshot

    for i in range(2):
        ent = EnterpriseFactory(name=f"东城新增标记企业{i}", unit=district.street_a)
        post = PostFactory(person__name=f"东城新增标记人{i}", enterprise=ent)
        CertificateFactory(holder=post.person, enterprise=ent, issue_date=registry._due_soon())
        PostFactory(person__name=f"东城新增乙企业人{i}", enterprise=district.ent_a2)
        # Today's snapshot too: the 持证率 pages read snapshots when the day has them.
        ComplianceSnapshot.objects.create(enterprise=ent, on=date.today(), required=5, compliant=2)


@pytest.mark.parametrize("route", DASHBOARDS, ids=[r.id for r in DASHBOARDS])
def test_dashboard_counts_ignore_foreign_rows(route, district, foreign_world, client):
    """An outsider's numbers stay the same when 东新城 gets more enterprises and certificates."""
    url = reverse(route.name)
    before = {}
    for name in registry.OUTSIDERS:
        client.force_login(getattr(district, name))
        response = call(client, "get", url, route)
        assert response.status_code < 500, (name, url, response.status_code)
        before[name] = (response.status_code, dashboard_numbers(response))
        client.logout()
    client.force_login(district.town_a)
    owner_before = dashboard_numbers(call(client, "get", url, route))
    _more_foreign_rows(district)
    # The owner's numbers do change (otherwise the comparison below proves nothing).
    owner_after = dashboard_numbers(call(client, "get", url, route))
    client.logout()
    problems = []
    for name in registry.OUTSIDERS:
        client.force_login(getattr(district, name))
        response = call(client, "get", url, route)
        after = (response.status_code, dashboard_numbers(response))
        if after != before[name]:
            changed = {
                k: (before[name][1].get(k), v)
                for k, v in after[1].items()
                if before[name][1].get(k) != v
            }
            problems.append(f"{name} GET {url}: numbers changed with 东新城's rows: {changed}")
        client.logout()
    assert owner_before != owner_after, f"{url}: 东新城's own numbers did not change either"
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- add-forms


class _FormFields:
    """The fields of a page's forms as a browser would send them (first option chosen)."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.data: dict[str, str] = {}
        fields = self.data
        state = {"select": None, "textarea": None}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                name = a.get("name")
                if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
                    if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                        return
                    fields.setdefault(name, a.get("value") or "")
                elif tag == "select" and name:
                    state["select"] = name
                elif tag == "option" and state["select"]:
                    value = a.get("value") or ""
                    sel = state["select"]
                    if "selected" in a or (value and not fields.get(sel)):
                        fields[sel] = value
                elif tag == "textarea" and name:
                    state["textarea"] = name
                    fields.setdefault(name, "")

            def handle_endtag(self, tag):
                if tag == "select":
                    state["select"] = None
                elif tag == "textarea":
                    state["textarea"] = None

            def handle_data(self, data):
                if state["textarea"] and data.strip():
                    fields[state["textarea"]] = data.strip()

        Parser().feed(html)


def _scope_fields(form_or_serializer) -> dict[str, str]:
    """{field name: "orgs.Unit"|"orgs.Enterprise"} for each field choosing a unit or enterprise."""
    found = {}
    for name, f in form_or_serializer.fields.items():
        qs = getattr(getattr(f, "child_relation", f), "queryset", None)
        opts = getattr(getattr(qs, "model", None), "_meta", None)
        if opts is not None and opts.label in ("orgs.Unit", "orgs.Enterprise"):
            found[name] = opts.label
    return found


def _add_routes():
    out = []
    for r in ROUTES:
        if r.kwargs or not r.name:
            continue
        if r.is_api:
            ser = getattr(r.view_class, "serializer_class", None)
            creates = ser is not None and "create" in (r.actions or {}).values()
            if creates and _scope_fields(ser(context={"request": None})):
                out.append(r)
        elif r.name.endswith("_add") and getattr(r.view_class, "form_class", None):
            form = type("Form", (), {"fields": r.view_class.form_class.base_fields})
            if _scope_fields(form):
                out.append(r)
    return out


ADD_ROUTES = _add_routes()


def _post_foreign_choice(route, url, model, data, owned, name, district, client) -> list[str]:
    def post(persona):
        client.force_login(persona)
        if route.is_api:
            response = call(client, "post", url, route, data=json.dumps(data, default=str))
        else:
            response = call(client, "post", url, route, data=data)
        client.logout()
        return response

    def count():
        rows = model._default_manager
        return rows.count(), {n: rows.filter(**{n: obj}).count() for n, obj in owned.items()}

    def form_of(response):
        return None if route.is_api else (response.context or {}).get("form")

    problems = []
    for persona in registry.OUTSIDERS:
        before = count()
        response = post(getattr(district, persona))
        status, form = response.status_code, form_of(response)
        refused = status in (400, 403, 404) or (status == 200 and form is not None and form.errors)
        if not refused or count() != before:
            problems.append(
                f"{persona} POST {url} with 东新城's {name} → {status}, rows {before} → {count()}"
            )
    before = count()
    response = post(district.district)
    form = form_of(response)
    if count()[0] != before[0] + 1:
        errors = form.errors if form is not None else body_text(response)[:300]
        problems.append(
            f"the district's POST to {url} with {name}=东新城's did not create a row "
            f"({response.status_code}: {errors}); fill the form in ADD_FORM_DATA in "
            "tests/scope_registry.py (otherwise the outsiders' refusal proves nothing)"
        )
    return problems


@pytest.mark.parametrize("route", ADD_ROUTES, ids=[r.id for r in ADD_ROUTES])
def test_add_forms_naming_a_foreign_unit_create_nothing(route, district, foreign_world, client):
    """An add-form or API create naming 东新城's unit/enterprise creates nothing for outsiders.

    Each field over orgs.Unit/orgs.Enterprise is set in turn to 东新城's street or
    enterprise. The same data from the district (who may use them) does create the
    row, so the outsiders' refusal comes from the scope, not from an invalid form.
    """
    from django.db import transaction

    url = reverse(route.name)
    model = model_of(route)
    base = {}
    if route.is_api:
        probe = route.view_class.serializer_class(context={"request": None})
    else:
        client.force_login(district.district)
        page = call(client, "get", url, route)
        assert page.status_code == 200, (url, page.status_code)
        probe = page.context["form"]
        base = _FormFields(page.content.decode()).data
        client.logout()
    scoped = _scope_fields(probe)
    for n in scoped:  # only the field under test names a unit or enterprise
        base.pop(n, None)
    for n, value in registry.ADD_FORM_DATA.get(route.id, {}).items():
        base[n] = value(district) if callable(value) else value
    model_fields = {f.name for f in model._meta.get_fields()}
    problems, tried = [], 0
    for name, label in scoped.items():
        foreign = district.street_a if label == "orgs.Unit" else district.ent_a2
        f = probe.fields[name]
        if not getattr(f, "child_relation", f).queryset.filter(pk=foreign.pk).exists():
            continue  # e.g. 主管部门: 东新城's street is no choice for anyone
        many = hasattr(f, "child_relation") or type(f).__name__ == "ModelMultipleChoiceField"
        data = {**base, name: [foreign.pk] if many else foreign.pk}
        source = getattr(f, "source", None) or name
        field_name = source if source in model_fields else name.removesuffix("_id")
        owned = {field_name: foreign} if field_name in model_fields else {}
        with transaction.atomic():  # each field's row is undone: the next may reuse the data
            problems += _post_foreign_choice(route, url, model, data, owned, name, district, client)
            transaction.set_rollback(True)
        tried += 1
    assert tried, f"{url}: no field over a unit/enterprise offers 东新城's to the district"
    assert not problems, "\n".join(problems)
