"""The demo district (issue #2, point 11): an invented 区 for `make run`, demos and benchmarks.

Deterministic: every choice comes from one `random.Random(seed)`, so two runs on
empty databases produce the same units, enterprises and accounts. Nothing here
is real: place names, company names, people and phone numbers are made up, and
every 统一社会信用代码 is generated with a valid GB 32100-2015 check character
(and a valid GB 11714 check on its 主体标识码).

Units (≈190) are built the treebeard way, one node at a time; enterprises and
their department links are bulk-inserted in batches, which keeps `--scale 10`
(20,000 enterprises) within seconds.
"""

from __future__ import annotations

import collections
import itertools
import random
import time
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role
from xuanpei.core.validators import USCC_CHARSET, uscc_check_char
from xuanpei.orgs import sectors as sector_dict
from xuanpei.orgs.choices import EnterpriseScale, RiskLevel, UnitKind
from xuanpei.orgs.models import Enterprise, Sector, Unit

DEMO_SEED = 20260402
BASE_ENTERPRISES = 2000
BATCH_SIZE = 1000
# Tries for an unused invented firm name before the firm becomes a namesake's branch.
NAME_ATTEMPTS = 50

DISTRICT_NAME = "秦川区"
DISTRICT_CODE = "610199"  # an invented 行政区划码; also the USCC registration area

# 成立日期 of the demo tree (orgs.Unit.established_on), invented but plausible: the
# district long before the platform, the new towns set up in 2014 (the last one in
# 2017), each 街道 created from a former 镇 in 2015; 镇 and 村/社区 are left unknown
# (blank), so the demo shows both. Every demo activity is dated after these.
DISTRICT_ESTABLISHED = date(2002, 7, 1)
NEW_TOWN_ESTABLISHED = (date(2014, 1, 6), date(2014, 1, 6), date(2014, 1, 6), date(2014, 1, 6))
LATE_NEW_TOWN_ESTABLISHED = date(2017, 3, 1)
SUBDISTRICT_ESTABLISHED = date(2015, 3, 1)

# 新城 → its 镇/街道 (name, kind). Names are invented for the demo.
NEW_TOWNS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "沣河新城",
        "fenghe",
        (
            ("沣滨街道", UnitKind.SUBDISTRICT),
            ("柳林街道", UnitKind.SUBDISTRICT),
            ("槐里街道", UnitKind.SUBDISTRICT),
            ("望川镇", UnitKind.TOWN),
            ("青石镇", UnitKind.TOWN),
        ),
    ),
    (
        "灞水新城",
        "bashui",
        (
            ("灞滨街道", UnitKind.SUBDISTRICT),
            ("杏园街道", UnitKind.SUBDISTRICT),
            ("广运街道", UnitKind.SUBDISTRICT),
            ("白鹿原镇", UnitKind.TOWN),
            ("狄寨镇", UnitKind.TOWN),
        ),
    ),
    (
        "渭滨新城",
        "weibin",
        (
            ("渭川街道", UnitKind.SUBDISTRICT),
            ("北辰街道", UnitKind.SUBDISTRICT),
            ("汉城街道", UnitKind.SUBDISTRICT),
            ("草滩镇", UnitKind.TOWN),
            ("耿家镇", UnitKind.TOWN),
        ),
    ),
    (
        "泾河新城",
        "jinghe",
        (
            ("泾干街道", UnitKind.SUBDISTRICT),
            ("永乐街道", UnitKind.SUBDISTRICT),
            ("崇文街道", UnitKind.SUBDISTRICT),
            ("高庄镇", UnitKind.TOWN),
            ("桃园镇", UnitKind.TOWN),
        ),
    ),
    (
        "秦岭新城",
        "qinling",
        (
            ("子午街道", UnitKind.SUBDISTRICT),
            ("太乙街道", UnitKind.SUBDISTRICT),
            ("终南街道", UnitKind.SUBDISTRICT),
            ("石砭峪镇", UnitKind.TOWN),
            ("大峪镇", UnitKind.TOWN),
        ),
    ),
)
VILLAGES_PER_TOWN = 6

# 行业部门 directly under the 区, in the order they appear in the tree.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    (sector_dict.EMERGENCY, "yingji"),
    (sector_dict.EDUCATION, "jiaoyu"),
    (sector_dict.HEALTH, "weijian"),
    (sector_dict.HOUSING, "zhujian"),
    (sector_dict.TRANSPORT, "jiaotong"),
    (sector_dict.MARKET, "shichang"),
    (sector_dict.CULTURE, "wenlv"),
    (sector_dict.AGRICULTURE, "nongye"),
    (sector_dict.POLICE_TRAFFIC, "gongan"),
    (sector_dict.SPORTS, "tiyu"),
    (sector_dict.CIVIL_AFFAIRS, "minzheng"),
    (sector_dict.DEVELOPMENT, "fagai"),
)

