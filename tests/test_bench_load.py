"""The loopback load script (bench/load.py, issue #14): its figures on fixed inputs worked
out by hand, the demo accounts it logs in as, and its per-role URL lists — each one a
route of the URLconf that the matching persona opens with a 200. No server is started."""

import http.client

import pytest
from django.test import Client
from django.urls import resolve

from bench import load
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.orgs import demo

# --- percentile ------------------------------------------------------------------------------


def test_percentile_is_the_nearest_rank():
    hundred = [float(v) for v in range(100, 0, -1)]  # 1…100, unsorted on purpose
    # nearest rank ⌈q·n⌉: the 50th, 95th and 99th of 100 values; 0.95 × 100 is
    # 95.00000000000001 in floating point and must not become the 96th.
    assert load.percentile(hundred, 0.50) == 50.0
    assert load.percentile(hundred, 0.95) == 95.0
    assert load.percentile(hundred, 0.99) == 99.0
    assert load.percentile(hundred, 1.0) == 100.0
    four = [40.0, 10.0, 30.0, 20.0]
    assert load.percentile(four, 0.50) == 20.0  # ⌈2⌉ = 2nd
    assert load.percentile(four, 0.95) == 40.0  # ⌈3.8⌉ = 4th
    assert load.percentile(four, 0.25) == 10.0  # ⌈1⌉ = 1st
    assert load.percentile([7.0], 0.99) == 7.0
    assert load.percentile([], 0.95) == 0.0


# --- stats and summarize ---------------------------------------------------------------------


def _hits() -> list[load.Hit]:
    """Ten requests: eight answered 200 (10…80 ms), one 500 (90 ms), one reset."""
    hits = [load.Hit(1.0 + i, "district", "/", 200, 10.0 * (i + 1)) for i in range(8)]
    hits[2].retried = True  # a stale keep-alive connection re-sent once, then answered
    hits.append(load.Hit(9.0, "viewer", "/plans/", 500, 90.0, "http_500"))
    hits.append(load.Hit(10.0, "viewer", "/plans/", 0, 5.0, "reset"))
    return hits


def test_stats_counts_latency_of_answers_and_errors_by_kind():
    s = load.stats(_hits(), 4.0)
    # answered: 10, 20, …, 90 ms (nine values; the reset has no answer)
    assert s["requests"] == 10 and s["answered"] == 9
    assert s["rps"] == 2.5  # 10 requests / 4 s
    assert s["p50_ms"] == 50.0  # ⌈4.5⌉ = 5th of 9
    assert s["p95_ms"] == 90.0  # ⌈8.55⌉ = 9th
    assert s["p99_ms"] == 90.0 and s["max_ms"] == 90.0
    assert s["errors"] == 2 and s["errors_by_kind"] == {"http_500": 1, "reset": 1}
    assert s["resets"] == 1 and s["connection_errors"] == 1
    assert s["stale_retries"] == 1
    assert s["statuses"] == {"0": 1, "200": 8, "500": 1}


def test_connection_failures_are_told_apart():
    assert load.error_kind(http.client.RemoteDisconnected("closed")) == "disconnected"
    assert load.error_kind(ConnectionResetError()) == "reset"
    assert load.error_kind(BrokenPipeError()) == "reset"
    assert load.error_kind(TimeoutError()) == "timeout"
    assert load.error_kind(ConnectionRefusedError()) == "refused"


def _run(server, *, users=50, think=2.0, minutes=10.0, rps=25.0, p95=120.0, errors=0, peak=30):
    ms = [p95 / 2] * 18 + [p95, p95]
    hits = [load.Hit(20.0, "district", "/", 200, m) for m in ms]
    hits += [load.Hit(20.0, "district", "/", 500, 50.0, "http_500") for _ in range(errors)]
    steady = load.stats(hits, len(hits) / rps)
    return {
        "all": steady,
        "server": server,
        "users": users,
        "think_s": think,
        "minutes": minutes,
        "steady": steady,
        "pool_bound": 40 if server == "serve" else None,
        "pg_connections_peak": {"ours": peak, "all": peak + 3, "max_connections": 100},
        "tcp_connections": users,
    }


