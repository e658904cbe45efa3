"""Deterministic roster files (花名册) for the import benchmark: N rows, the issue's headers.

Everything is invented: ID numbers carry a valid GB 11643 check character,
USCCs a valid GB 32100 one, phones sit in the 199-0000 block. The same
(rows, seed, bad ratio) always gives the same file, cached under var/bench/ so
that a rerun does not spend a minute writing a million-row xlsx again.

    python -m bench.gen_roster --rows 100000 [--format xlsx|csv] [--bad 0.01]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from xuanpei.core.validators import USCC_CHARSET, id_check_char, uscc_check_char

GENERATOR_VERSION = 1  # bump when the content changes, so cached files are regenerated
ROWS_PER_ENTERPRISE = 20  # 1,000,000 rows → 50,000 enterprises, as in the compliance bench
DEFAULT_SEED = 20260403
BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
TODAY = date(2026, 6, 30)  # fixed, so that a file's statuses do not drift with the calendar

HEADERS = [
    "企业统一社会信用代码",
    "企业名称",
    "姓名",
    "身份证号",
    "手机号",
    "岗位",
    "证书类型",
    "作业类别",
    "操作项目",
    "证书编号",
    "初领日期",
    "发证日期",
    "有效期至",
    "应复审日期",
    "实际复审日期",
    "发证机关",
]
TITLE = "三项岗位人员花名册（基准测试数据，均为虚构）"

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志海峰鹏飞宇浩凯文博晨阳雪梅琳丹斌亮辉婷俊波宁欣佳瑞成龙虎"
# Address codes (first six digits of an ID number); the first two must be a province.
_AREAS = tuple(
    [
        "610102",
        "610103",
        "610104",
        "610111",
        "610112",
        "610113",
        "610114",
        "610115",
        "610116",
        "610117",
        "610122",
        "610124",
        "610402",
        "610502",
        "612301",
        "411302",
        "622101",
        "140105",
        "510106",
        "420106",
        "130102",
        "371102",
    ]
)
_AUTHORITIES = ("西安市应急管理局", "陕西省应急管理厅", "咸阳市应急管理局", "秦川区应急管理局")
_EQUIPMENT_AUTHORITY = "西安市市场监督管理局"
_CONSTRUCTION_AUTHORITY = "陕西省住房和城乡建设厅"

# (作业类别, 操作项目, weight): the common items of the 2010 catalogue, as they appear on rosters.
_ITEMS = (
    ("电工作业", "低压电工作业", 30),
    ("电工作业", "高压电工作业", 10),
    ("电工作业", "防爆电气作业", 2),
    ("焊接与热切割作业", "熔化焊接与热切割作业", 22),
    ("焊接与热切割作业", "压力焊作业", 2),
    ("高处作业", "登高架设作业", 8),
    ("高处作业", "高处安装、维护、拆除作业", 10),
    ("制冷与空调作业", "制冷与空调设备运行操作作业", 4),
    ("制冷与空调作业", "制冷与空调设备安装修理作业", 3),
    ("危险化学品安全作业", "化工自动化控制仪表作业", 3),
    ("危险化学品安全作业", "加氢工艺作业", 1),
    ("危险化学品安全作业", "聚合工艺作业", 1),
    ("冶金(有色)生产安全作业", "煤气作业", 2),
    ("烟花爆竹安全作业", "烟花爆竹储存作业", 1),
)
_ITEM_WEIGHTS = [w for *_, w in _ITEMS]

# (post, certificate kind, validity years, review years, share of rows)
_POSTS = (
    ("特种作业人员", "特种作业操作证", 6, 3, 0.55),
    ("安全生产管理人员", "安全生产知识和管理能力考核合格证", 3, None, 0.15),
    ("主要负责人", "安全生产知识和管理能力考核合格证", 3, None, 0.04),
    ("特种设备作业人员", "特种设备安全管理和作业人员证", 4, None, 0.10),
    ("建筑施工特种作业人员", "建筑施工特种作业操作资格证", 2, None, 0.06),
    ("其他从业人员", "", 0, None, 0.10),
)
_POST_WEIGHTS = [share for *_, share in _POSTS]
SECOND_POST_SHARE = 0.04  # rows that repeat the previous person with a second post
UNCERTIFIED_SHARE = 0.03  # certified posts listed without a certificate (未持证上岗)
VARIANT_DATE_SHARE = 0.10  # dates written as text: 2022/3/5, 2022.3.5, 2022年3月5日


@dataclass(frozen=True)
class RosterFile:
    path: Path
    rows: int  # data rows (title and header excluded)
    bad_rows: int
    enterprises: int
    seed: int
    format: str

    def meta(self) -> dict:
        return {**asdict(self), "path": str(self.path)}


def make_uscc(n: int, region: str = "610199") -> str:
    """Enterprise number `n` as a valid invented USCC (the scheme of orgs.factories.make_uscc)."""
    tail = ""
    for _ in range(9):
        n, r = divmod(n, len(USCC_CHARSET))
        tail = USCC_CHARSET[r] + tail
    first17 = f"91{region}{tail}"
    return first17 + uscc_check_char(first17)


def enterprise_count(rows: int) -> int:
    return max(1, math.ceil(rows / ROWS_PER_ENTERPRISE))


def enterprise(k: int) -> tuple[str, str]:
    """(USCC, name) of the benchmark's enterprise `k` (0-based), the same in every file."""
    return make_uscc(5_000_000 + k), f"基准测试企业{k:06d}有限公司"


