"""Deterministic activity-ledger files (宣传活动台账) for the import benchmark (issue #11).

N rows in the importer's template columns (`ACTIVITY_HEADERS`, the headers of
`xuanpei.publicity.importers.ACTIVITY_COLUMNS`), all new activities (blank 活动编号)
of one past year, organised by the demo district's units: 镇街 (most), 新城 and
the 区; the 村/社区 written as a path (镇街/村), the year's campaigns and plan
tasks by name, the ledger's audience and form dictionaries. ~`bad` of the rows are
wrong in one of the ways the importer must report. Everything is invented.

The units come from the seeded bench database (`bench.activities`, the demo tree
is itself deterministic), so a file is cached under var/bench/ by (rows, seed, bad,
a digest of the tree).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

GENERATOR_VERSION = 1  # bump when the content changes, so cached files are regenerated
DEFAULT_SEED = 20261111
BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
YEAR = 2025  # a past year: the importer refuses activities dated after today

ACTIVITY_HEADERS = [
    "活动编号",
    "活动名称",
    "组织单位",
    "活动日期",
    "开始时间",
    "结束时间",
    "活动地点",
    "所在村/社区",
    "五进",
    "宣传对象",
    "活动形式",
    "参与人数",
    "宣传主题活动",
    "对应计划任务",
    "活动简介",
    "媒体报道链接",
]
# (name, start month/day, end month/day): the district's campaigns of YEAR (as bench.publicity).
CAMPAIGNS = (
    ("防灾减灾宣传周", (5, 6), (5, 12)),
    ("安全生产月", (6, 1), (6, 30)),
    ("消防宣传月", (11, 1), (11, 30)),
    ("《安全生产法》宣传周", (12, 1), (12, 7)),
)
# The district plan's publicity tasks of YEAR, by number (section 三(一) has nine).
TASKS = tuple(f"三(一){i}" for i in range(1, 10))
FIVE_IN = ("企业", "农村", "社区", "学校", "家庭")
AUDIENCES = ("市民", "中小学生", "企业职工", "特种作业人员", "老年人", "外来务工人员", "农村居民")
FORMS = ("宣讲", "咨询台", "演练", "展览", "影视宣教", "网络宣教", "发放资料", "宣传栏")
_TOPICS = ("燃气安全", "消防安全", "防汛避险", "交通安全", "用电安全", "危化品安全", "应急避险")
_KINDS = ("宣讲", "咨询", "演练", "展览", "知识竞赛", "进门入户宣传")
_PLACES = ("文化广场", "村委会院内", "社区服务中心", "学校操场", "企业会议室", "集贸市场")


@dataclass(frozen=True)
class ActivityFile:
    path: Path
    rows: int
    bad_rows: int
    seed: int
    tree: str  # digest of the unit tree the file names
    format: str = "xlsx"

    def meta(self) -> dict:
        return {**asdict(self), "path": str(self.path)}


def tree_digest(tree: dict) -> str:
    return hashlib.sha256(
        json.dumps(tree, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()[:10]


def _spoil(rng: random.Random, row: list) -> None:
    """Make one row wrong in one of the ways the importer must report (never a crash)."""
    kind = rng.randrange(8)
    if kind == 0:  # dated in the future
        row[3] = date(YEAR + 5, 1, 1).isoformat()
    elif kind == 1:  # negative participants
        row[11] = "-5"
    elif kind == 2:  # ends before it starts
        row[4], row[5] = "15:00", "14:00"
    elif kind == 3:  # an audience not in the dictionary
        row[9] = "外星人"
    elif kind == 4:  # a link that is not http(s)
        row[15] = "javascript:alert(1)"
    elif kind == 5:  # a unit that does not exist
        row[2] = "不存在街道"
    elif kind == 6:  # a campaign of another year (none is named so)
        row[12] = "不存在的主题活动"
    else:  # a required cell left empty
        row[1] = ""


def rows(n: int, tree: dict, seed: int = DEFAULT_SEED, bad: float = 0.0):
    """Yield (row list, is_bad) for `n` data rows organised by the units of `tree`."""
    rng = random.Random(seed)
    district = tree["district"]
    towns = [(t["name"], t["villages"]) for nt in tree["new_towns"] for t in nt["towns"]]
    new_towns = [(nt["name"], nt["towns"]) for nt in tree["new_towns"]]
    start = date(YEAR, 1, 1)
    spans = [
        (name, date(YEAR, m1, d1), date(YEAR, m2, d2)) for name, (m1, d1), (m2, d2) in CAMPAIGNS
    ]
    for i in range(n):
        # Activities cluster in the campaigns (June most), the rest spread over the year.
        r = rng.random()
        if r < 0.25:
            day = date(YEAR, 6, 1) + timedelta(days=rng.randrange(30))
        elif r < 0.35:
            day = date(YEAR, 11, 1) + timedelta(days=rng.randrange(30))
        else:
            day = start + timedelta(days=rng.randrange(365))
        r = rng.random()
        locality = ""
        if r < 0.75:
            unit, villages = rng.choice(towns)
            if rng.random() < 0.7:
                locality = f"{unit}/{rng.choice(villages)}"
        elif r < 0.95:
            unit, its_towns = rng.choice(new_towns)
            if rng.random() < 0.3:
                town = rng.choice(its_towns)
                locality = f"{town['name']}/{rng.choice(town['villages'])}"
        else:
            unit = district
        campaigns = [name for name, s, e in spans if s <= day <= e and rng.random() < 0.85]
        tasks = rng.sample(TASKS, rng.choice((0, 1, 1, 2))) if rng.random() < 0.6 else []
        timed = rng.random() < 0.7
        hour = rng.randrange(8, 16)
        topic = rng.choice(_TOPICS)
        row = [
            "",
            f"{unit}{topic}{rng.choice(_KINDS)}活动（第{i + 1}场）",
            unit,
            day,
            f"{hour:02d}:{rng.choice(('00', '30'))}" if timed else "",
            f"{hour + rng.randrange(1, 4):02d}:00" if timed else "",
            f"{unit}{rng.choice(_PLACES)}",
            locality,
            "、".join(rng.sample(FIVE_IN, rng.randrange(0, 3))),
            "、".join(rng.sample(AUDIENCES, rng.randrange(1, 3))),
            "、".join(rng.sample(FORMS, rng.randrange(1, 3))),
            rng.randrange(10, 800),
            "、".join(campaigns),
            "、".join(tasks),
            f"围绕{topic}开展宣传，发放资料、现场讲解。" if rng.random() < 0.8 else "",
            f"https://mp.weixin.qq.com/s/bench{i}" if rng.random() < 0.2 else "",
        ]
        is_bad = bad > 0 and rng.random() < bad
        if is_bad:
            _spoil(rng, row)
        yield row, is_bad


def _write_xlsx(path: Path, n: int, tree: dict, seed: int, bad: float) -> int:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    ws = wb.add_worksheet("宣传活动")
    ws.write_row(0, 0, ACTIVITY_HEADERS)
    bad_rows = 0
    for r, (row, is_bad) in enumerate(rows(n, tree, seed, bad), start=1):
        ws.write_row(r, 0, row)
        bad_rows += is_bad
    wb.close()
    return bad_rows


def activity_file(
    n: int,
    tree: dict,
    *,
    seed: int = DEFAULT_SEED,
    bad: float = 0.01,
    directory: Path | None = None,
) -> ActivityFile:
    """The cached activities xlsx for (n, seed, bad, tree), generated on first use."""
    directory = Path(directory or BENCH_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    digest = tree_digest(tree)
    stem = f"activities_v{GENERATOR_VERSION}_{n}_s{seed}_b{round(bad * 1000)}_{digest}"
    path = directory / f"{stem}.xlsx"
    meta_path = directory / f"{stem}.xlsx.json"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return ActivityFile(**{**meta, "path": path})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    bad_rows = _write_xlsx(tmp, n, tree, seed, bad)
    os.replace(tmp, path)
    result = ActivityFile(path=path, rows=n, bad_rows=bad_rows, seed=seed, tree=digest)
    meta_path.write_text(json.dumps(result.meta(), ensure_ascii=False))
    return result
