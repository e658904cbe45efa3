"""The generic scope test (issue #2 §6): no URL or API route ever leaks a foreign object.

Every URL pattern and API route is discovered by walking the URL resolver, so a
route added later is covered without editing this file. For each route:

- with an object kwarg (`pk`, `<int:…>`): the sibling new town, the department and
  the enterprise persona GET and POST it (API: GET, PUT, PATCH, DELETE and the
  route's own methods) with the pk of an object owned by 东新城 → 404 (403 only
  when the persona's role lacks the action altogether, 405 when the view has no
  such method); the body never shows the object's marker; the row is unchanged;
- without one (lists, exports, autocompletes, dashboards, API lists): the same
  outsiders GET it plainly and searching for each marker (?q= and ?search=, as an
  htmx request too) → never a 500, never a marker, xlsx/csv bodies decoded;
- list and detail routes of a registered model are also called by the owners
  (town_a and the district), who must see the marker: the test is not vacuous.

A route whose model is unknown and which has no written exemption fails with a
message saying what to add to tests/scope_registry.py.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
from dataclasses import dataclass, field

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


# --------------------------------------------------------------------------- the checks


def check_object_route(route, model, foreign, foreigns, district, client):
    kwarg = object_kwarg(route)
    url = reverse(route.name, kwargs={kwarg: foreign.obj.pk})
    methods = ["get", "put", "patch", "delete", "post"] if route.is_api else ["get", "post"]
    methods += sorted(allowed_methods(route) - set(methods))
    missing = reverse(route.name, kwargs={kwarg: MISSING_PK})
    before = row_state(foreign.obj)
    problems = []
    for persona_name in registry.OUTSIDERS:
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
    if route.name and (route.name.endswith("_detail") or route.name.endswith("-detail")):
        for persona_name in foreign.visible_to:
            client.force_login(getattr(district, persona_name))
            response = call(client, "get", url, route)
            if response.status_code != 200 or not marker_hits(body_text(response), [foreign]):
                problems.append(
                    f"owner {persona_name} GET {url} → {response.status_code} without the marker "
                    f"{foreign.markers} (the test would be vacuous)"
                )
            client.logout()
    assert not problems, "\n".join(problems)


def check_collection_route(route, model, foreigns, district, client):
    url = reverse(route.name) if route.name else "/" + route.route.lstrip("^").rstrip("$")
    problems = []
    markers = [m for f in foreigns.values() for m in f.markers]
    for persona_name in registry.OUTSIDERS:
        client.force_login(getattr(district, persona_name))
        requests = [(url, {})] + [
            (with_query(url, q=search_term(m), search=search_term(m)), {"HTTP_HX_REQUEST": "true"})
            for m in markers
        ]
        for target, headers in requests:
            response = call(client, "get", target, route, **headers)
            if response.status_code >= 500:
                problems.append(f"{persona_name} GET {target} → {response.status_code}")
                continue
            hits = marker_hits(body_text(response), foreigns.values())
            if hits:
                problems.append(f"{persona_name} GET {target} shows foreign {hits}")
        client.logout()
    label = model._meta.label if model is not None else None
    is_list = route.name and (route.name.endswith("_list") or route.name.endswith("-list"))
    if is_list and label in foreigns:
        foreign = foreigns[label]
        for persona_name in foreign.visible_to:
            client.force_login(getattr(district, persona_name))
            seen = False
            term = search_term(foreign.markers[0])
            for target in (url, with_query(url, q=term, search=term)):
                response = call(client, "get", target, route)
                seen = seen or (
                    response.status_code == 200
                    and bool(marker_hits(body_text(response), [foreign]))
                )
            if not seen:
                problems.append(
                    f"owner {persona_name} GET {url} never shows {foreign.markers} "
                    "(the test would be vacuous)"
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
def test_route_never_leaks_a_foreign_object(route, district, client):
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
    foreigns = build_foreigns(district)
    kwarg = object_kwarg(route)
    if kwarg:
        if label not in registry.FOREIGN_OBJECTS:
            pytest.fail(
                f"Route {route.id} takes `{kwarg}` but {label} has no foreign object in "
                "tests/scope_registry.py FOREIGN_OBJECTS."
            )
        check_object_route(route, model, foreigns[label], foreigns, district, client)
        return
    unknown = [k for k in route.kwargs if k != kwarg]
    if unknown:
        pytest.fail(
            f"Route {route.id} takes {unknown}, which the scope test cannot fill in; name the "
            "kwarg `pk` (or `<model>_pk`) or exempt the route in tests/scope_registry.py."
        )
    check_collection_route(route, model, foreigns, district, client)


# --------------------------------------------------------------------------- sanity checks


def test_exempt_routes_show_no_domain_data(district, client):
    """Exempt pages (login, API schema/docs, admin) never print a foreign object's marker."""
    assert EXEMPT, "the walker should at least find the login page and the admin"
    foreigns = build_foreigns(district)
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


def test_each_foreign_object_is_out_of_scope_for_outsiders_and_in_scope_for_owners(district):
    for label, foreign in build_foreigns(district).items():
        manager = type(foreign.obj)._default_manager
        if not hasattr(manager.all(), "for_user"):
            continue  # owner-only rows (jobs) are checked through their routes
        for name in registry.OUTSIDERS:
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