def enterprises(rows: int) -> list[tuple[str, str]]:
    """The enterprises a file of `rows` rows refers to; the bench seeds exactly these."""
    return [enterprise(k) for k in range(enterprise_count(rows))]


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class _People:
    """Unique invented people; ID numbers drawn at random and never repeated."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            born = date(1966, 1, 1) + timedelta(days=rng.randrange(365 * 36))
            first17 = f"{rng.choice(_AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                break
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1990000{rng.randrange(10000):04d}"
        return rng.choice(_SURNAMES) + given, number, phone


def _date_cell(rng: random.Random, d: date | None, *, as_text: bool):
    if d is None:
        return ""
    if rng.random() < VARIANT_DATE_SHARE:
        fmt = rng.randrange(3)
        if fmt == 0:
            return f"{d.year}/{d.month}/{d.day}"
        if fmt == 1:
            return f"{d.year}.{d.month}.{d.day}"
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat() if as_text else d


def _spoil(rng: random.Random, row: list, i: int) -> None:
    """Make one row wrong in one of the ways the importer must report (never a crash)."""
    kind = rng.randrange(5)
    if kind == 0:  # wrong ID check character
        number = row[3]
        row[3] = number[:17] + ("0" if number[17] != "0" else "1")
    elif kind == 1:  # a date that does not exist
        row[11] = "2023-02-30"
    elif kind == 2:  # an operation item that is not in the catalogue
        row[5], row[6] = "特种作业人员", "特种作业操作证"
        row[7], row[8] = "电工作业", "不存在的操作项目"
    elif kind == 3:  # a required cell left empty
        row[2] = ""
    else:  # an enterprise that is not registered
        row[0], row[1] = make_uscc(9_000_000 + i), "未登记企业有限公司"


def rows(n: int, seed: int = DEFAULT_SEED, bad: float = 0.0, *, as_text: bool = False):
    """Yield (row list, is_bad) for `n` data rows; `as_text` writes dates as ISO text (csv)."""
    rng = random.Random(seed)
    people = _People(rng)
    person = None
    prev_post = None
    for i in range(n):
        uscc, ent_name = enterprise(i // ROWS_PER_ENTERPRISE)
        same_enterprise_as_prev = i % ROWS_PER_ENTERPRISE != 0
        if person and same_enterprise_as_prev and rng.random() < SECOND_POST_SHARE:
            # A second post for the previous person, of another kind (another number).
            choices = [p for p in _POSTS if p[0] != prev_post and p[1] != _kind_of(prev_post)]
            post = rng.choice(choices)
        else:
            person = people.new()
            post = rng.choices(_POSTS, _POST_WEIGHTS)[0]
        name, id_number, phone = person
        post_name, kind, validity, review_years, _share = post
        prev_post = post_name
        category = item = number = authority = ""
        first_issue = issue = valid_until = review_due = reviewed = None
        if kind and rng.random() >= UNCERTIFIED_SHARE:
            issue = TODAY - timedelta(days=rng.randrange(int(365 * (validity + 0.3))))
            first_issue = issue
            if rng.random() < 0.3:  # renewed at least once
                first_issue = _add_years(issue, -validity)
            valid_until = _add_years(issue, validity) - timedelta(days=1)
            if post_name == "特种作业人员":
                category, item, _w = rng.choices(_ITEMS, _ITEM_WEIGHTS)[0]
                number = "T" + id_number
                authority = rng.choice(_AUTHORITIES)
            elif kind == "安全生产知识和管理能力考核合格证":
                number = f"AQ{issue.year}{i:09d}"
                authority = rng.choice(_AUTHORITIES)
            elif post_name == "特种设备作业人员":
                number = f"TZSB{issue.year}{i:09d}"
                authority = _EQUIPMENT_AUTHORITY
            else:
                number = f"JZ{issue.year}{i:09d}"
                authority = _CONSTRUCTION_AUTHORITY
            if review_years:
                review_due = _add_years(issue, review_years)
                if review_due <= TODAY and rng.random() < 0.85:
                    reviewed = review_due - timedelta(days=rng.randrange(60))
        elif post_name == "特种作业人员":
            category, item, _w = rng.choices(_ITEMS, _ITEM_WEIGHTS)[0]
        row = [
            uscc,
            ent_name,
            name,
            id_number,
            phone,
            post_name,
            kind if number else "",
            category,
            item,
            number,
            _date_cell(rng, first_issue, as_text=as_text),
            _date_cell(rng, issue, as_text=as_text),
            _date_cell(rng, valid_until, as_text=as_text),
            _date_cell(rng, review_due, as_text=as_text),
            _date_cell(rng, reviewed, as_text=as_text),
            authority,
        ]
        is_bad = bad > 0 and rng.random() < bad
        if is_bad:
            _spoil(rng, row, i)
        yield row, is_bad


def _kind_of(post_name: str | None) -> str:
    return next((p[1] for p in _POSTS if p[0] == post_name), "")


def _write_xlsx(path: Path, n: int, seed: int, bad: float) -> int:
    import xlsxwriter

    # constant_memory streams each row to disk: a million rows in a few MB of RAM.
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, [TITLE])
    ws.write_row(1, 0, HEADERS)
    bad_rows = 0
    for r, (row, is_bad) in enumerate(rows(n, seed, bad), start=2):
        ws.write_row(r, 0, row)
        bad_rows += is_bad
    wb.close()
    return bad_rows


def _write_csv(path: Path, n: int, seed: int, bad: float) -> int:
    bad_rows = 0
    # UTF-8 with BOM, as Excel writes "CSV UTF-8"; no title row (csv exports have none).
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for row, is_bad in rows(n, seed, bad, as_text=True):
            w.writerow(row)
            bad_rows += is_bad
    return bad_rows


def roster_file(
    n: int,
    *,
    fmt: str = "xlsx",
    seed: int = DEFAULT_SEED,
    bad: float = 0.0,
    directory: Path | None = None,
) -> RosterFile:
    """The cached roster file for (n, seed, bad, fmt), generated on first use."""
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown format {fmt!r}")
    directory = Path(directory or BENCH_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"roster_v{GENERATOR_VERSION}_{n}_s{seed}_b{round(bad * 1000)}"
    path = directory / f"{stem}.{fmt}"
    meta_path = directory / f"{stem}.{fmt}.json"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return RosterFile(**{**meta, "path": path})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    writer = _write_xlsx if fmt == "xlsx" else _write_csv
    bad_rows = writer(tmp, n, seed, bad)
    os.replace(tmp, path)
    result = RosterFile(
        path=path,
        rows=n,
        bad_rows=bad_rows,
        enterprises=enterprise_count(n),
        seed=seed,
        format=fmt,
    )
    meta_path.write_text(json.dumps(result.meta(), ensure_ascii=False))
    return result


def parse_count(text: str) -> int:
    """'200', '100k', '1M', '1_000_000' → int."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if scale > 1 else t) * scale)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=parse_count, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--bad", type=float, default=0.0, help="share of bad rows, e.g. 0.01")
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    f = roster_file(args.rows, fmt=args.format, seed=args.seed, bad=args.bad, directory=args.dir)
    print(json.dumps(f.meta(), ensure_ascii=False))


if __name__ == "__main__":
    main()