def test_summarize_checks_the_issues_targets_only_on_the_issues_run():
    result = {"scale": 10, "runs": [_run("serve")]}
    [row] = load.summarize(result)
    assert set(row) == {"measure", "limit", "ours", "ratio", "target", "pass"}
    assert row["measure"] == (
        "loopback load, 50 users, 2 s think, 10 min → PostgreSQL (demo --scale 10), xuanpei serve"
    )
    assert row["pass"] is True and row["ratio"] is None
    assert "p95 120 ms" in row["ours"] and "errors 0" in row["ours"]
    assert "at most 30 (bound 40" in row["ours"]
    # over the pool's bound, or one error: a failure
    assert load.summarize({"scale": 10, "runs": [_run("serve", peak=41)]})[0]["pass"] is False
    assert load.summarize({"scale": 10, "runs": [_run("serve", errors=1)]})[0]["pass"] is False
    assert load.summarize({"scale": 10, "runs": [_run("serve", p95=301)]})[0]["pass"] is False
    # a login that failed during the ramp counts, though the steady figures are clean
    ramp_failure = _run("serve")
    ramp_failure["all"] = load.stats(
        [load.Hit(0.5, "viewer", "/accounts/login/", 0, 0, "login")], 1
    )
    [row] = load.summarize({"scale": 10, "runs": [ramp_failure]})
    assert row["pass"] is False and "errors 1 (login 1)" in row["ours"]
    # another size or server: for information
    small = load.summarize({"scale": 1, "runs": [_run("runserver", users=5, minutes=1)]})[0]
    assert small["pass"] is None and small["target"].startswith("(info")
    assert "5 users" in small["measure"] and "--scale 1" in small["measure"]


def test_summarize_compares_throughput_when_both_servers_ran():
    result = {
        "scale": 10,
        "runs": [
            _run("runserver", users=20, think=0, minutes=5, rps=28.0),
            _run("serve", users=20, think=0, minutes=5, rps=70.0),
        ],
    }
    rows = load.summarize(result)
    assert len(rows) == 3
    ratio = rows[2]
    assert "20 users, no think time" in ratio["measure"] and "vs runserver" in ratio["measure"]
    assert ratio["ratio"] == pytest.approx(70.0 / 28.0)
    assert ratio["pass"] is True and "28.0 requests/s" in ratio["limit"]
    # measures differ, so the report keeps every row (it replaces rows of the same measure)
    assert len({r["measure"] for r in rows}) == 3
    slow = result | {"runs": [result["runs"][0], _run("serve", think=0, users=20, rps=50.0)]}
    assert load.summarize(slow)[2]["pass"] is False  # 50 / 28 < 2
    # another size than the issue's 20 users without think time: for information
    few = result | {"runs": [_run(s, users=5, think=0, minutes=1) for s in ("runserver", "serve")]}
    assert load.summarize(few)[2]["pass"] is None
    assert load.summarize(few)[2]["target"].startswith("(info")


def test_pool_bound_is_the_pool_size_times_the_workers_under_serve():
    from xuanpei.core import serve

    assert load.pool_bound("serve", {"DB_POOL_MAX_SIZE": "8"}, 4) == 32
    # unset: serve's own defaults (one connection per thread, 2 × cores + 1 workers)
    assert load.pool_bound("serve", {}, 3) == serve.DEFAULT_THREADS * 3
    assert load.pool_bound("serve", {}, None) == serve.DEFAULT_THREADS * serve.default_workers()
    assert load.pool_bound("serve", {"DB_POOL_MAX_SIZE": "0"}, 4) is None  # pool off
    assert load.pool_bound("runserver", {"DB_POOL_MAX_SIZE": "8"}, 4) is None


def test_server_argv_leaves_workers_to_the_server_unless_given():
    assert load.server_argv("runserver", 8123, None) == [
        "runserver",
        "127.0.0.1:8123",
        "--noreload",
    ]
    assert load.server_argv("serve", 8123, None) == ["serve", "--bind", "127.0.0.1:8123"]
    assert load.server_argv("serve", 8123, 3)[-1] == "--workers=3"


# --- the accounts ----------------------------------------------------------------------------

PRINTED = """演示账号（仅供演示，正式使用前请删除或修改密码）：
用户名         密码             角色            所属单位/企业
-------------  ---------------  --------------  ------------------------
qc_anweiban    Anwei#2026qc     区安委办管理员  秦川区
fenghe_admin   Xincheng#2026fe  单位管理员      沣河新城
bashui_admin   Xincheng#2026ba  单位管理员      灞水新城
fengbin_admin  Zhenjie#2026fb   单位管理员      沣滨街道
qc_jiaoyu      Peixun#2026xp    填报员          教育局
qc_qiye        Anquan#2026xp    填报员          兴业塑料制品股份有限公司
qc_lingdao     Chakan#2026xp    只读            秦川区
"""


