"""Names in pinyin order on PostgreSQL, code-point order on SQLite (issue #10 item 5).

Our PostgreSQL databases are created with the C.UTF-8 collation, which orders
Chinese by Unicode code point: 张三 (U+5F20) before 李四 (U+674E) — an order a
reader cannot follow. PostgreSQL 15 ships ICU collations; "zh-x-icu" (CLDR's
Chinese root collation) orders Han characters by pinyin: 阿强, 李四, 王五, 张三.
SQLite has no ICU and keeps the code-point order (docs/decisions.md, "Pinyin order").

`PinyinCollate("name")` is `name COLLATE "zh-x-icu"` on PostgreSQL and plain
`name` elsewhere. It is one expression for every database, so Meta.ordering and
indexes built from it give the same migration on both; the vendor is chosen when
the SQL is compiled. Only ORDER BY (and the index serving it) use the collation:
the column keeps the database's collation, so equality, uniqueness and the
imports' comparisons with their staging tables are unchanged.
"""

from __future__ import annotations

from django.db.models import F, Func, OrderBy

PINYIN_COLLATION = "zh-x-icu"


class PinyinCollate(Func):
    """`expression COLLATE "zh-x-icu"` on PostgreSQL, the bare expression elsewhere.

    A Func rather than a subclass of Django's Collate: an index built from Collate
    treats it as a wrapper of a known type and refuses subclasses. In an index,
    PostgreSQL strips the top-level COLLATE of the expression and builds a plain
    column index with that collation, which ORDER BY name COLLATE "zh-x-icu" uses.
    """

    template = f'%(expressions)s COLLATE "{PINYIN_COLLATION}"'

    def __init__(self, expression):
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor == "postgresql":
            return super().as_sql(compiler, connection, **extra_context)
        return compiler.compile(self.get_source_expressions()[0])


def name_order(field: str = "name", *, descending: bool = False) -> OrderBy:
    """ORDER BY `field` in pinyin (PostgreSQL) — for order_by() and Meta.ordering."""
    expression = PinyinCollate(F(field))
    return expression.desc() if descending else expression.asc()
