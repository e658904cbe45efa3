"""One history of an object from both sources (issue #10 item 2): auditlog entries of edits
through pages and services, and the import-batch rows that touched it, in time order."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from xuanpei.audit.context import acting_as
from xuanpei.audit.factories import ImportBatchFactory, ImportBatchRowFactory
from xuanpei.audit.models import ImportBatchRow
from xuanpei.audit.timeline import timeline

pytestmark = pytest.mark.django_db


def batch_at(when, *, file_name, user):
    return ImportBatchFactory(
        user=user, file_name=file_name, started_at=when - timedelta(seconds=5), finished_at=when
    )


@pytest.fixture
def enterprise_history(district):
    """ent_a1: imported yesterday, edited through a service now, imported again tomorrow."""
    ent = district.ent_a1
    now = timezone.now()
    earlier = batch_at(now - timedelta(days=1), file_name="第一次.xlsx", user=district.town_a)
    later = batch_at(now + timedelta(days=1), file_name="第二次.xlsx", user=district.district)
    ImportBatchRowFactory(batch=earlier, obj=ent, row_number=5)
    with acting_as(district.town_a):
        ent.address = "服务修改的地址"
        ent.save()
    ImportBatchRowFactory(
        batch=later,
        obj=ent,
        row_number=7,
        action=ImportBatchRow.Action.UPDATED,
        changes={"地址": ["服务修改的地址", "导入的地址"]},
    )
    return ent, earlier, later


def test_log_entries_and_batch_rows_merge_newest_first(district, enterprise_history):
    ent, earlier, later = enterprise_history
    items = timeline([ent], user=district.district)
    # The factory's creation (a LogEntry) and the service edit sit between the two imports.
    assert [i["batch"] for i in items] == [later, None, None, earlier]
    assert [i["entry"].action for i in items[1:3]] == [
        LogEntry.Action.UPDATE,
        LogEntry.Action.CREATE,
    ]
    assert items[0]["action"] == "通过导入《第二次.xlsx》更新"
    assert [(r.label, r.before, r.after) for r in items[0]["rows"]] == [
        ("地址", "服务修改的地址", "导入的地址")
    ]
    assert items[3]["action"] == "通过导入《第一次.xlsx》新增"
    assert items[0]["batch_url"] == reverse("audit:importbatch_detail", args=[later.pk])
    assert [i["batch"] for i in timeline([ent], limit=1, user=district.district)] == [later]


def test_the_enterprise_page_links_batches_only_for_those_who_may_see_them(
    district, client, enterprise_history
):
    ent, earlier, later = enterprise_history
    url = reverse("orgs:enterprise_detail", args=[ent.pk])
    batch_url = reverse("audit:importbatch_detail", args=[later.pk])
    client.force_login(district.district)
    html = client.get(url).content.decode()
    html = html[html.index('id="history"') :]
    assert "通过导入《第二次.xlsx》更新" in html and batch_url in html
    assert html.index("第二次.xlsx") < html.index("服务修改的地址") < html.index("第一次.xlsx")
    client.force_login(district.town_a)
    html = client.get(url).content.decode()
    assert "通过导入《第一次.xlsx》新增" in html and batch_url not in html


def test_a_persons_page_shows_batch_rows_of_its_posts_with_personal_values_hidden(district, client):
    from xuanpei.workforce.factories import PersonFactory, PostFactory

    person = PersonFactory(name="时间线人员")
    post = PostFactory(person=person, enterprise=district.ent_a1)
    batch = batch_at(timezone.now(), file_name="名册.xlsx", user=district.district)
    ImportBatchRowFactory(
        batch=batch,
        obj=person,
        action=ImportBatchRow.Action.UPDATED,
        changes={
            "身份证号": ["110101********1234", "110101********5678"],
            "姓名": ["旧名", "时间线人员"],
        },
    )
    ImportBatchRowFactory(batch=batch, obj=post)
    client.force_login(district.district)
    html = client.get(reverse("workforce:person_detail", args=[person.pk])).content.decode()
    history = html[html.index('id="history"') :]
    assert history.count("通过导入《名册.xlsx》") == 2
    assert "通过导入《名册.xlsx》新增" in history and "通过导入《名册.xlsx》更新" in history
    assert "姓名：旧名 → 时间线人员" in history
    assert "身份证号：（已隐藏） → （已隐藏）" in history and "5678" not in history
