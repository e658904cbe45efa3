"""The 行业领域 dictionary (domain.md §9) and the departments that usually supervise each one.

Kept as plain data plus one idempotent loader, so that a data migration, the demo
seed and tests all load the same dictionary. After loading, the dictionary is
editable data (the Sector model); re-running the loader never overwrites edits
to names or flags, it only adds what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xuanpei.orgs.choices import UnitKind


@dataclass(frozen=True)
class SectorSpec:
    code: str
    name: str
    # 高危: the five sectors whose training hours are higher (domain.md §2).
    high_risk: bool
    # Names of the departments (Unit.kind=department) that supervise it by default
    # ("管行业必须管安全", domain.md §9).
    departments: tuple[str, ...]


# Department names used by the dictionary; the demo district creates exactly these.
EMERGENCY = "应急管理局"
EDUCATION = "教育局"
HEALTH = "卫生健康局"
HOUSING = "住房和城乡建设局"
TRANSPORT = "交通运输局"
MARKET = "市场监督管理局"
CULTURE = "文化和旅游局"
AGRICULTURE = "农业农村局"
POLICE_TRAFFIC = "公安分局"
SPORTS = "体育局"
CIVIL_AFFAIRS = "民政局"
DEVELOPMENT = "发展和改革局"

SECTORS: tuple[SectorSpec, ...] = (
    SectorSpec("industry_trade", "工矿商贸", False, (EMERGENCY,)),
    SectorSpec("non_coal_mine", "非煤矿山", True, (EMERGENCY,)),
    SectorSpec("metal_smelting", "金属冶炼", True, (EMERGENCY,)),
    SectorSpec("hazardous_chemicals", "危险化学品", True, (EMERGENCY,)),
    SectorSpec("fireworks", "烟花爆竹", True, (EMERGENCY,)),
    SectorSpec("construction", "建筑施工", False, (HOUSING,)),
    SectorSpec("road_transport", "道路运输", False, (TRANSPORT, POLICE_TRAFFIC)),
    SectorSpec("special_equipment", "特种设备", False, (MARKET,)),
    SectorSpec("education", "教育", False, (EDUCATION,)),
    SectorSpec("health", "卫生", False, (HEALTH,)),
    SectorSpec("sports", "体育", False, (SPORTS,)),
    SectorSpec("elderly_care", "养老", False, (CIVIL_AFFAIRS,)),
    SectorSpec("culture_tourism", "文化旅游", False, (CULTURE,)),
    SectorSpec("electric_power", "电力", False, (DEVELOPMENT,)),
    SectorSpec("agriculture", "农业", False, (AGRICULTURE,)),
    SectorSpec("other", "其他", False, (EMERGENCY,)),
)


@transaction.atomic
def load_sectors(*, sector_model=None, unit_model=None) -> dict[str, object]:
    """Create the missing 行业领域 rows and link default departments that exist by name.

    Returns the sectors by code. `sector_model`/`unit_model` let a data migration
    pass its historical models (`apps.get_model(...)`); by default the live models
    are used. Departments that do not exist yet are skipped, so the loader can run
    before the unit tree is built and again afterwards.
    """
    if sector_model is None or unit_model is None:
        from xuanpei.orgs.models import Sector, Unit

        sector_model = sector_model or Sector
        unit_model = unit_model or Unit
    departments = {
        u.name: u for u in unit_model.objects.filter(kind=UnitKind.DEPARTMENT).order_by("path")
    }
    result = {}
    for order, spec in enumerate(SECTORS, start=1):
        # Match by code, then by name: a sector typed in by hand keeps its row.
        sector = (
            sector_model.objects.filter(code=spec.code).first()
            or sector_model.objects.filter(name=spec.name).first()
        )
        if sector is None:
            sector = sector_model.objects.create(
                code=spec.code, name=spec.name, high_risk=spec.high_risk, sort_order=order * 10
            )
        wanted = [departments[name] for name in spec.departments if name in departments]
        if wanted:
            sector.default_departments.add(*wanted)
        result[spec.code] = sector
    return result
