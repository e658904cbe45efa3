"""`xuanpei demo-accounts`: print the demo accounts and their passwords (`make run` calls it)."""

import unicodedata

from django.core.management.base import BaseCommand
from django.db import connection

from xuanpei.orgs import demo


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "打印演示账号（用户名、密码、角色、所属单位）"

    def handle(self, *args, **options):
        # A fresh checkout has an empty database file: say what to run, not a traceback.
        if "accounts_user" not in connection.introspection.table_names():
            self.stdout.write(
                "数据库尚未建表（先运行 xuanpei migrate，再运行 xuanpei seed-demo）。"
            )
            return
        rows = demo.account_rows()
        if not rows:
            self.stdout.write("未找到演示账号（先运行 xuanpei seed-demo 载入演示数据）。")
            return
        header = ("用户名", "密码", "角色", "所属单位/企业")
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("演示账号（仅供演示，正式使用前请删除或修改密码）：")
        self.stdout.write("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)))
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)))
