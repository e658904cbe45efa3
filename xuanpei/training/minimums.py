"""The legal minimum training hours, kept as data (domain.md §2; issue #12 §5).

Every number here has changed before and may change again: edit this table, not
`rules.py`. Each row names the article it comes from, as domain.md §2 cites it.

| Group                         | Sector class | Initial | Yearly | Source |
|-------------------------------|--------------|---------|--------|--------|
| 主要负责人、安全生产管理人员     | general      | 32 h    | 12 h   | 3号令 Art. 9 |
| 主要负责人、安全生产管理人员     | high-risk    | 48 h    | 16 h   | 3号令 Art. 9 |
| 从业人员 (新上岗 / 每年)         | general      | 24 h    | 8 h    | 3号令 Art. 13 / 安委〔2012〕10号 |
| 从业人员 (新上岗 / 每年)         | high-risk    | 72 h    | 20 h   | 3号令 Art. 13; 安委〔2012〕10号 |
| 从业人员 (新上岗 / 每年)         | construction | 32 h    | 20 h   | 安委〔2012〕10号 |

Read against domain.md:
- 3号令 sets no yearly hours for general (non-high-risk) staff; 安委〔2012〕10号
  sets ≥8 h a year, which is what this table uses. (Issue #12's summary,
  "new staff 24 h, high-risk 72 h, then 20 h a year", reads as 20 h for all
  staff; domain.md gives 20 h only for high-risk firms and construction.)
- Construction managers have no row of their own in domain.md: they fall back
  to the general manager row (`minimum_for`).
- 高危 = 煤矿、非煤矿山、危险化学品、烟花爆竹、金属冶炼 (domain.md §2). The live
  flag is `orgs.Sector.high_risk` (the 行业领域 dictionary, seeded from
  `orgs.sectors.SECTORS`); `HIGH_RISK_SECTOR_NAMES` is the list a test holds
  that dictionary to.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xuanpei.training.choices import InitialScope, SectorClass, TrainingGroup

# 3号令 = 生产经营单位安全培训规定 (原安监总局令第3号, amended 63号 2013, 80号 2015).
ORDER_3 = "生产经营单位安全培训规定（原国家安全监管总局令第3号）"
ANWEI_2012_10 = "国务院安委会关于进一步加强安全培训工作的决定（安委〔2012〕10号）"


@dataclass(frozen=True)
class Minimum:
    """One row of the table: the minimum hours of one group in one sector class.

    `initial_scope` says whose "first time" the initial minimum is: a manager's
    初次 training follows the person (3号令 Art. 9, "初次安全培训"), a worker's
    岗前 training follows the employer (Art. 13, "生产经营单位新上岗的从业人员":
    a worker hired by another unit is new there again).
    """

    group: str
    sector_class: str
    initial_hours: Decimal
    yearly_hours: Decimal
    initial_source: str
    yearly_source: str
    initial_scope: str


MINIMUMS: tuple[Minimum, ...] = (
    Minimum(
        TrainingGroup.MANAGER,
        SectorClass.GENERAL,
        Decimal(32),
        Decimal(12),
        f"{ORDER_3}第九条",
        f"{ORDER_3}第九条",
        InitialScope.PERSON,
    ),
    Minimum(
        TrainingGroup.MANAGER,
        SectorClass.HIGH_RISK,
        Decimal(48),
        Decimal(16),
        f"{ORDER_3}第九条",
        f"{ORDER_3}第九条",
        InitialScope.PERSON,
    ),
    Minimum(
        TrainingGroup.STAFF,
        SectorClass.GENERAL,
        Decimal(24),
        Decimal(8),
        f"{ORDER_3}第十三条",
        ANWEI_2012_10,
        InitialScope.EMPLOYER,
    ),
    Minimum(
        TrainingGroup.STAFF,
        SectorClass.HIGH_RISK,
        Decimal(72),
        Decimal(20),
        f"{ORDER_3}第十三条",
        f"{ORDER_3}第十三条；{ANWEI_2012_10}",
        InitialScope.EMPLOYER,
    ),
    Minimum(
        TrainingGroup.STAFF,
        SectorClass.CONSTRUCTION,
        Decimal(32),
        Decimal(20),
        ANWEI_2012_10,
        ANWEI_2012_10,
        InitialScope.EMPLOYER,
    ),
)

# Which workforce post types (`workforce.choices.PostTypeCode`) are managers;
# every other post type (特种作业人员, 特种设备作业人员, 其他从业人员 …) is staff.
MANAGER_POST_TYPES: frozenset[str] = frozenset({"principal", "safety_manager"})

# 高危 sectors (domain.md §2, 3号令 Art. 9 and 13), by 行业领域 name.
HIGH_RISK_SECTOR_NAMES: frozenset[str] = frozenset(
    {"煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼"}
)

# 行业领域 codes (`orgs.Sector.code`) whose new staff follow the construction row.
CONSTRUCTION_SECTOR_CODES: frozenset[str] = frozenset({"construction"})

# Other hours domain.md lists, not yearly minimums (used by the certificate flows):
# 特种作业操作证 review: ≥8 学时 of safety training before each review or extended
# review (特种作业人员安全技术培训考核管理规定, 总局令第30号, Art. 23; domain.md §1).
SPECIAL_OPERATION_REVIEW_HOURS = Decimal(8)
# 安全合格证 appointees trained and passed within 6 months of taking office
# (domain.md §2: [C] in the non-high-risk outline, [U] for high-risk units).
MANAGER_QUALIFICATION_MONTHS = 6
