"""Roster rows for tests and the quick benchmark (not collected: no test_ prefix)."""

from __future__ import annotations

from datetime import date, timedelta

from xuanpei.workforce.factories import make_id_number
from xuanpei.workforce.roster.plan import HEADERS

SPECIAL = ("特种作业人员", "特种作业操作证", "1", "1.1")


def roster_row(uscc: str, n: int, **values) -> list:
    """Row `n` of a realistic roster: a 特种作业 post with its "T"+ID certificate."""
    idn = make_id_number(n)
    issue = date(2019, 1, 1) + timedelta(days=n % 1500)
    base = {
        "企业统一社会信用代码": uscc,
        "企业名称": "",
        "姓名": f"人员{n:07d}",
        "身份证号": idn,
        "手机号": f"139{n:08d}",
        "岗位": "特种作业人员",
        "证书类型": "特种作业操作证",
        "作业类别": "1",
        "操作项目": "1.1",
        "证书编号": "T" + idn,
        "初领日期": issue.isoformat(),
        "发证日期": issue.isoformat(),
        "有效期至": "",
        "应复审日期": "",
        "实际复审日期": "",
        "发证机关": "测试市应急管理局",
    }
    base.update(values)
    return [base[h] for h in HEADERS]


def uncertified_row(uscc: str, n: int, **values) -> list:
    """Row `n` as a post without a certificate (every certificate column blank)."""
    blank = {h: "" for h in ("证书类型", "证书编号", "初领日期", "发证日期", "发证机关")}
    return roster_row(uscc, n, **{**blank, **values})
