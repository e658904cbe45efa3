"""The ledger's dictionaries: audiences (宣传对象) and activity forms (活动形式), issue #11 §3.

Migration 0004 loads them, but a `flush` — which pytest-django runs after every
`transaction=True` test (the browser tests) — empties every table, migration data
included. Tests, factories and the demo call `ensure_ledger_dictionaries()` so that
they find the rows whatever ran before (as `workforce.dictionaries` does).
"""

from __future__ import annotations

AUDIENCES = (
    "市民",
    "中小学生",
    "企业职工",
    "特种作业人员",
    "老年人",
    "外来务工人员",
    "农村居民",
    "网格员",
    "党政干部",
    "企业负责人和安全管理人员",
    "其他",
)

FORMS = (
    "宣讲",
    "咨询台",
    "演练",
    "展览",
    "影视宣教",
    "网络宣教",
    "发放资料",
    "户外广告/电子屏",
    "宣传栏",
    "科普馆参观",
    "知识竞赛",
    "其他",
)


def _load(model, names) -> int:
    existing = set(model.objects.values_list("name", flat=True))
    new = [
        model(name=name, order=(i + 1) * 10) for i, name in enumerate(names) if name not in existing
    ]
    model.objects.bulk_create(new)
    return len(new)


def load_ledger_dictionaries(audience_model, form_model) -> int:
    """Create the entries that are missing (by name); returns how many were added."""
    return _load(audience_model, AUDIENCES) + _load(form_model, FORMS)


def ensure_ledger_dictionaries() -> int:
    """Idempotent and cheap when the rows are there (two small queries)."""
    from xuanpei.publicity.models_ledger import ActivityForm, Audience

    return load_ledger_dictionaries(Audience, ActivityForm)
