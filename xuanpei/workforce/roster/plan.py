"""Roster rows → staging tuples: columns, look-up tables and the per-row check.

Everything here is plain Python over tuples, no query per row: a 1,000,000-row
roster is checked in a few seconds. What needs the database (duplicates across
the file, existing people and certificates) is decided later in SQL
(`upsert.py`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.imports import Column
from xuanpei.core.imports.changes import is_clear_marker
from xuanpei.core.imports.result import RowError
from xuanpei.core.imports.values import clean_cell, parse_date
from xuanpei.core.scoping import UserScope
from xuanpei.core.validators import (
    MOBILE_PATTERN,
    clean_phone,
    normalize_code,
    parse_id_number,
    uscc_error,
)
from xuanpei.orgs.models import Enterprise
from xuanpei.workforce import rules
from xuanpei.workforce.models import CertificateKind, OperationItem, PostType

COLUMNS = (
    Column(
        "uscc",
        "企业统一社会信用代码",
        aliases=("统一社会信用代码", "信用代码", "社会信用代码", "企业信用代码", "USCC"),
        help=gettext_lazy("18位；企业用户导入本企业名册或使用 --enterprise 时可留空"),
    ),
    Column("enterprise_name", "企业名称", aliases=("单位名称", "企业(单位)名称")),
    Column("name", "姓名", aliases=("人员姓名", "持证人", "持证人姓名"), required=True),
    Column(
        "id_number",
        "身份证号",
        aliases=("身份证号码", "证件号码", "公民身份号码", "身份证", "证件号"),
        required=True,
        help=gettext_lazy("18位，按 GB 11643-1999 校验；末位x可小写"),
    ),
    Column("phone", "手机号", aliases=("手机号码", "联系电话", "电话", "手机")),
    Column(
        "post_type",
        "岗位",
        aliases=("岗位类型", "人员类别", "人员类型"),
        required=True,
    ),
    Column("kind", "证书类型", aliases=("证件类型", "证书类别", "证书名称")),
    Column("category", "作业类别", aliases=("作业类型",)),
    Column("item", "操作项目", aliases=("准操项目", "操作类别")),
    Column("number", "证书编号", aliases=("证号", "证书号", "证书号码", "证件编号")),
    Column("first_issue_date", "初领日期", aliases=("初次领证日期", "初领证日期")),
    Column("issue_date", "发证日期", aliases=("发证时间", "签发日期")),
    Column("valid_until", "有效期至", aliases=("有效期", "有效期限", "有效截止日期", "有效期截止")),
    Column("review_due_date", "应复审日期", aliases=("应复审时间", "复审日期")),
    Column("last_review_date", "实际复审日期", aliases=("实际复审时间", "复审时间")),
    Column("issuing_authority", "发证机关", aliases=("发证单位", "发证部门")),
)
HEADERS = [c.header for c in COLUMNS]
CERT_KEYS = (
    "kind",
    "number",
    "first_issue_date",
    "issue_date",
    "valid_until",
    "review_due_date",
    "last_review_date",
    "issuing_authority",
)
DATE_KEYS = ("first_issue_date", "issue_date", "valid_until", "review_due_date", "last_review_date")
HEADER_OF = {c.key: c.header for c in COLUMNS}
COLUMN_OF = {c.key: c for c in COLUMNS}
# Cells a person may clear with （清空） (issue #8); the rest identify the row or must
# hold a value (有效期至: left blank it is kept, or derived for a new certificate).
CLEARABLE = {
    "enterprise_name",
    "phone",
    "issuing_authority",
    "first_issue_date",
    "last_review_date",
}
# A blank cell keeps the stored value: one bit per staged column (`roster_stage.keep`),
# read by `upsert.KEEP_SQL` and the person update.
KEEP_BITS = {
    "kind": 1,
    "issuing_authority": 2,
    "first_issue_date": 4,
    "valid_until": 8,
    "review_due_date": 16,
    "last_review_date": 32,
    "phone": 64,
}

# The staging table's columns, in the order `Plan.check` builds its tuples.
STAGE_COLUMNS = (
    "row_no",
    "ent",
    "idn",
    "name",
    "phone",
    "gender",
    "birth",
    "ptype",
    "item",
    "kind",
    "citem",
    "num",
    "auth",
    "first_issue",
    "issue",
    "valid_until",
    "review_due",
    "last_review",
    "keep",
)

_SPACES = re.compile(r"\s+")
# A space between two CJK characters is a typo ("张 三"); between Latin words it is not.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff·]) (?=[\u3400-\u9fff·])")
_NOTE = re.compile(r"[(（][^)）]*[)）]")


@functools.lru_cache(maxsize=4096)
def norm_key(text: str) -> str:
    """How names of post types, kinds and catalogue entries are compared (a roster
    repeats a handful of them, hence the cache)."""
    text = unicodedata.normalize("NFKC", str(text))
    return _NOTE.sub("", _SPACES.sub("", text)).upper()


def clean_name(text: str) -> str:
    if _SPACES.search(text) is None:  # the usual name: nothing to collapse
        return text
    return _CJK_GAP.sub("", _SPACES.sub(" ", text))


@functools.lru_cache(maxsize=65536)
def checked_uscc(text: str) -> tuple[str, str | None]:
    """(normalised USCC, reason it is invalid or None): a roster repeats its enterprises."""
    uscc = normalize_code(text)
    return uscc, (uscc_error(uscc) if uscc else None)


def checked_phone(text: str) -> str:
    """`clean_phone`, with a fast way through for a plain 11-digit mobile (stored as is)."""
    if MOBILE_PATTERN.match(text):
        return text
    return clean_phone(text)


@functools.lru_cache(maxsize=65536)
def cached_date(text: str) -> date:
    """`parse_date` with a cache: a roster's dates repeat (a few thousand distinct days)."""
    return parse_date(text)