# How the 2,000 enterprises spread over sectors (weights, roughly a 区's mix).
SECTOR_WEIGHTS: dict[str, int] = {
    "industry_trade": 34,
    "non_coal_mine": 1,
    "metal_smelting": 2,
    "hazardous_chemicals": 5,
    "fireworks": 2,
    "construction": 10,
    "road_transport": 8,
    "special_equipment": 5,
    "education": 8,
    "health": 6,
    "sports": 2,
    "elderly_care": 3,
    "culture_tourism": 5,
    "electric_power": 2,
    "agriculture": 4,
    "other": 3,
}

# Name parts: (business words, legal-form suffixes, USCC prefix) per sector.
_COMPANY = ("有限公司", "有限责任公司", "股份有限公司")
_NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "industry_trade": (
        (
            "机械制造",
            "建材",
            "食品",
            "纺织",
            "商贸",
            "包装材料",
            "家具",
            "五金制品",
            "塑料制品",
            "电子科技",
            "物流仓储",
            "印刷",
            "饮料",
            "汽车配件",
        ),
        _COMPANY,
        "91",
    ),
    "non_coal_mine": (("矿业", "石料开采", "砂石"), _COMPANY, "91"),
    "metal_smelting": (("铝业", "铸造", "冶金", "钢铁制品"), _COMPANY, "91"),
    "hazardous_chemicals": (("化工", "化学试剂", "气体", "石化贸易", "油品储运"), _COMPANY, "91"),
    "fireworks": (("烟花爆竹经营", "烟花爆竹批发"), _COMPANY, "91"),
    "construction": (("建筑工程", "建设工程", "市政工程", "装饰工程", "路桥工程"), _COMPANY, "91"),
    "road_transport": (("运输", "客运", "物流运输", "危险货物运输", "公交"), _COMPANY, "91"),
    "special_equipment": (("电梯工程", "起重设备", "锅炉", "压力容器", "游乐设施"), _COMPANY, "91"),
    "education": (("实验学校", "幼儿园", "职业技能培训学校", "外国语学校"), ("",), "52"),
    "health": (("医院", "中医医院", "口腔医院", "社区卫生服务中心"), ("",), "52"),
    "sports": (("体育文化", "健身", "游泳馆"), _COMPANY, "91"),
    "elderly_care": (("养老院", "颐养中心", "康养中心"), ("",), "52"),
    "culture_tourism": (("文化旅游", "旅行社", "酒店管理", "景区管理", "影城"), _COMPANY, "91"),
    "electric_power": (("电力工程", "新能源", "供电服务", "光伏科技"), _COMPANY, "91"),
    "agriculture": (("农业科技", "农机", "种植专业合作社", "养殖专业合作社"), _COMPANY, "91"),
    "other": (("物业管理", "餐饮管理", "科技", "商业管理"), _COMPANY, "91"),
}
_BRANDS = (
    "宏达",
    "兴业",
    "华盛",
    "恒通",
    "瑞丰",
    "永安",
    "金泰",
    "鑫源",
    "博远",
    "长兴",
    "中联",
    "天和",
    "信诚",
    "嘉禾",
    "汇通",
    "正阳",
    "泰和",
    "德润",
    "安盛",
    "众鑫",
    "广源",
    "新宇",
    "创达",
    "万顺",
    "普惠",
    "祥和",
    "东升",
    "锦程",
    "三秦",
    "秦隆",
    "盛世",
    "恒信",
    "宝丰",
    "华泰",
    "融通",
    "丰泽",
    "昌盛",
    "远航",
    "金诺",
    "亿达",
    "聚源",
    "启明",
    "卓越",
    "和顺",
    "腾飞",
    "光华",
    "明德",
    "同心",
)
_VILLAGE_PREFIXES = (
    "东王",
    "西李",
    "南庄",
    "北坡",
    "柳湾",
    "杨家",
    "张堡",
    "马坊",
    "贾寨",
    "曹村",
    "新庄",
    "河湾",
    "后沟",
    "前营",
    "枣园",
    "槐树",
    "桥头",
    "上林",
    "下店",
    "石桥",
    "龙泉",
    "双庙",
    "高家",
    "刘家",
    "孟村",
    "庞留",
    "三官",
    "五星",
    "红旗",
    "兴隆",
)
_COMMUNITY_PREFIXES = (
    "幸福",
    "和平",
    "丰庆",
    "建设",
    "友谊",
    "长安",
    "文景",
    "未央",
    "锦园",
    "金地",
    "阳光",
    "翠华",
    "滨河",
    "紫薇",
    "桃源",
    "朝阳",
    "明珠",
    "东方",
    "新华",
    "安居",
    "康乐",
    "育才",
    "枫林",
    "雁鸣",
    "曲江",
    "水岸",
    "春晓",
    "凤城",
    "汉风",
    "秦韵",
)
_ROADS = ("路", "大道", "街", "北路", "南路", "东路", "西路")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
_GIVEN = "建国伟军华明丽敏静芳强磊洋勇艳杰娟涛超秀英霞平刚桂兰玉斌鹏辉宇晨浩欣怡佳琪子涵博文俊峰"