def test_the_printed_demo_accounts_are_read_by_persona():
    accounts = load.parse_demo_accounts(PRINTED)
    assert accounts == {
        "district": [("qc_anweiban", "Anwei#2026qc")],
        "new_town": [("fenghe_admin", "Xincheng#2026fe"), ("bashui_admin", "Xincheng#2026ba")],
        "street": [("fengbin_admin", "Zhenjie#2026fb")],
        "department": [("qc_jiaoyu", "Peixun#2026xp")],
        "enterprise": [("qc_qiye", "Anquan#2026xp")],
        "viewer": [("qc_lingdao", "Chakan#2026xp")],
    }


def test_every_demo_account_maps_to_the_persona_of_its_role():
    expected = {
        demo.DISTRICT_ADMIN.username: "district",
        demo.STREET_ADMIN.username: "street",
        demo.DEPARTMENT_USER.username: "department",
        demo.ENTERPRISE_USER.username: "enterprise",
        demo.VIEWER.username: "viewer",
    }
    for _name, slug, _towns in demo.NEW_TOWNS:
        expected[demo.town_admin_account(slug).username] = "new_town"
    text = "header\n---\n" + "\n".join(
        f"{a.username}  {a.password}  role  unit" for a in demo.demo_accounts()
    )
    parsed = load.parse_demo_accounts(text)
    got = {u: persona for persona, pairs in parsed.items() for u, _p in pairs}
    assert got == expected
    assert {p for pairs in parsed.values() for _u, p in pairs} == {
        a.password for a in demo.demo_accounts()
    }


# --- the URL lists ---------------------------------------------------------------------------


def test_every_url_of_every_persona_is_a_route():
    assert set(load.URLS) == set(load.PERSONAS) and len(load.PERSONAS) == 6
    for persona, urls in load.URLS.items():
        assert len(urls) == len(set(urls)) >= 10, persona
        for path in urls:
            match = resolve(path)  # raises Resolver404 for a path the URLconf lacks
            # /api/… that no router knows falls to the JSON 404 catch-all: not a route
            assert match.url_name != "api-not-found", path
            if path.startswith("/api/"):
                assert match.url_name.endswith("-list"), path


def _factory_personas(district) -> dict:
    """The demo roles, as factories build them on the small test district."""
    return {
        "district": district.district,
        "new_town": district.town_a,
        "street": UserFactory(username="street_a", unit=district.street_a, role=Role.UNIT_ADMIN),
        "department": district.department,
        "enterprise": district.enterprise,
        # The demo's leader reads the whole district (qc_lingdao at the root unit).
        "viewer": UserFactory(username="leader", unit=district.root, role=Role.VIEWER),
    }


@pytest.mark.django_db
def test_each_persona_opens_each_of_its_urls(district):
    for persona, user in _factory_personas(district).items():
        client = Client()
        client.force_login(user)
        for path in load.URLS[persona]:
            response = client.get(path)
            assert response.status_code == 200, f"{persona} {path} → {response.status_code}"


def test_the_servers_own_times_are_read_from_its_access_log():
    log = (
        '127.0.0.1 - - [03/Dec/2026:01:56:14 +0800] "GET /plans/ HTTP/1.1" 200 512 "-" "x" 40ms\n'
        "[INFO] Booting worker with pid: 1\n"
        '127.0.0.1 - - [03/Dec/2026:01:56:15 +0800] "GET /api/v1/people/?page=2 HTTP/1.1" 200'
        ' 9 "-" "python" 120ms\n'
    )
    assert load.server_times(log) == {
        "requests": 2,
        "p50_ms": 40.0,
        "p95_ms": 120.0,
        "mean_ms": 80.0,
    }
    assert load.server_times("no access lines") == {}


def test_a_reused_databases_scale_is_read_from_its_enterprises():
    # The bench's own copy of the demo's base count, kept equal to the seed's.
    assert load.DEMO_BASE_ENTERPRISES == demo.BASE_ENTERPRISES
    assert load.scale_of(20000) == 10
    assert load.scale_of(2000) == 1
    assert load.scale_of(20001) is None  # an enterprise added since: not a demo scale
    assert load.scale_of(0) is None