@functools.lru_cache(maxsize=65536)
def derived_review_due(kind_code, issue, valid_until, last_review):
    return rules.next_review_due(
        _KIND_RULES[kind_code],
        issue_date=issue,
        valid_until=valid_until,
        last_review_date=last_review,
    )


_KIND_RULES: dict[str, rules.KindRules] = {}


class RowRejected(Exception):
    pass


@dataclass
class Lookups:
    """The small dictionaries a roster row refers to, loaded once per import."""

    post_types: dict[str, str]  # normalised name or code → code
    post_labels: str
    requires_item: set[str]  # post types whose certificate names an operation item
    default_kind: dict[str, str]  # post type → its only certificate kind
    kinds: dict[str, str]  # normalised name or code → code
    kind_labels: str
    kind_posts: dict[str, frozenset[str]]
    kind_needs_item: set[str]
    items: dict[str, int]  # "1.1", "高压电工作业", "1.1高压电工作业" → item id
    item_category: dict[int, str]  # item id → category code
    categories: dict[str, str]  # "1", "电工作业", "1电工作业" → category code
    enterprises: dict[str, int]  # USCC → pk (all enterprises)
    in_scope: set[int] | None  # enterprise pks the user may import into; None = all

    @classmethod
    def load(cls, user) -> Lookups:
        post_types, requires_item, default_kind = {}, set(), {}
        kinds, kind_posts, kind_needs_item = {}, {}, set()
        kind_objects = list(CertificateKind.objects.prefetch_related("post_types"))
        for kind in kind_objects:
            _KIND_RULES[kind.code] = rules.KindRules.of(kind)
            kinds[norm_key(kind.name)] = kind.code
            kinds[norm_key(kind.code)] = kind.code
            kind_posts[kind.code] = frozenset(pt.code for pt in kind.post_types.all())
            if kind.requires_operation_item:
                kind_needs_item.add(kind.code)
        post_objects = list(PostType.objects.all())
        for pt in post_objects:
            post_types[norm_key(pt.name)] = pt.code
            post_types[norm_key(pt.code)] = pt.code
            if pt.name.endswith("人员"):
                post_types.setdefault(norm_key(pt.name[:-2]), pt.code)
            fitting = [k for k in kind_objects if pt.code in kind_posts[k.code]]
            if len(fitting) == 1:
                default_kind[pt.code] = fitting[0].code
            if any(k.code in kind_needs_item for k in fitting):
                requires_item.add(pt.code)
        items, item_category, categories = {}, {}, {}
        current = OperationItem.objects.filter(category__version__is_current=True).select_related(
            "category"
        )
        for item in current:
            cat = item.category
            for key in (item.code, item.name, item.code + item.name):
                items.setdefault(norm_key(key), item.pk)
            item_category[item.pk] = cat.code
            for key in (cat.code, cat.name, cat.code + cat.name):
                categories.setdefault(norm_key(key), cat.code)
        enterprises = dict(Enterprise.objects.values_list("uscc", "pk"))
        in_scope = None
        if user is not None and user.enterprise_id:
            in_scope = {user.enterprise_id}
        elif user is not None and not UserScope.of(user).everything:
            in_scope = set(Enterprise.objects.for_user(user, "import").values_list("pk", flat=True))
        return cls(
            post_types=post_types,
            post_labels="、".join(pt.name for pt in post_objects),
            requires_item=requires_item,
            default_kind=default_kind,
            kinds=kinds,
            kind_labels="、".join(k.name for k in kind_objects),
            kind_posts=kind_posts,
            kind_needs_item=kind_needs_item,
            items=items,
            item_category=item_category,
            categories=categories,
            enterprises=enterprises,
            in_scope=in_scope,
        )


