"""Unit and enterprise pickers that scale (issue #8 item 9).

Unit choices read as their path (东新城 / 甲街道 / 甲社区) in tree order, labels built
in bulk; enterprise choices are an autocomplete over the scoped endpoint that renders
only the chosen enterprise, while validation still goes through the scoped queryset.
"""

import re

from django.urls import reverse

from xuanpei.accounts.models import User
from xuanpei.accounts.tests.test_users import new_user_form
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit, make_uscc
from xuanpei.orgs.models import Enterprise


def select_html(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, f"no <select name={name}>"
    return match.group(0)


def options(select: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)
    ]


def many_enterprises(district, n=300):
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"批量企业{i:04d}",
            uscc=make_uscc(5000 + i),
            unit=district.street_a,
            sector=district.sector,
        )
        for i in range(n)
    )


def test_the_user_form_renders_no_list_of_enterprises(client, district):
    many_enterprises(district)
    client.force_login(district.district)

    html = client.get(reverse("accounts:user_add")).content.decode()

    select = select_html(html, "enterprise")
    assert len(options(select)) <= 1
    assert reverse("orgs:enterprise_autocomplete") in select


def test_an_edited_enterprise_account_renders_only_its_enterprise(client, district):
    many_enterprises(district)
    client.force_login(district.district)
    url = reverse("accounts:user_edit", args=[district.enterprise.pk])

    select = select_html(client.get(url).content.decode(), "enterprise")

    assert options(select)[-1] == "东城甲企业"
    assert len(options(select)) <= 2


def test_unit_choices_read_as_paths_in_tree_order(client, district):
    add_unit(district.town_b_unit, "甲街道", UnitKind.SUBDISTRICT)  # a second 甲街道
    client.force_login(district.district)

    select = select_html(client.get(reverse("accounts:user_add")).content.decode(), "unit")
    labels = options(select)

    assert "东新城 / 甲街道 / 甲社区" in labels
    assert "东新城 / 甲街道" in labels and "西新城 / 甲街道" in labels
    assert labels.index("东新城") < labels.index("东新城 / 甲街道") < labels.index("西新城")
    assert 'data-picker="tree"' in select


def test_unit_labels_cost_a_fixed_number_of_queries(
    client, district, django_assert_max_num_queries
):
    for i in range(60):
        street = add_unit(district.town_a_unit, f"街道{i}", UnitKind.SUBDISTRICT)
        add_unit(street, "未央社区", UnitKind.COMMUNITY)
    client.force_login(district.district)
    client.get(reverse("accounts:user_add"))

    with django_assert_max_num_queries(12):
        html = client.get(reverse("accounts:user_add")).content.decode()

    assert "东新城 / 街道59 / 未央社区" in html


def test_a_town_admin_sees_paths_only_inside_its_subtree(client, district):
    client.force_login(district.town_a)

    labels = options(select_html(client.get(reverse("accounts:user_add")).content.decode(), "unit"))

    assert "东新城 / 甲街道 / 甲社区" in labels
    assert not any("西新城" in label for label in labels)


def test_the_autocomplete_offers_only_enterprises_in_scope(client, district):
    client.force_login(district.town_a)

    data = client.get(reverse("orgs:enterprise_autocomplete"), {"q": "城"}).json()

    assert {r["text"] for r in data["results"]} == {"东城甲企业", "东城乙企业"}


def test_the_form_rejects_an_enterprise_outside_scope(client, district):
    client.force_login(district.town_a)

    response = client.post(reverse("accounts:user_add"), new_user_form(enterprise=district.ent_b1))

    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert not User.objects.filter(username="new_person").exists()


def test_a_unit_and_an_enterprise_picked_in_scope_are_saved(client, district):
    client.force_login(district.town_a)

    response = client.post(reverse("accounts:user_add"), new_user_form(enterprise=district.ent_a2))

    assert response.status_code == 302
    assert User.objects.get(username="new_person").enterprise == district.ent_a2


def test_the_enterprise_form_unit_picker_reads_as_paths(client, district):
    client.force_login(district.district)

    labels = options(
        select_html(client.get(reverse("orgs:enterprise_add")).content.decode(), "unit")
    )

    assert "东新城 / 甲街道" in labels and "西新城 / 乙镇" in labels


def test_the_person_filter_does_not_list_every_enterprise(client, district):
    many_enterprises(district)
    client.force_login(district.district)

    html = client.get(reverse("workforce:person_list")).content.decode()

    assert len(options(select_html(html, "enterprise"))) <= 1
