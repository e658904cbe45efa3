"""Seed data of the workforce dictionaries, loaded by migration 0002_load_catalogue.

Every value here is a starting point an administrator may edit in the database:
the regulations have changed before (domain.md §1–2). Numbers marked [U] are not
confirmed in a public source and are flagged `confirmed=False` so that the UI
can say they are configurable.
"""

from dataclasses import dataclass, field

# 岗位 (posts) ------------------------------------------------------------------


@dataclass(frozen=True)
class PostTypeData:
    code: str
    name: str
    requires_certificate: bool
    sort_order: int


POST_TYPES = [
    PostTypeData("principal", "主要负责人", True, 10),
    PostTypeData("safety_manager", "安全生产管理人员", True, 20),
    PostTypeData("special_operation", "特种作业人员", True, 30),
    PostTypeData("special_equipment", "特种设备作业人员", True, 40),
    PostTypeData("construction_special", "建筑施工特种作业人员", True, 50),
    PostTypeData("other", "其他从业人员", False, 90),
]


# 证书类型 (certificate kinds) and their legal periods ---------------------------


@dataclass(frozen=True)
class CertificateKindData:
    code: str
    name: str
    validity_years: int
    post_types: tuple[str, ...]
    review_interval_years: int | None = None
    extended_review_interval_years: int | None = None
    review_window_days: int = 60
    expiring_window_days: int = 90
    renewal_notice_days: int | None = None
    number_rule: str = ""
    requires_operation_item: bool = False
    confirmed: bool = True
    basis: str = ""
    sort_order: int = 0


CERTIFICATE_KINDS = [
    CertificateKindData(
        code="special_operation",
        name="特种作业操作证",
        validity_years=6,
        post_types=("special_operation",),
        review_interval_years=3,
        extended_review_interval_years=6,
        review_window_days=60,
        number_rule="T+ID",
        requires_operation_item=True,
        basis="特种作业人员安全技术培训考核管理规定（原国家安监总局令第30号）第19、21、22、26条",
        sort_order=10,
    ),
    CertificateKindData(
        code="safety_competence",
        name="安全生产知识和管理能力考核合格证",
        validity_years=3,
        post_types=("principal", "safety_manager"),
        renewal_notice_days=30,
        basis="安全生产培训管理办法（原国家安监总局令第44号）第25条",
        sort_order=20,
    ),
    CertificateKindData(
        code="special_equipment",
        name="特种设备安全管理和作业人员证",
        validity_years=4,
        post_types=("special_equipment",),
        confirmed=False,
        basis="特种设备作业人员监督管理办法（有效期未经核实，可配置）",
        sort_order=30,
    ),
    CertificateKindData(
        code="construction_special",
        name="建筑施工特种作业操作资格证",
        validity_years=2,
        post_types=("construction_special",),
        confirmed=False,
        basis="建筑施工特种作业人员管理规定（有效期未经核实，可配置）",
        sort_order=40,
    ),
]


# 特种作业目录 (the 2010 catalogue, annex of 总局令第30号, codes as printed) ------


@dataclass(frozen=True)
class CategoryData:
    code: str
    name: str
    items: list[tuple[str, str]] = field(default_factory=list)
    # Items that real systems use but the 2010 annex does not list (domain.md §1).
    variants: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


CATALOGUE_2010_CODE = "2010"
CATALOGUE_2010_NAME = "特种作业目录（2010年）"
CATALOGUE_2010_BASIS = "特种作业人员安全技术培训考核管理规定（原国家安监总局令第30号）附件"