@dataclass(frozen=True)
class DemoAccount:
    """One printed demo account. `unit` names the unit (or enterprise) it belongs to."""

    username: str
    password: str
    role: str
    label: str


# Fixed demo passwords: ≥10 characters, three character classes, unlike the username.
DISTRICT_ADMIN = DemoAccount("qc_anweiban", "Anwei#2026qc", Role.DISTRICT_ADMIN, "区安委办管理员")
DEPARTMENT_USER = DemoAccount("qc_jiaoyu", "Peixun#2026xp", Role.REPORTER, "教育局填报员")
ENTERPRISE_USER = DemoAccount("qc_qiye", "Anquan#2026xp", Role.REPORTER, "企业填报员")
VIEWER = DemoAccount("qc_lingdao", "Chakan#2026xp", Role.VIEWER, "区领导（只读）")
# A 镇街 admin under the first new town (沣河新城 / 沣滨街道), below `fenghe_admin`:
# the level that receives sub-assignments and reports on them (issue #8 §8, §11).
STREET_ADMIN = DemoAccount("fengbin_admin", "Zhenjie#2026fb", Role.UNIT_ADMIN, "镇街单位管理员")


def town_admin_account(slug: str) -> DemoAccount:
    return DemoAccount(
        f"{slug}_admin", f"Xincheng#2026{slug[:2]}", Role.UNIT_ADMIN, "新城单位管理员"
    )


def demo_accounts() -> list[DemoAccount]:
    """Every demo account, in the order `xuanpei demo-accounts` prints them."""
    return [
        DISTRICT_ADMIN,
        *(town_admin_account(slug) for _name, slug, _towns in NEW_TOWNS),
        STREET_ADMIN,
        DEPARTMENT_USER,
        ENTERPRISE_USER,
        VIEWER,
    ]


@dataclass
class SeedResult:
    units: int = 0
    departments: int = 0
    enterprises: int = 0
    users: int = 0
    seconds: float = 0.0
    accounts: list[DemoAccount] = field(default_factory=list)


def demo_exists() -> bool:
    """`--if-empty`: any unit means the database is in use; leave it alone."""
    return Unit.objects.exists()


# --------------------------------------------------------------------------- codes


