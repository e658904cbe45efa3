def test_a_request_leaves_no_actor_behind_for_later_system_writes(client, district):
    """After a request, a write outside any request is logged without an actor."""
    from auditlog.context import auditlog_value
    from auditlog.models import LogEntry

    from xuanpei.orgs.models import Sector

    client.force_login(district.town_a)
    assert client.get("/").status_code == 200
    assert auditlog_value.get({}).get("actor") is None
    sector = Sector.objects.create(name="请求后的系统写入", code="after-request")
    entry = LogEntry.objects.get_for_object(sector).get()
    assert entry.actor is None
