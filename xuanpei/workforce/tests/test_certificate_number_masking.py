"""Certificate numbers that embed an ID-like string are masked like the ID (issue #9 item 3).

The probe's case: "T" + the holder's ID number with two digits swapped was shown
whole on the certificate page, the person page, the API and the roster export to
roles that see ID numbers masked. Each channel is checked per role.
"""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from xuanpei.core.privacy import mask_id_like
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory
from xuanpei.workforce.importers import RosterExporter
from xuanpei.workforce.privacy import mask_certificate_number

# Invented numbers, checked by hand against GB 11643-1999 (domain.md §4.3 examples).
HOLDER_ID = "320102199003071239"
# Sequence digits 15 and 16 swapped ("123" → "213"): still ID-shaped, birth date intact.
SWAPPED_SEQUENCE = "T320102199003072139"
# Month digits swapped ("03" → "30"): no real birth date, but two characters from the holder's ID.
SWAPPED_MONTH = "T320102199030071239"


# The rule, on outside examples ------------------------------------------------------


def test_an_id_with_two_sequence_digits_swapped_is_masked_like_an_id():
    assert mask_certificate_number(SWAPPED_SEQUENCE) == "T320***********2139"


def test_a_swap_that_breaks_the_birth_date_is_masked_by_its_nearness_to_the_holders_id():
    assert mask_certificate_number(SWAPPED_MONTH, HOLDER_ID) == "T320***********1239"


def test_an_id_like_run_anywhere_in_the_number_is_masked_whatever_its_check_digit():
    # 11010519491231002X is the standard's example; here with a wrong check character.
    assert mask_id_like("TZ-110105194912310025-01") == "TZ-110***********0025-01"
    # A 15-digit GB 11643-1989 number (born 1949-12-31).
    assert mask_id_like("T110105491231002") == "T110********1002"


def test_numbers_without_an_id_like_run_stay_whole():
    assert mask_certificate_number("AQ2024000123") == "AQ2024000123"
    # 18 digits, but "9999-99-99" is no birth date.
    assert mask_certificate_number("T320102999999991239") == "T320102999999991239"


@given(st.text(alphabet="0123456789TX-", max_size=40))
def test_masking_never_leaves_an_id_like_run_behind(text):
    masked = mask_id_like(text)
    assert len(masked) == len(text)
    assert mask_id_like(masked) == masked


# Every channel, per role --------------------------------------------------------------


@pytest.fixture
def near_miss(district):
    holder = PersonFactory(name="焊工近号", id_number=HOLDER_ID, phone="13911112222")
    PostFactory(person=holder, enterprise=district.ent_a1, special=True)
    return CertificateFactory(
        holder=holder,
        enterprise=district.ent_a1,
        special=True,
        number=SWAPPED_SEQUENCE,
        issue_date=timezone.localdate() - timedelta(days=100),
    )


def _masked_users(district):
    return (district.enterprise, district.town_a_viewer)


def test_the_certificate_and_person_pages_mask_a_near_miss_number(client, district, near_miss):
    for user in (*_masked_users(district), district.town_a, district.district):
        client.force_login(user)
        for url in (
            reverse("workforce:certificate_detail", args=[near_miss.pk]),
            reverse("workforce:person_detail", args=[near_miss.holder_id]),
        ):
            body = client.get(url).content.decode()
            assert SWAPPED_SEQUENCE not in body, (user, url)
            assert "T320***********2139" in body, (user, url)


def test_the_api_masks_a_near_miss_number_for_masked_roles_only(district, near_miss):
    api = APIClient()
    url = reverse("api:certificate-detail", args=[near_miss.pk])
    for user in _masked_users(district):
        api.force_authenticate(user)
        assert api.get(url).json()["number"] == "T320***********2139", user
    api.force_authenticate(district.town_a)
    assert api.get(url).json()["number"] == SWAPPED_SEQUENCE


def test_the_roster_export_masks_a_near_miss_number_for_masked_roles_only(district, near_miss):
    def exported(user):
        buffer = io.BytesIO()
        exporter = RosterExporter(user=user)
        exporter.write(exporter.queryset(), buffer)
        return [list(r) for r in load_workbook(buffer).active.iter_rows(values_only=True)][1:]

    for user in _masked_users(district):
        (row,) = exported(user)
        assert SWAPPED_SEQUENCE not in row and "T320***********2139" in row, user
        assert "139****2222" in row
    (row,) = exported(district.town_a)
    assert SWAPPED_SEQUENCE in row and HOLDER_ID in row


# Birth dates read from masked IDs (issue #9 item 13) ---------------------------------


def _sorted_names(client, user, sort):
    client.force_login(user)
    response = client.get(reverse("workforce:person_list"), {"sort": sort})
    assert response.status_code == 200
    body = response.content.decode()
    return sorted(("乙年轻", "张年长"), key=body.index)


def test_masked_users_cannot_sort_people_by_birth_date(client, district):
    # By name 乙 comes first (U+4E59 < U+5F20, and yǐ < zhāng in PostgreSQL's pinyin order);
    # by birth date the older 张 (born 1949).
    for name, id_number in (("乙年轻", HOLDER_ID), ("张年长", "11010519491231002X")):
        PostFactory(
            person=PersonFactory(name=name, id_number=id_number), enterprise=district.ent_a1
        )
    assert _sorted_names(client, district.town_a, "birth") == ["张年长", "乙年轻"]
    for user in _masked_users(district):
        for sort in ("birth", "-birth"):
            assert _sorted_names(client, user, sort) == ["乙年轻", "张年长"], (user, sort)
        client.force_login(user)
        body = client.get(reverse("workforce:person_list")).content.decode()
        assert "sort=birth" not in body and "sort=-birth" not in body


def test_masked_users_cannot_spell_out_an_embedded_id_by_number_prefixes(client, district):
    holder = PersonFactory(name="到期己", id_number=HOLDER_ID)
    PostFactory(person=holder, enterprise=district.ent_a1)
    CertificateFactory(holder=holder, enterprise=district.ent_a1, number="T" + HOLDER_ID)
    url = reverse("workforce:certificates_due")
    for user, prefix, found in (
        (district.enterprise, "T3201021990", False),
        (district.enterprise, "T" + HOLDER_ID, True),
        (district.town_a, "T3201021990", True),
    ):
        client.force_login(user)
        body = client.get(url, {"q": prefix, "days": 3650}).content.decode()
        assert ("到期己" in body) is found, (user, prefix)