def _org_code_check(first8: str) -> str:
    """GB 11714 check character of a 组织机构代码 (domain.md §4.2)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w
        for c, w in zip(first8, weights, strict=True)
    )
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_demo_uscc(rng: random.Random, prefix: str = "91", region: str = DISTRICT_CODE) -> str:
    """An invented 统一社会信用代码 with valid GB 32100 and GB 11714 check characters."""
    # Post-2015 主体标识码 start with "MA"; the rest is random from the USCC alphabet.
    body = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
    first17 = f"{prefix}{region}{body}{_org_code_check(body)}"
    return first17 + uscc_check_char(first17)


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    # 199-0000-xxxx: an obviously invented block, never a real person's number.
    return f"1990000{rng.randrange(10000):04d}"


# --------------------------------------------------------------------------- build


def _child(parent: Unit, name: str, kind: str, code: str, established_on=None) -> Unit:
    return Unit.objects.add_child(
        parent, {"name": name, "kind": kind, "code": code, "established_on": established_on}
    )


def _build_units(rng: random.Random) -> tuple[Unit, list[Unit], list[Unit], dict[str, Unit]]:
    """The tree: 区 → 新城 → 镇街 → 村/社区, and the 行业部门 under the 区."""
    root = Unit.objects.add_root(
        {
            "name": DISTRICT_NAME,
            "kind": UnitKind.DISTRICT,
            "code": DISTRICT_CODE,
            "established_on": DISTRICT_ESTABLISHED,
        }
    )
    new_towns: list[Unit] = []
    towns: list[Unit] = []
    for i, (nt_name, _slug, town_specs) in enumerate(NEW_TOWNS, start=1):
        founded = (
            NEW_TOWN_ESTABLISHED[i - 1]
            if i <= len(NEW_TOWN_ESTABLISHED)
            else LATE_NEW_TOWN_ESTABLISHED
        )
        nt = _child(root, nt_name, UnitKind.NEW_TOWN, f"{DISTRICT_CODE}{i:02d}", founded)
        new_towns.append(nt)
        for j, (town_name, kind) in enumerate(town_specs, start=1):
            is_street = kind == UnitKind.SUBDISTRICT
            town = _child(
                nt,
                town_name,
                kind,
                f"{nt.code}{j:02d}",
                SUBDISTRICT_ESTABLISHED if is_street else None,
            )
            towns.append(town)
            pool = _COMMUNITY_PREFIXES if is_street else _VILLAGE_PREFIXES
            village_kind = UnitKind.COMMUNITY if is_street else UnitKind.VILLAGE
            suffix = "社区" if is_street else "村"
            for k, prefix in enumerate(rng.sample(pool, VILLAGES_PER_TOWN), start=1):
                _child(town, prefix + suffix, village_kind, f"{town.code}{k:03d}")
    departments: dict[str, Unit] = {}
    for n, (dept_name, _slug) in enumerate(DEPARTMENTS, start=1):
        departments[dept_name] = _child(
            root, dept_name, UnitKind.DEPARTMENT, f"{DISTRICT_CODE}D{n:02d}"
        )
    return root, new_towns, towns, departments


def _enterprise_homes(new_towns: list[Unit], towns: list[Unit]) -> list[tuple[Unit, Unit]]:
    """(属地 unit, its 新城) pairs; 镇街 weigh four times a 新城 (most firms sit in a 镇街)."""
    by_path = {nt.path: nt for nt in new_towns}
    homes = [(nt, nt) for nt in new_towns]
    for town in towns:
        homes += [(town, by_path[town.path[: 2 * Unit.steplen]])] * 4
    return homes


def firm_name(rng, places, brands, words, forms, used_names: set, branches) -> str:
    """An invented firm name not in `used_names` (added to it). At large scales (≈ 44,000
    firms and up) the combinations run out: after NAME_ATTEMPTS tries the firm becomes a
    branch of its namesake (…有限公司第2分公司), as registers have them."""
    for attempt in itertools.count():
        name = f"{rng.choice(places)}{rng.choice(brands)}{rng.choice(words)}{rng.choice(forms)}"
        if attempt >= NAME_ATTEMPTS:
            branches[name] += 1
            name = f"{name}第{branches[name]}分公司"
        if name not in used_names:
            used_names.add(name)
            return name
    raise AssertionError("unreachable")


def _build_enterprises(
    rng: random.Random,
    *,
    count: int,
    new_towns: list[Unit],
    towns: list[Unit],
    sectors: dict[str, Sector],
    departments: dict[str, Unit],
) -> int:
    homes = _enterprise_homes(new_towns, towns)
    codes = list(SECTOR_WEIGHTS)
    weights = [SECTOR_WEIGHTS[c] for c in codes]
    defaults = {
        spec.code: [departments[name] for name in spec.departments if name in departments]
        for spec in sector_dict.SECTORS
    }
    market = departments.get(sector_dict.MARKET)
    scales = list(EnterpriseScale)
    scale_weights = (4, 14, 42, 40)  # large, medium, small, micro
    risks = list(RiskLevel)
    high_risk_weights = (10, 30, 45, 15)  # major, high, general, low
    normal_risk_weights = (2, 10, 40, 48)
    today = timezone.localdate()

    used_names: set[str] = set()
    branches: collections.Counter[str] = collections.Counter()
    used_codes: set[str] = set()
    links: list[tuple[str, list[Unit]]] = []
    batch: list[Enterprise] = []
    created = 0
    for _ in range(count):
        code = rng.choices(codes, weights)[0]
        sector = sectors[code]
        unit, new_town = rng.choice(homes)
        words, forms, prefix = _NAME_PARTS[code]
        places = ("", "", unit.name[:2], new_town.name[:2], DISTRICT_NAME[:2])
        name = firm_name(rng, places, _BRANDS, words, forms, used_names, branches)
        while True:
            uscc = make_demo_uscc(rng, prefix)
            if uscc not in used_codes:
                break
        used_codes.add(uscc)
        supervisors = list(defaults[code])
        # Factories with lifts or boilers are also supervised by 市场监管 (特种设备).
        if code == "industry_trade" and market is not None and rng.random() < 0.12:
            supervisors.append(market)
        active = rng.random() >= 0.03
        risk_weights = high_risk_weights if sector.high_risk else normal_risk_weights
        batch.append(
            Enterprise(
                name=name,
                uscc=uscc,
                unit=unit,
                sector=sector,
                scale=rng.choices(scales, scale_weights)[0],
                risk_level=rng.choices(risks, risk_weights)[0],
                address=(
                    f"{DISTRICT_NAME}{unit.name}{rng.choice(_BRANDS)}{rng.choice(_ROADS)}"
                    f"{rng.randint(1, 999)}号"
                ),
                legal_representative=_person(rng),
                safety_contact=_person(rng),
                safety_phone=_phone(rng),
                is_active=active,
                closed_at=None if active else today,
                closed_reason="" if active else "停业注销",
            )
        )
        links.append((uscc, supervisors))
        if len(batch) >= BATCH_SIZE:
            created += _flush(batch, links)
            batch, links = [], []
    if batch:
        created += _flush(batch, links)
    return created


def _flush(batch: list[Enterprise], links: list[tuple[str, list[Unit]]]) -> int:
    Enterprise.objects.bulk_create(batch, batch_size=BATCH_SIZE)
    # Read the pks back by USCC: bulk_create returns pks on PostgreSQL and recent
    # SQLite, but the unique code works on every backend.
    pks = dict(Enterprise.objects.filter(uscc__in=[u for u, _ in links]).values_list("uscc", "pk"))
    through = Enterprise.departments.through
    through.objects.bulk_create(
        [through(enterprise_id=pks[u], unit_id=d.pk) for u, depts in links for d in depts],
        batch_size=BATCH_SIZE,
    )
    return len(batch)


def _create_user(account: DemoAccount, **home) -> User:
    user = User(username=account.username, role=account.role, first_name=account.label, **home)
    # Demo passwords must pass the same validators as real ones (fail loudly if not).
    password_validation.validate_password(account.password, user)
    user.set_password(account.password)
    user.save()
    return user


@transaction.atomic
def seed_demo(*, scale: int = 1, seed: int = DEMO_SEED) -> SeedResult:
    """Build the demo district on an empty database. `scale` multiplies the enterprises."""
    if scale < 1:
        raise ValueError("scale must be ≥ 1")
    started = time.monotonic()
    rng = random.Random(seed)
    root, new_towns, towns, departments = _build_units(rng)
    sectors = sector_dict.load_sectors()
    enterprises = _build_enterprises(
        rng,
        count=BASE_ENTERPRISES * scale,
        new_towns=new_towns,
        towns=towns,
        sectors=sectors,
        departments=departments,
    )
    _create_user(DISTRICT_ADMIN, unit=root)
    for nt, (_name, slug, _towns) in zip(new_towns, NEW_TOWNS, strict=True):
        _create_user(town_admin_account(slug), unit=nt)
    _create_user(STREET_ADMIN, unit=towns[0])
    _create_user(DEPARTMENT_USER, unit=departments[sector_dict.EDUCATION])
    # The enterprise account belongs to the first 工矿商贸 firm of the first 镇街 (stable).
    home = (
        Enterprise.objects.filter(unit=towns[0], sector=sectors["industry_trade"], is_active=True)
        .order_by("name", "pk")
        .first()
    )
    _create_user(ENTERPRISE_USER, enterprise=home)
    _create_user(VIEWER, unit=root)
    return SeedResult(
        units=Unit.objects.count(),
        departments=len(departments),
        enterprises=enterprises,
        users=len(demo_accounts()),
        seconds=time.monotonic() - started,
        accounts=demo_accounts(),
    )


def account_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, unit or enterprise) for each demo account in the database."""
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[a.username for a in demo_accounts()]
        ).select_related("unit", "enterprise")
    }
    rows = []
    for account in demo_accounts():
        user = users.get(account.username)
        if user is None:
            continue
        home = user.enterprise or user.unit
        rows.append((account.username, account.password, user.get_role_display(), str(home)))
    return rows
