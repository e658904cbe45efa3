"""factory_boy factories for units and enterprises (tests, benchmarks and the demo)."""

import factory
from factory.django import DjangoModelFactory

from xuanpei.core.validators import USCC_CHARSET, uscc_check_char
from xuanpei.orgs.choices import EnterpriseScale, RiskLevel, UnitKind
from xuanpei.orgs.models import Enterprise, Sector, Unit


def make_uscc(n: int, region: str = "610100") -> str:
    """A valid, invented USCC number `n` (企业 under 市场监管: prefix 91)."""
    body = f"91{region}"
    tail = ""
    for _ in range(9):
        n, r = divmod(n, len(USCC_CHARSET))
        tail = USCC_CHARSET[r] + tail
    first17 = body + tail
    return first17 + uscc_check_char(first17)


def add_unit(parent: Unit | None, name: str, kind: str, **extra) -> Unit:
    """Create a unit under `parent` (or a root) the treebeard way."""
    fields = {"name": name, "kind": kind, **extra}
    if parent is None:
        return Unit.objects.add_root(fields)
    return Unit.objects.add_child(parent, fields)


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"行业领域{n}")
    code = factory.Sequence(lambda n: f"sector-{n}")


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试企业{n:05d}有限公司")
    uscc = factory.Sequence(lambda n: make_uscc(1_000_000 + n))
    unit = None  # pass a territorial unit
    sector = factory.SubFactory(SectorFactory)
    scale = EnterpriseScale.SMALL
    risk_level = RiskLevel.GENERAL
    address = factory.Sequence(lambda n: f"测试路{n}号")
    legal_representative = "张三"
    safety_contact = "李四"
    safety_phone = "13800000000"

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)


def unit_factory(parent: Unit | None, kind: str = UnitKind.TOWN, name: str | None = None) -> Unit:
    """Convenience for tests: a uniquely named unit under `parent`."""
    unit_factory.counter += 1
    return add_unit(parent, name or f"单位{unit_factory.counter}", kind)


unit_factory.counter = 0
