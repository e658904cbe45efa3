"""What a roster import changes on the people and certificates it updates (issue #8).

Read from `roster_plan` after planning, as `FieldChange` rows (old → new) for the
preview and the report's 变更明细: the person's name and phone, and each certificate
column that differs (`upsert.CERT_COMPARED`), kinds and items by name.
"""

from __future__ import annotations

from xuanpei.core.imports.changes import FieldChange, display
from xuanpei.core.imports.result import ImportResult
from xuanpei.core.validators import mask_phone
from xuanpei.workforce.models import CertificateKind, OperationItem
from xuanpei.workforce.roster import upsert
from xuanpei.workforce.roster.plan import HEADER_OF

# Field changes listed for one import (preview pages and report); past this, counts only.
CHANGES_LIMIT = 100_000
# Certificate columns (`upsert.CERT_COMPARED`) by the roster column that fills them.
CHANGE_LABELS = (
    ("kind", "kind_id"),
    ("item", "operation_item_id"),
    ("issuing_authority", "issuing_authority"),
    ("first_issue_date", "first_issue_date"),
    ("issue_date", "issue_date"),
    ("valid_until", "valid_until"),
    ("review_due_date", "review_due_date"),
    ("last_review_date", "last_review_date"),
)


def read_changes(cursor, result: ImportResult, post_names: dict) -> None:
    """What each updated row changes, old → new (the preview and the report's 变更明细).

    Phones are masked: the list may show a person registered by someone else.
    """
    kinds = dict(CertificateKind.objects.values_list("code", "name"))
    items = {
        pk: f"{code} {name}"
        for pk, code, name in OperationItem.objects.values_list("pk", "code", "name")
    }
    cert_columns = ", ".join(f"c.{col}, r.{col_s}" for col_s, col in upsert.CERT_COMPARED)
    cursor.execute(
        f"""SELECT r.row_no, r.name, r.num, r.ptype, r.p_act, r.c_act, r.keep,
            p.name, p.phone, r.phone, {cert_columns}
        FROM roster_plan r
        LEFT JOIN workforce_person p ON p.id = r.person_id
        LEFT JOIN workforce_certificate c ON c.id = r.cert_id
        WHERE r.act = %s ORDER BY r.row_no""",
        [upsert.UPDATED],
    )
    shown = {"kind_id": kinds.get, "operation_item_id": items.get}
    labels = {col: HEADER_OF[key] for key, col in CHANGE_LABELS}
    while rows := cursor.fetchmany(2000):
        for row_no, name, num, ptype, p_act, c_act, keep, p_name, p_phone, phone, *cert in rows:
            label = f"{name}（{num or post_names.get(ptype, ptype)}）"
            found = []
            if p_act == 2 and p_name != name:
                found.append((HEADER_OF["name"], p_name, name))
            if p_act == 2 and not keep & 64 and p_phone != phone:
                found.append((HEADER_OF["phone"], mask_phone(p_phone), mask_phone(phone)))
            if c_act in (2, 3, 4):
                for index, (_staged, col) in enumerate(upsert.CERT_COMPARED):
                    old, new = cert[2 * index], cert[2 * index + 1]
                    if str(old or "") != str(new or ""):
                        show = shown.get(col, lambda v: v)
                        found.append((labels[col], display(show(old)), display(show(new))))
            result.changes.extend(FieldChange(row_no, label, *c) for c in found)
            if len(result.changes) >= CHANGES_LIMIT:
                return