CATALOGUE_2010 = [
    CategoryData(
        "1",
        "电工作业",
        [("1.1", "高压电工作业"), ("1.2", "低压电工作业"), ("1.3", "防爆电气作业")],
        variants=[("1.4", "电力电缆作业"), ("1.5", "继电保护作业"), ("1.6", "电气试验作业")],
        note="不含电力系统进网作业",
    ),
    CategoryData(
        "2",
        "焊接与热切割作业",
        [("2.1", "熔化焊接与热切割作业"), ("2.2", "压力焊作业"), ("2.3", "钎焊作业")],
    ),
    CategoryData(
        "3",
        "高处作业",
        [("3.1", "登高架设作业"), ("3.2", "高处安装、维护、拆除作业")],
        note="坠落高度基准面2米及以上",
    ),
    CategoryData(
        "4",
        "制冷与空调作业",
        [("4.1", "制冷与空调设备运行操作作业"), ("4.2", "制冷与空调设备安装修理作业")],
        note="大中型制冷与空调设备",
    ),
    CategoryData(
        "5",
        "煤矿安全作业",
        [
            ("5.1", "煤矿井下电气作业"),
            ("5.2", "煤矿井下爆破作业"),
            ("5.3", "煤矿安全监测监控作业"),
            ("5.4", "煤矿瓦斯检查作业"),
            ("5.5", "煤矿安全检查作业"),
            ("5.6", "煤矿提升机操作作业"),
            ("5.7", "煤矿采煤机(掘进机)操作作业"),
            ("5.8", "煤矿瓦斯抽采作业"),
            ("5.9", "煤矿防突作业"),
            ("5.10", "煤矿探放水作业"),
        ],
    ),
    CategoryData(
        "6",
        "金属非金属矿山安全作业",
        [
            ("6.1", "金属非金属矿井通风作业"),
            ("6.2", "尾矿作业"),
            ("6.3", "金属非金属矿山安全检查作业"),
            ("6.4", "金属非金属矿山提升机操作作业"),
            ("6.5", "金属非金属矿山支柱作业"),
            ("6.6", "金属非金属矿山井下电气作业"),
            ("6.7", "金属非金属矿山排水作业"),
            ("6.8", "金属非金属矿山爆破作业"),
        ],
    ),
    CategoryData("7", "石油天然气安全作业", [("7.1", "司钻作业")]),
    CategoryData("8", "冶金(有色)生产安全作业", [("8.1", "煤气作业")]),
    CategoryData(
        "9",
        "危险化学品安全作业",
        [
            ("9.1", "光气及光气化工艺作业"),
            ("9.2", "氯碱电解工艺作业"),
            ("9.3", "氯化工艺作业"),
            ("9.4", "硝化工艺作业"),
            ("9.5", "合成氨工艺作业"),
            ("9.6", "裂解(裂化)工艺作业"),
            ("9.7", "氟化工艺作业"),
            ("9.8", "加氢工艺作业"),
            ("9.9", "重氮化工艺作业"),
            ("9.10", "氧化工艺作业"),
            ("9.11", "过氧化工艺作业"),
            ("9.12", "胺基化工艺作业"),
            ("9.13", "磺化工艺作业"),
            ("9.14", "聚合工艺作业"),
            ("9.15", "烷基化工艺作业"),
            ("9.16", "化工自动化控制仪表作业"),
        ],
    ),
    CategoryData(
        "10",
        "烟花爆竹安全作业",
        [
            ("10.1", "烟火药制造作业"),
            ("10.2", "黑火药制造作业"),
            ("10.3", "引火线制造作业"),
            ("10.4", "烟花爆竹产品涉药作业"),
            ("10.5", "烟花爆竹储存作业"),
        ],
    ),
    CategoryData("11", "应急管理部(原安监总局)认定的其他作业"),
]

VARIANT_NOTE = "现行考试目录使用，2010年目录未列（原电工进网作业许可证范围）"


# Loading (used by the data migration with historical models) -------------------


def load(apps, schema_editor=None) -> None:
    """Create or update the seeded rows; safe to run twice."""
    PostType = apps.get_model("workforce", "PostType")
    CertificateKind = apps.get_model("workforce", "CertificateKind")
    CatalogueVersion = apps.get_model("workforce", "CatalogueVersion")
    OperationCategory = apps.get_model("workforce", "OperationCategory")
    OperationItem = apps.get_model("workforce", "OperationItem")

    for pt in POST_TYPES:
        PostType.objects.update_or_create(
            code=pt.code,
            defaults={
                "name": pt.name,
                "requires_certificate": pt.requires_certificate,
                "sort_order": pt.sort_order,
            },
        )
    for k in CERTIFICATE_KINDS:
        kind, _ = CertificateKind.objects.update_or_create(
            code=k.code,
            defaults={
                "name": k.name,
                "validity_years": k.validity_years,
                "review_interval_years": k.review_interval_years,
                "extended_review_interval_years": k.extended_review_interval_years,
                "review_window_days": k.review_window_days,
                "expiring_window_days": k.expiring_window_days,
                "renewal_notice_days": k.renewal_notice_days,
                "number_rule": k.number_rule,
                "requires_operation_item": k.requires_operation_item,
                "confirmed": k.confirmed,
                "basis": k.basis,
                "sort_order": k.sort_order,
            },
        )
        kind.post_types.set(PostType.objects.filter(code__in=k.post_types))

    version, _ = CatalogueVersion.objects.update_or_create(
        code=CATALOGUE_2010_CODE,
        defaults={"name": CATALOGUE_2010_NAME, "basis": CATALOGUE_2010_BASIS, "is_current": True},
    )
    for order, cat in enumerate(CATALOGUE_2010, start=1):
        category, _ = OperationCategory.objects.update_or_create(
            version=version,
            code=cat.code,
            defaults={"name": cat.name, "note": cat.note, "sort_order": order},
        )
        rows = [(c, n, False, "") for c, n in cat.items]
        rows += [(c, n, True, VARIANT_NOTE) for c, n in cat.variants]
        for sub_order, (code, name, variant, note) in enumerate(rows, start=1):
            OperationItem.objects.update_or_create(
                category=category,
                code=code,
                defaults={
                    "name": name,
                    "is_variant": variant,
                    "note": note,
                    "sort_order": sub_order,
                },
            )


def unload(apps, schema_editor=None) -> None:
    """Reverse of `load`: remove the seeded rows (fails while certificates still use them)."""
    apps.get_model("workforce", "CatalogueVersion").objects.filter(
        code=CATALOGUE_2010_CODE
    ).delete()
    CertificateKind = apps.get_model("workforce", "CertificateKind")
    CertificateKind.objects.filter(code__in=[k.code for k in CERTIFICATE_KINDS]).delete()
    PostType = apps.get_model("workforce", "PostType")
    PostType.objects.filter(code__in=[p.code for p in POST_TYPES]).delete()
