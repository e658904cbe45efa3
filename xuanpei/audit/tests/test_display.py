"""The change log reads as a person would write it (issue #8 item 6).

Fields by their Chinese labels, choices by label, related objects by name (looked
up in bulk), many-to-many as names, and never a reverse relation such as
"certificates: — → workforce.Certificate.None".
"""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from xuanpei.accounts.factories import UserFactory
from xuanpei.audit.context import acting_as
from xuanpei.audit.display import change_rows, related_names
from xuanpei.core.permissions import Role
from xuanpei.orgs.choices import RiskLevel
from xuanpei.orgs.factories import EnterpriseFactory
from xuanpei.orgs.models import Enterprise
from xuanpei.workforce.factories import CertificateFactory, PersonFactory

REVERSE_NOISE = ("workforce.Certificate.None", "accounts.User.None", ".None")


@pytest.fixture
def enterprise_with_people(district, workforce_dictionaries):
    """A new enterprise with a certificate holder and an account, then edited."""
    with acting_as(district.district):
        ent = EnterpriseFactory(
            name="未央化工有限公司", unit=district.street_a, sector=district.sector
        )
        CertificateFactory(enterprise=ent, holder=PersonFactory(name="王建国"))
        UserFactory(username="ent_user", enterprise=ent, role=Role.REPORTER)
        ent.risk_level = RiskLevel.MAJOR
        ent.unit = district.village_a
        ent.save()
        ent.departments.add(district.dept_unit)
    return ent


def test_creating_an_enterprise_records_no_reverse_relations(enterprise_with_people):
    created = LogEntry.objects.get_for_object(enterprise_with_people).get(
        action=LogEntry.Action.CREATE
    )

    assert "name" in created.changes_dict
    for reverse_name in ("certificates", "users", "posts", "integrity_flags", "notifications"):
        assert reverse_name not in created.changes_dict


def test_no_registered_model_tracks_a_reverse_relation():
    for model in auditlog.get_models():
        options = auditlog.get_model_fields(model)
        reverse = {f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete}
        assert reverse <= set(options["exclude_fields"]), model


def test_enterprise_history_names_fields_choices_and_related_objects(
    client, district, enterprise_with_people
):
    client.force_login(district.district)

    html = client.get(enterprise_with_people.get_absolute_url()).content.decode()

    for noise in REVERSE_NOISE:
        assert noise not in html
    assert "企业名称：— → 未央化工有限公司" in html
    assert "属地：甲街道 → 甲社区" in html
    assert "风险等级：一般风险（黄） → 重大风险（红）" in html
    assert "行业主管部门" in html and "增加：教育局" in html


def test_old_entries_with_reverse_relations_are_shown_without_them(district):
    """Entries recorded before the registration excluded reverse relations."""
    ent = district.ent_a1
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Enterprise),
        object_pk=str(ent.pk),
        object_id=ent.pk,
        object_repr=ent.name,
        action=LogEntry.Action.CREATE,
        changes={
            "name": ["None", ent.name],
            "certificates": ["None", "workforce.Certificate.None"],
            "users": ["None", "accounts.User.None"],
            "no_such_field": ["None", "x"],
            "sector": ["None", str(district.sector.pk)],
        },
    )

    rows = change_rows(entry, related_names([entry]))

    assert [(r.label, r.before, r.after) for r in rows] == [
        ("企业名称", "—", "东城甲企业"),
        ("行业领域", "—", "工矿商贸"),
    ]


def test_related_names_are_looked_up_in_one_query_per_model(district, django_assert_num_queries):
    ct = ContentType.objects.get_for_model(Enterprise)
    entries = [
        LogEntry.objects.create(
            content_type=ct,
            object_pk=str(ent.pk),
            object_id=ent.pk,
            object_repr=ent.name,
            action=LogEntry.Action.UPDATE,
            changes={
                "unit": [str(district.street_a.pk), str(ent.unit_id)],
                "sector": ["None", str(district.sector.pk)],
            },
        )
        for ent in Enterprise.objects.all()
    ]
    entries = list(
        LogEntry.objects.filter(pk__in=[e.pk for e in entries]).select_related("content_type")
    )

    with django_assert_num_queries(2):  # units, sectors
        names = related_names(entries)
        rows = [change_rows(entry, names) for entry in entries]

    assert ("属地", "甲街道", "乙镇") in {(r.label, r.before, r.after) for rs in rows for r in rs}


def test_a_deleted_related_object_is_named_by_its_id(district):
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Enterprise),
        object_pk="1",
        object_id=1,
        object_repr="x",
        action=LogEntry.Action.UPDATE,
        changes={"sector": ["99999", str(district.sector.pk)]},
    )

    rows = change_rows(entry, related_names([entry]))

    assert rows[0].before == "已删除（#99999）" and rows[0].after == "工矿商贸"


def test_person_history_keeps_id_numbers_hidden(client, district, workforce_dictionaries):
    with acting_as(district.district):
        cert = CertificateFactory(enterprise=district.ent_a1, holder=PersonFactory(name="李四"))
    client.force_login(district.district)

    html = client.get(reverse("workforce:person_detail", args=[cert.holder.pk])).content.decode()

    assert cert.holder.id_number not in html
    assert cert.holder.id_number[-9:] not in html  # auditlog's half mask is not shown either
    assert "workforce.Certificate.None" not in html and "workforce.Post.None" not in html
    assert "姓名：— → 李四" in html


def test_a_relation_without_a_chinese_name_is_named_by_its_model(district):
    from xuanpei.plans.models import ReportQuantity

    field = ReportQuantity._meta.get_field("report")
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ReportQuantity),
        object_pk="1",
        object_id=1,
        object_repr="x",
        action=LogEntry.Action.CREATE,
        changes={"report": ["None", "99999"]},
    )

    rows = change_rows(entry, related_names([entry]))

    assert rows[0].label == str(field.related_model._meta.verbose_name)
    assert rows[0].label != "report"