class Plan:
    """Checks one row at a time: cells in, a staging tuple or a list of RowErrors out."""

    def __init__(
        self, lookups: Lookups, positions: dict[str, int], *, enterprise_id=None, fixed=False
    ):
        self.lk = lookups
        # For rows that leave the USCC blank: --enterprise, or the enterprise user's own.
        self.enterprise_id = enterprise_id
        self.fixed_uscc = None  # --enterprise: a row naming another enterprise is an error
        if enterprise_id is not None and fixed:
            self.fixed_uscc = next(
                (u for u, pk in lookups.enterprises.items() if pk == enterprise_id), None
            )
        self.positions = tuple(positions.items())
        self.today = date.today()

    def read(self, number: int, cells: list) -> tuple[dict[str, str], list[RowError]] | None:
        """Cells → cleaned text by column key; None for a blank row (not counted)."""
        text: dict[str, str] = {}
        errors: list[RowError] = []
        width = len(cells)
        for key, index in self.positions:
            raw = cells[index] if index < width else ""
            if raw == "" or raw is None:
                text[key] = ""
                continue
            try:
                text[key] = clean_cell(raw)
            except ValidationError as exc:
                text[key] = str(raw).strip()
                errors.append(RowError(number, HEADER_OF[key], text[key], exc.messages[0]))
        if not errors and not any(text.values()):
            return None
        return text, errors

    def check(self, number: int, text: dict[str, str], errors: list[RowError]):
        """Return (staging tuple, []) for a good row, or (None, errors)."""
        lk = self.lk
        get = text.get

        def reject(key: str, message: str) -> RowError:
            error = RowError(number, HEADER_OF[key], get(key, ""), str(message))
            errors.append(error)
            return error

        cleared, refused = self._clear_markers(text, reject)

        # Enterprise
        ent = self.enterprise_id
        uscc, reason = checked_uscc(get("uscc", ""))
        if uscc:
            if reason:
                reject("uscc", reason)
            elif self.fixed_uscc is not None and self.fixed_uscc != uscc:
                reject("uscc", _("与指定导入的企业（%(uscc)s）不一致") % {"uscc": self.fixed_uscc})
            else:
                ent = lk.enterprises.get(uscc)
                if ent is None:
                    reject("uscc", _("未找到该统一社会信用代码的企业，请先导入或登记企业"))
                elif lk.in_scope is not None and ent not in lk.in_scope:
                    reject("uscc", _("该企业不在您的管辖范围内，不能导入其人员"))
        elif ent is None:
            reject("uscc", _("企业统一社会信用代码不能为空"))

        # Person
        name = clean_name(get("name", ""))
        if not name:
            reject("name", _("姓名不能为空"))
        elif len(name) > 50:
            reject("name", _("姓名不能超过50个字"))
        idn = gender = birth = None
        raw_id = get("id_number", "")
        if not raw_id:
            reject("id_number", _("身份证号不能为空"))
        else:
            try:
                info = parse_id_number(raw_id, allow_legacy=False, today=self.today)
                idn, gender, birth = info.number, info.gender, info.birth_date
            except ValidationError as exc:
                reject("id_number", exc.messages[0])
        phone = get("phone", "")
        if phone:
            # The model field's check (issue #8 item 7): a mobile or a landline with its
            # area code, stored normalised; a masked export (139****0002) is refused.
            try:
                phone = checked_phone(phone)
            except ValidationError as exc:
                reject("phone", exc.messages[0])

        # Post
        ptype = None
        raw_post = get("post_type", "")
        if not raw_post:
            reject("post_type", _("岗位不能为空"))
        else:
            ptype = lk.post_types.get(norm_key(raw_post))
            if ptype is None:
                reject(
                    "post_type",
                    _("无法识别的岗位“%(value)s”，可填：%(allowed)s")
                    % {"value": raw_post, "allowed": lk.post_labels},
                )
        item = None
        raw_item, raw_cat = get("item", ""), get("category", "")
        cat = None
        if raw_cat:
            cat = lk.categories.get(norm_key(raw_cat))
            if cat is None:
                reject("category", _("现行特种作业目录中没有作业类别“%(v)s”") % {"v": raw_cat})
        if raw_item:
            item = lk.items.get(norm_key(raw_item))
            if item is None and cat is not None:
                item = lk.items.get(norm_key(f"{cat}.{raw_item}"))
            if item is None:
                reject(
                    "item",
                    _("现行特种作业目录中没有操作项目“%(v)s”（可填代码如 1.1 或名称）")
                    % {"v": raw_item},
                )
            elif cat is not None and lk.item_category[item] != cat:
                reject("item", _("操作项目不属于作业类别“%(c)s”") % {"c": raw_cat})
        elif ptype in lk.requires_item:
            reject("item", _("特种作业人员须填写操作项目"))

        # Certificate
        cert_no = normalize_code(get("number", ""))
        kind = None
        dates = {}
        for key in DATE_KEYS:
            raw = get(key, "")
            if raw:
                try:
                    dates[key] = cached_date(raw)
                except ValidationError as exc:
                    reject(key, exc.messages[0])
        auth = get("issuing_authority", "")
        if not cert_no:
            if any(get(k) for k in CERT_KEYS):
                reject("number", _("填写了证书信息但缺少证书编号"))
        else:
            if len(cert_no) > 50:
                reject("number", _("证书编号不能超过50位"))
            raw_kind = get("kind", "")
            if raw_kind:
                kind = lk.kinds.get(norm_key(raw_kind))
                if kind is None:
                    reject(
                        "kind",
                        _("无法识别的证书类型“%(value)s”，可填：%(allowed)s")
                        % {"value": raw_kind, "allowed": lk.kind_labels},
                    )
            elif ptype is not None:
                kind = lk.default_kind.get(ptype)
                if kind is None:
                    reject("kind", _("请填写证书类型"))
            if kind is not None and ptype is not None and ptype not in lk.kind_posts[kind]:
                reject("kind", _("证书类型与岗位不符"))
            if (
                kind in lk.kind_needs_item
                and item is None
                and not raw_item
                and ptype not in lk.requires_item
            ):
                reject("item", _("特种作业操作证须填写操作项目"))
            if len(auth) > 100:
                reject("issuing_authority", _("发证机关不能超过100个字"))
            issue = dates.get("issue_date")
            if issue is None and not get("issue_date"):
                reject("issue_date", _("有证书编号时发证日期不能为空"))
            if issue is not None:
                if issue > self.today:
                    reject("issue_date", _("发证日期晚于今天"))
                valid_until = dates.get("valid_until")
                if valid_until is not None and valid_until < issue:
                    reject("valid_until", _("有效期至早于发证日期"))
                first = dates.get("first_issue_date")
                if first is not None and first > issue:
                    reject("first_issue_date", _("初领日期晚于发证日期"))
                last = dates.get("last_review_date")
                if last is not None and last < issue:
                    reject("last_review_date", _("实际复审日期早于发证日期"))
                if last is not None and last > self.today:
                    reject("last_review_date", _("实际复审日期晚于今天"))
        if refused:  # the clear marker's own error is the one to read, not "X不能为空"
            errors[:] = [e for e in errors if e.column not in refused or e is refused[e.column]]
        if errors:
            return None, errors

        if cert_no:
            issue = dates["issue_date"]
            valid_until = dates.get("valid_until") or rules.default_valid_until(
                _KIND_RULES[kind], issue
            )
            last = dates.get("last_review_date")
            review_due = dates.get("review_due_date")
            if review_due is None:
                review_due = derived_review_due(kind, issue, valid_until, last)
            first = dates.get("first_issue_date") or (
                None if "first_issue_date" in cleared else issue
            )
            citem = item if kind in lk.kind_needs_item else None
            cert = (kind, citem, cert_no, auth, first, issue, valid_until, review_due, last)
        else:
            cert = (None, None, None, "", None, None, None, None, None)
        keep = sum(bit for key, bit in KEEP_BITS.items() if not get(key) and key not in cleared)
        return (number, ent, idn, name, phone, gender, birth, ptype, item, *cert, keep), []

    @staticmethod
    def _clear_markers(text: dict[str, str], reject) -> tuple[set[str], dict[str, RowError]]:
        """（清空） cells: cleared keys, and the refused ones (header → their error)."""
        cleared: set[str] = set()
        refused: dict[str, RowError] = {}
        for key, value in text.items():
            if not value or not is_clear_marker(value):
                continue
            if key not in CLEARABLE:
                column = COLUMN_OF[key]
                if column.required:
                    message = _("%(c)s是必填项，不能清空") % {"c": column.header}
                else:
                    message = _("%(c)s不能清空：留空即保持原值（新证书按规定推算）") % {
                        "c": column.header
                    }
                refused[column.header] = reject(key, message)
            text[key] = ""
            if key in CLEARABLE:
                cleared.add(key)
        return cleared, refused


def enterprise_for_option(uscc: str, lookups: Lookups) -> int:
    """The pk of the --enterprise USCC; ValueError in English for the CLI, checked scope."""
    code = normalize_code(uscc)
    pk = lookups.enterprises.get(code)
    if pk is None:
        raise RowRejected(_("未找到统一社会信用代码为 %(u)s 的企业") % {"u": code})
    if lookups.in_scope is not None and pk not in lookups.in_scope:
        raise RowRejected(_("企业 %(u)s 不在您的管辖范围内") % {"u": code})
    return pk
