"""The scoping rule, persona by persona, on the Enterprise and Unit models."""

from xuanpei.accounts.models import User
from xuanpei.orgs.models import Enterprise, Unit


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_district_admin_sees_every_enterprise(district):
    assert names(Enterprise.objects.for_user(district.district)) == {
        "东城甲企业",
        "东城乙企业",
        "西城丙企业",
        "西城教育监管企业",
    }


def test_new_town_sees_only_its_subtree(district):
    assert names(Enterprise.objects.for_user(district.town_a)) == {"东城甲企业", "东城乙企业"}
    assert names(Enterprise.objects.for_user(district.town_b)) == {"西城丙企业", "西城教育监管企业"}


def test_department_sees_supervised_enterprises_wherever_they_sit(district):
    assert names(Enterprise.objects.for_user(district.department)) == {"西城教育监管企业"}


def test_enterprise_user_sees_only_its_enterprise(district):
    assert names(Enterprise.objects.for_user(district.enterprise)) == {"东城甲企业"}
    assert not Unit.objects.for_user(district.enterprise).exists()


def test_viewer_cannot_change_but_can_view(district):
    assert Enterprise.objects.for_user(district.town_a_viewer, "view").count() == 2
    assert Enterprise.objects.for_user(district.town_a_viewer, "change").count() == 0


def test_unit_tree_is_scoped_and_only_the_district_edits_it(district):
    assert names(Unit.objects.for_user(district.town_a)) == {"东新城", "甲街道", "甲社区"}
    assert Unit.objects.for_user(district.town_a, "change").count() == 0
    assert Unit.objects.for_user(district.district, "change").count() == Unit.objects.count()


def test_department_list_has_no_duplicates_across_the_many_to_many_join(district):
    district.supervised.departments.add(district.other_dept_unit)
    qs = Enterprise.objects.for_user(district.department)
    assert qs.count() == len(list(qs)) == 1


def test_user_without_home_sees_nothing(district):
    stray = User.objects.create_user("stray", password="x")
    assert not Enterprise.objects.for_user(stray).exists()
