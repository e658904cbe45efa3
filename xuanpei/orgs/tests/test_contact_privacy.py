"""Enterprise contact phones follow the personal-data policy (issue #9 item 3, core.privacy).

Reporters and read-only users see 安全负责人/法定代表人 phones masked on the page,
in the API and in their exports; admins see them whole.
"""

import io

from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from xuanpei.orgs.importers import EnterpriseExporter
from xuanpei.orgs.models import Enterprise

PHONES = "13812345678、029-88886666"
MASKED = "138****5678、029*****6666"


def _with_phones(district):
    Enterprise.objects.filter(pk=district.ent_a1.pk).update(safety_phone=PHONES)
    return district.ent_a1


def _masked_users(district):
    return (district.enterprise, district.town_a_viewer)


def test_the_enterprise_page_masks_the_phones_for_reporters_and_viewers(client, district):
    ent = _with_phones(district)
    url = reverse("orgs:enterprise_detail", args=[ent.pk])
    for user in _masked_users(district):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert "13812345678" not in body and "88886666" not in body, user
        assert "138****5678" in body and "029*****6666" in body
    client.force_login(district.town_a)
    body = client.get(url).content.decode()
    assert 'href="tel:13812345678"' in body


def test_the_enterprise_api_masks_the_phones_for_reporters_and_viewers(district):
    ent = _with_phones(district)
    api = APIClient()
    url = reverse("api:enterprise-detail", args=[ent.pk])
    for user in _masked_users(district):
        api.force_authenticate(user)
        assert api.get(url).json()["safety_phone"] == MASKED, user
    api.force_authenticate(district.district)
    assert api.get(url).json()["safety_phone"] == PHONES


def test_the_enterprise_export_masks_the_phones_for_reporters_and_viewers(district):
    ent = _with_phones(district)

    def exported(user):
        buffer = io.BytesIO()
        exporter = EnterpriseExporter(user=user)
        exporter.write(exporter.queryset().filter(pk=ent.pk), buffer)
        return list(load_workbook(buffer).active.iter_rows(values_only=True))[1]

    for user in _masked_users(district):
        assert exported(user)[-1] == MASKED, user
    assert exported(district.town_a)[-1] == PHONES
    assert exported(None)[-1] == PHONES  # the CLI without --user


def test_the_edit_page_shows_the_phones_masked_and_keeps_them_when_sent_back(client, district):
    ent = _with_phones(district)
    client.force_login(district.enterprise)
    url = reverse("orgs:enterprise_edit", args=[ent.pk])
    response = client.get(url)
    body = response.content.decode()
    assert "13812345678" not in body and MASKED in body
    data = {
        k: v
        for k, v in response.context["form"].initial.items()
        if v is not None and k not in ("departments",)
    }
    data.update(name="东城甲企业（新名）", unit=ent.unit_id, sector=ent.sector_id, uscc=ent.uscc)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    ent.refresh_from_db()
    assert ent.name == "东城甲企业（新名）" and ent.safety_phone == PHONES
    data["safety_phone"] = "13900001111"
    client.post(url, data)
    ent.refresh_from_db()
    assert ent.safety_phone == "13900001111"
