"""The roster import as one audit batch (issue #10): its change rows, and its revert.

Runs on SQLite and, with DATABASE_URL pointing at PostgreSQL, on the COPY path.
"""

from auditlog.models import LogEntry

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.audit.services import revert_batch
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.roster.plan import HEADERS
from xuanpei.workforce.tests.roster_data import roster_row, uncertified_row

Action = ImportBatchRow.Action
SKIPPED = {"created_at", "updated_at"}  # stamps: a revert restores values, not stamps


def imp(*rows, user):
    result = run_import("roster", xlsx_bytes([HEADERS, *rows]), filename="r.xlsx", user=user)
    assert not result.errors and not result.error, result.errors or result.error
    return result


def snapshot():
    """Every stored value of people, posts and certificates (but the time stamps)."""
    out = {}
    for model in (Person, Post, Certificate):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIPPED]
        out[model.__name__] = sorted(model.objects.values_list(*names))
    return out


def rows_of(batch):
    return {
        (r.content_type.model_class().__name__, r.object_id): r
        for r in ImportBatchRow.objects.filter(batch=batch).select_related("content_type")
    }


def test_a_roster_import_reverts_to_the_database_before_it(district):
    ent, admin = district.ent_a1, district.district
    imp(*(roster_row(ent.uscc, n) for n in (1, 2, 3)), user=admin)
    before = snapshot()
    entries = LogEntry.objects.count()
    p1, p2 = (Person.objects.get(name=f"人员{n:07d}") for n in (1, 2))
    c2 = Certificate.objects.get(holder=p2)
    c3 = Certificate.objects.get(holder__name="人员0000003")
    result = imp(
        roster_row(ent.uscc, 1, 姓名="改名一", 手机号="13811112222"),  # person updated
        roster_row(ent.uscc, 2, 发证机关="另一个应急管理局"),  # certificate in place
        roster_row(ent.uscc, 3, 实际复审日期="2021年12月1日"),  # a new (复审) version
        roster_row(ent.uscc, 4),  # person, post and certificate created
        uncertified_row(district.ent_a2.uscc, 2, 岗位="主要负责人"),  # a post created
        user=admin,
    )
    assert (result.created, result.updated, result.unchanged) == (2, 3, 0)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.rows, batch.created, batch.updated) == (5, 2, 3)
    assert LogEntry.objects.count() == entries  # no LogEntry per object
    rows = rows_of(batch)
    p4 = Person.objects.get(name="人员0000004")
    c3_new = Certificate.objects.get(previous=c3)
    new_post = Post.objects.get(person=p2, enterprise=district.ent_a2)
    assert {k: (r.row_number, r.action) for k, r in rows.items()} == {
        ("Person", p1.pk): (2, Action.UPDATED),
        ("Certificate", c2.pk): (3, Action.UPDATED),
        ("Certificate", c3.pk): (4, Action.UPDATED),
        ("Certificate", c3_new.pk): (4, Action.CREATED),
        ("Person", p4.pk): (5, Action.CREATED),
        ("Post", Post.objects.get(person=p4).pk): (5, Action.CREATED),
        ("Certificate", Certificate.objects.get(holder=p4).pk): (5, Action.CREATED),
        ("Post", new_post.pk): (6, Action.CREATED),
    }
    person = rows["Person", p1.pk]
    assert person.changes == {"姓名": [p1.name, "改名一"], "手机号": ["*****000001", "*****112222"]}
    assert (person.before, person.after) == (
        {"name": p1.name, "phone": p1.phone},
        {"name": "改名一", "phone": "13811112222"},
    )
    assert rows["Certificate", c2.pk].changes == {
        "发证机关": ["测试市应急管理局", "另一个应急管理局"]
    }
    assert rows["Certificate", c2.pk].after["issuing_authority"] == "另一个应急管理局"
    closed = rows["Certificate", c3.pk]
    assert closed.before == {"is_current": True, "superseded_on": None}
    assert closed.after == {"is_current": False, "superseded_on": "2021-12-01"}
    # Created rows come in dependency order: people, then posts, then certificates.
    order = [
        r.content_type.model for r in batch.changes.order_by("pk").select_related("content_type")
    ]
    assert order == sorted(order, key=["person", "post", "certificate"].index)

    undo = revert_batch(batch, actor=admin)
    assert undo.kind == ImportBatch.Kind.REVERT
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVERTED


def test_unchanged_rows_are_recorded_on_the_person_with_their_row(district):
    ent, admin = district.ent_a1, district.district
    imp(roster_row(ent.uscc, 1), roster_row(ent.uscc, 2), user=admin)
    result = imp(roster_row(ent.uscc, 2), roster_row(ent.uscc, 1), user=admin)
    assert result.unchanged == 2
    rows = ImportBatchRow.objects.filter(batch_id=result.batch_id).order_by("row_number")
    people = dict(Person.objects.values_list("name", "pk"))
    assert [(r.row_number, r.object_id, r.action) for r in rows] == [
        (2, people["人员0000002"], Action.UNCHANGED),
        (3, people["人员0000001"], Action.UNCHANGED),
    ]
