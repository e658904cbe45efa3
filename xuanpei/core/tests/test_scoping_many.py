"""Scoping through a to-many path (Person → posts → enterprise) lists each row once."""

from xuanpei.accounts.models import User
from xuanpei.core.scoping import crosses_to_many
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import PersonFactory, PostFactory
from xuanpei.workforce.models import Certificate, Person, Post


def test_only_paths_through_a_to_many_relation_are_flagged():
    assert crosses_to_many(Person)
    assert not crosses_to_many(Enterprise)
    assert not crosses_to_many(Unit)
    assert not crosses_to_many(User)
    assert not crosses_to_many(Post)
    assert not crosses_to_many(Certificate)


def _person_with_three_posts(district):
    person = PersonFactory(name="多岗人员")
    PostFactory(person=person, enterprise=district.ent_a1)
    PostFactory(person=person, enterprise=district.ent_a1, post_type_id=PostTypeCode.PRINCIPAL)
    PostFactory(person=person, enterprise=district.ent_a2)
    return person


def test_a_unit_user_sees_a_person_with_several_posts_once(district):
    person = _person_with_three_posts(district)
    qs = Person.objects.for_user(district.town_a)
    assert list(qs) == [person]
    assert qs.count() == 1


def test_an_enterprise_user_sees_a_person_with_two_posts_there_once(district):
    person = _person_with_three_posts(district)
    qs = Person.objects.for_user(district.enterprise)
    assert list(qs) == [person]
    assert qs.count() == 1


def test_people_are_seen_only_through_posts_in_scope(district):
    _person_with_three_posts(district)
    outsider = PersonFactory(name="西城人员")
    PostFactory(person=outsider, enterprise=district.ent_b1)
    assert list(Person.objects.for_user(district.town_b)) == [outsider]
    assert not Person.objects.for_user(district.department).exists()
    assert Person.objects.for_user(district.district).count() == 2
