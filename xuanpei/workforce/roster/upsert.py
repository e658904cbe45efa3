"""Set-based SQL over the staging table: plan every row, then write, with the audit log.

One `CREATE TEMP TABLE roster_plan AS SELECT …` decides, for all rows at once:
  - duplicates inside the file (window functions over the staging table):
    a certificate number given to two ID numbers, one certificate written with
    different details, one ID number with two names or phones, one post twice;
  - what exists (joins on the natural keys: 身份证号, current 证书编号, and the
    on-duty post person + enterprise + post type + operation item) and what
    the row may not touch (a number registered to someone else, or by an
    enterprise outside the user's scope, or a revoked/cancelled certificate);
  - per row: person created/updated, post created, certificate created /
    updated in place / new version, and the row's outcome.
Then a handful of INSERT … SELECT / UPDATE … FROM statements write it all, each
followed by the LogEntry rows django-auditlog would have written (actor, remote
address, content type, object pk/repr, changes as JSON with ID numbers and
phones masked like `auditlog.diff.mask_str`).

Versions (keep it simple, issue #3 §2): a row whose 实际复审日期 is later than the
stored version's last review (and its effective date) adds a 复审 version
effective that day; a row whose 发证日期 is later than the stored one adds a
换证 version effective from the new issue date; any other difference updates
the current version in place. The previous version is closed (`is_current`
false, `superseded_on` = the new version's effective date), as the services do.

The same SQL runs on PostgreSQL and SQLite (≥ 3.35); `Dialect` names the few
differences (JSON builders, NULL-safe comparison, inet cast).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from xuanpei.workforce.models import Certificate, Person, Post

# DEBUG logs each statement's duration: the place to look when an import is slow.
logger = logging.getLogger("xuanpei.workforce.roster")

# Outcome codes in roster_plan.act
CREATED, UPDATED, UNCHANGED, REJECTED = "c", "u", "n", "r"
ACTIONS = {CREATED: "created", UPDATED: "updated", UNCHANGED: "unchanged"}


@dataclass(frozen=True)
class Dialect:
    pg: bool

    @property
    def obj(self) -> str:
        return "jsonb_build_object" if self.pg else "json_object"

    @property
    def arr(self) -> str:
        return "jsonb_build_array" if self.pg else "json_array"

    def strip_nulls(self, expr: str) -> str:
        # json_patch('{}', x) drops x's null members (RFC 7396), like jsonb_strip_nulls.
        return f"jsonb_strip_nulls({expr})" if self.pg else f"json_patch('{{}}', {expr})"

    def differ(self, a: str, b: str) -> str:
        return f"({a} IS DISTINCT FROM {b})" if self.pg else f"({a} IS NOT {b})"

    def same(self, a: str, b: str) -> str:
        return f"({a} IS NOT DISTINCT FROM {b})" if self.pg else f"({a} IS {b})"

    @property
    def inet(self) -> str:
        return "CAST(%s AS inet)" if self.pg else "%s"

    @property
    def temp(self) -> str:
        return "CREATE TEMP TABLE"


def txt(expr: str) -> str:
    """A value as auditlog writes it into `changes`: str(value), 'None' for NULL."""
    return f"COALESCE(CAST({expr} AS TEXT), 'None')"


def masked(expr: str) -> str:
    """`auditlog.diff.mask_str` in SQL: the first half of the characters become *."""
    stars = "'" + "*" * 50 + "'"
    return f"(substr({stars}, 1, length({expr}) / 2) || substr({expr}, length({expr}) / 2 + 1))"


def pair(d: Dialect, old: str, new: str) -> str:
    return f"{d.arr}({old}, {new})"


CERT_COMPARED = (
    # (staging column, certificate column)
    ("kind", "kind_id"),
    ("citem", "operation_item_id"),
    ("auth", "issuing_authority"),
    ("first_issue", "first_issue_date"),
    ("issue", "issue_date"),
    ("valid_until", "valid_until"),
    ("review_due", "review_due_date"),
    ("last_review", "last_review_date"),
)


def keep_sql(d: Dialect) -> str:
    """Blank cells keep the stored certificate (issue #8): fill them in from it, in place.

    Runs on the staging table before the plan, so duplicates, outcomes and every
    write below see the values the certificate will have. `keep` has one bit per
    blank cell (`plan.KEEP_BITS`). Dates that follow from the issue date (有效期至,
    实际复审日期, 应复审日期) are kept only while the issue date is the stored one:
    a renewal's blank 有效期至 is derived for the new certificate, not copied.
    """
    s = "roster_stage"
    same_issue = f"{s}.issue = c.issue_date"
    last = f"CASE WHEN ({s}.keep & 32) <> 0 THEN c.last_review_date ELSE {s}.last_review END"

    def kept(bit: int, column: str, stored: str, condition: str = "") -> str:
        extra = f" AND {condition}" if condition else ""
        return f"{column} = CASE WHEN ({s}.keep & {bit}) <> 0{extra} THEN {stored} ELSE {s}.{column} END"

    sets = ", ".join(
        [
            kept(1, "kind", "c.kind_id"),
            kept(2, "auth", "c.issuing_authority"),
            kept(4, "first_issue", "c.first_issue_date"),
            kept(8, "valid_until", "c.valid_until", same_issue),
            kept(32, "last_review", "c.last_review_date", same_issue),
            kept(
                16,
                "review_due",
                "c.review_due_date",
                f"{same_issue} AND {d.same(last, 'c.last_review_date')}",
            ),
        ]
    )
    return f"""UPDATE {s} SET {sets}
        FROM workforce_certificate c
        WHERE c.number = {s}.num AND c.is_current AND ({s}.keep & 63) <> 0"""


def timed(cursor, sql: str, params=()) -> None:
    started = time.monotonic()
    cursor.execute(sql, list(params))
    logger.debug("%.2fs %s", time.monotonic() - started, " ".join(sql.split())[:160])


def plan_sql(d: Dialect, scope_sql: str | None) -> str:
    """The statement creating roster_plan (one row per staged row)."""
    cert_fields_differ = " OR ".join(d.differ(f"a.{c}", f"w.{c}") for c, _ in CERT_COMPARED)
    cert_changed = " OR ".join(d.differ(f"c.{col}", f"w.{c}") for c, col in CERT_COMPARED)
    out_of_scope = (
        f"WHEN c.id IS NOT NULL AND c.enterprise_id NOT IN ({scope_sql}) THEN 'num_scope'"
        if scope_sql
        else ""
    )
    # A blank 手机号 keeps the stored one (bit 64 of `keep`); （清空） stages '' without it.
    person_changed = "(p.name <> w.name OR ((w.keep & 64) = 0 AND p.phone <> w.phone))"
    review = (
        "(w.last_review IS NOT NULL AND (c.last_review_date IS NULL OR "
        "w.last_review > c.last_review_date) AND w.last_review > c.effective_from)"
    )
    c_act = f"""CASE WHEN w.num IS NULL THEN 0 WHEN c.id IS NULL THEN 1
        WHEN {review} THEN 3 WHEN w.issue > c.issue_date THEN 4
        WHEN {cert_changed} THEN 2 ELSE 0 END"""
    return f"""
    {d.temp} roster_plan AS
    WITH w AS (
        SELECT s.*,
            min(s.row_no) OVER (PARTITION BY s.num) AS fn,
            min(s.row_no) OVER (PARTITION BY s.idn) AS fp,
            min(s.row_no) OVER (PARTITION BY s.idn, s.ent, s.ptype, s.item) AS fpost
        FROM roster_stage s
    ),
    j AS (
        SELECT w.*, p.id AS person_id, c.id AS cert_id, po.id AS post_id,
            CASE
                WHEN w.num IS NOT NULL AND w.fn <> w.row_no AND a.idn <> w.idn
                    THEN 'dup_num_holder'
                WHEN w.num IS NOT NULL AND w.fn <> w.row_no AND ({cert_fields_differ})
                    THEN 'dup_num_fields'
                WHEN w.fp <> w.row_no AND b.name <> w.name THEN 'dup_person_name'
                WHEN w.fp <> w.row_no AND b.phone <> '' AND w.phone <> ''
                    AND b.phone <> w.phone THEN 'dup_person_phone'
                WHEN w.fpost <> w.row_no THEN 'dup_post'
                WHEN c.id IS NOT NULL AND (p.id IS NULL OR c.holder_id <> p.id)
                    THEN 'num_holder'
                {out_of_scope}
                WHEN c.id IS NOT NULL AND c.state <> 'active' AND ({c_act}) <> 0
                    THEN 'num_inactive'
            END AS err,
            CASE
                WHEN w.num IS NOT NULL AND w.fn <> w.row_no
                    AND (a.idn <> w.idn OR {cert_fields_differ}) THEN w.fn
                WHEN w.fp <> w.row_no AND (b.name <> w.name OR (b.phone <> ''
                    AND w.phone <> '' AND b.phone <> w.phone)) THEN w.fp
                WHEN w.fpost <> w.row_no THEN w.fpost
            END AS err_ref,
            CASE WHEN p.id IS NULL THEN 1 WHEN {person_changed} THEN 2 ELSE 0 END AS p_act,
            CASE WHEN po.id IS NULL THEN 1 ELSE 0 END AS post_act,
            {c_act} AS c_act
        FROM w
        LEFT JOIN roster_stage a ON a.row_no = w.fn
        LEFT JOIN roster_stage b ON b.row_no = w.fp
        LEFT JOIN workforce_person p ON p.id_number = w.idn
        -- Bare `c.is_current`: the very condition of the partial unique index on
        -- number, so that SQLite uses it too (it matches index conditions by form).
        LEFT JOIN workforce_certificate c ON c.number = w.num AND c.is_current
        LEFT JOIN workforce_post po ON po.person_id = p.id AND po.enterprise_id = w.ent
            AND po.post_type_id = w.ptype AND po.end_date IS NULL
            AND {d.same("po.operation_item_id", "w.item")}
    )
    SELECT j.*,
        CASE WHEN j.err IS NOT NULL THEN '{REJECTED}'
             WHEN j.post_act = 1 OR j.c_act = 1 THEN '{CREATED}'
             WHEN j.p_act = 2 OR j.c_act IN (2, 3, 4) THEN '{UPDATED}'
             ELSE '{UNCHANGED}' END AS act
    FROM j
    """


class Writer:
    """The write statements, run in order inside the import's transaction."""

    def __init__(self, cursor, dialect: Dialect, *, actor_id, remote_addr, cid, now, today):
        self.c = cursor
        self.d = dialect
        self.actor_id = actor_id
        self.remote_addr = remote_addr
        self.cid = cid
        self.now = now
        self.today = today
        ct = ContentType.objects.get_for_models(Person, Post, Certificate)
        self.ct = {m: ct[m].pk for m in (Person, Post, Certificate)}

    def run(self, sql: str, params=()) -> None:
        timed(self.c, sql, params)

    def insert_logged(
        self, model, insert_sql: str, params, *, returning: str, alias: str, log: str
    ) -> None:
        """INSERT rows and their CREATE LogEntry rows; `log` yields (pk, repr, changes).

        PostgreSQL: one statement, the log reads the INSERT's RETURNING rows
        (`WITH ins AS (INSERT … RETURNING …) INSERT INTO auditlog_logentry …`).
        SQLite: the INSERT, then the log over the rows above the table's highest
        id before it — exact there, because the import's transaction holds
        SQLite's single write lock from its start (transaction_mode IMMEDIATE).
        `alias` names the new row (and may join more tables after it).
        """
        if self.d.pg:
            self.log(
                model,
                0,
                f"{log} FROM ins {alias}",
                with_sql=f"WITH ins AS ({insert_sql} RETURNING {returning})",
                with_params=params,
            )
            return
        table = model._meta.db_table
        self.c.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
        (highest,) = self.c.fetchone()
        self.run(insert_sql, params)
        name = alias.split()[0]
        self.log(model, 0, f"{log} FROM {table} {alias} WHERE {name}.id > %s", [highest])

    def log(
        self, model, action: int, select_sql: str, params=(), *, with_sql="", with_params=()
    ) -> None:
        """INSERT LogEntry rows from `select_sql`, which yields (pk, repr, changes)."""
        d = self.d
        self.run(
            f"""{with_sql} INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id,
                object_repr, action, changes, changes_text, actor_id, remote_addr, cid,
                timestamp, additional_data, serialized_data)
            SELECT %s, CAST(x.pk AS TEXT), x.pk, x.repr, %s, x.changes, '', %s, {d.inet},
                %s, %s, NULL, NULL
            FROM ({select_sql}) x""",
            [
                *with_params,
                self.ct[model],
                action,
                self.actor_id,
                self.remote_addr,
                self.cid,
                self.now,
                *params,
            ],
        )

    # People ---------------------------------------------------------------------

    def people(self) -> None:
        d = self.d
        first_new = (
            "SELECT min(row_no) FROM roster_plan WHERE err IS NULL AND p_act = 1 GROUP BY idn"
        )
        changes = f"""{d.obj}(
            'id', {pair(d, "'None'", txt("p.id"))},
            'name', {pair(d, "'None'", "p.name")},
            'id_number', {pair(d, "'**ne'", masked("p.id_number"))},
            'gender', {pair(d, "'None'", "p.gender")},
            'birth_date', {pair(d, "'None'", txt("p.birth_date"))},
            'phone', {pair(d, "'**ne'", masked("p.phone"))},
            'created_by', {pair(d, "'None'", txt("p.created_by_id"))})"""
        self.insert_logged(
            Person,
            f"""INSERT INTO workforce_person (name, id_number, gender, birth_date, phone,
                created_at, updated_at, created_by_id)
            SELECT name, idn, gender, birth, phone, %s, %s, %s FROM roster_plan
            WHERE row_no IN ({first_new})""",
            [self.now, self.now, self.actor_id],
            returning="id, name, id_number, gender, birth_date, phone, created_by_id",
            alias="p",
            log=f"SELECT p.id AS pk, p.name AS repr, {changes} AS changes",
        )
        # Updates: name, and the phone when the file gives (or clears) it: `kp` is 0
        # when some row of the person does not keep the stored phone (bit 64).
        upd = """SELECT idn, max(name) AS name, max(phone) AS phone, min(keep & 64) AS kp
            FROM roster_plan WHERE err IS NULL AND p_act = 2 GROUP BY idn"""
        name_changed = "p.name <> u.name"
        phone_changed = "u.kp = 0 AND p.phone <> u.phone"
        changes = d.strip_nulls(
            f"""{d.obj}(
            'name', CASE WHEN {name_changed} THEN {pair(d, "p.name", "u.name")} END,
            'phone', CASE WHEN {phone_changed}
                THEN {pair(d, masked("p.phone"), masked("u.phone"))} END)"""
        )
        self.log(
            Person,
            1,
            f"""SELECT p.id AS pk, u.name AS repr, {changes} AS changes
            FROM ({upd}) u JOIN workforce_person p ON p.id_number = u.idn""",
        )
        self.run(
            f"""UPDATE workforce_person SET name = u.name,
                phone = CASE WHEN u.kp = 0 THEN u.phone ELSE workforce_person.phone END,
                updated_at = %s
            FROM ({upd}) u WHERE workforce_person.id_number = u.idn""",
            [self.now],
        )

    # Posts ------------------------------------------------------------------------

    def posts(self) -> None:
        d = self.d
        changes = f"""{d.obj}(
            'id', {pair(d, "'None'", txt("po.id"))},
            'person', {pair(d, "'None'", txt("po.person_id"))},
            'enterprise', {pair(d, "'None'", txt("po.enterprise_id"))},
            'post_type', {pair(d, "'None'", "po.post_type_id")},
            'operation_item', {pair(d, "'None'", txt("po.operation_item_id"))},
            'created_by', {pair(d, "'None'", txt("po.created_by_id"))})"""
        log = f"SELECT po.id AS pk, p.name || ' · ' || pt.name AS repr, {changes} AS changes"
        self.insert_logged(
            Post,
            """INSERT INTO workforce_post (person_id, enterprise_id, post_type_id,
                operation_item_id, start_date, end_date, note, created_at, updated_at,
                created_by_id)
            SELECT p.id, r.ent, r.ptype, r.item, NULL, NULL, '', %s, %s, %s
            FROM roster_plan r JOIN workforce_person p ON p.id_number = r.idn
            WHERE r.err IS NULL AND r.post_act = 1""",
            [self.now, self.now, self.actor_id],
            returning="id, person_id, enterprise_id, post_type_id, operation_item_id, "
            "created_by_id",
            alias="po JOIN workforce_person p ON p.id = po.person_id "
            "JOIN workforce_posttype pt ON pt.code = po.post_type_id",
            log=log,
        )

    # Certificates -------------------------------------------------------------------

    def _first(self, condition: str) -> str:
        return f"SELECT min(row_no) FROM roster_plan WHERE err IS NULL AND {condition} GROUP BY num"

    def _cert_created_changes(self, alias: str = "c") -> str:
        d = self.d
        fields = [
            "id",
            "holder_id",
            "kind_id",
            "operation_item_id",
            "enterprise_id",
            "number",
            "issuing_authority",
            "first_issue_date",
            "issue_date",
            "valid_until",
            "effective_from",
            "last_review_date",
            "review_due_date",
            "state",
            "origin",
            "previous_id",
            "is_current",
            "created_by_id",
        ]
        parts = []
        for f in fields:
            name = f[:-3] if f.endswith("_id") and f not in ("id",) else f
            if f == "is_current":
                value = f"CASE WHEN {alias}.is_current THEN 'True' ELSE 'False' END"
            else:
                value = txt(f"{alias}.{f}")
            parts.append(f"'{name}', {pair(d, chr(39) + 'None' + chr(39), value)}")
        return f"{d.obj}({', '.join(parts)})"

    def certificates(self) -> None:
        d = self.d
        # In place: the stored current version gets the file's values.
        first_upd = self._first("c_act = 2")
        diffs = ", ".join(
            f"'{col[:-3] if col.endswith('_id') else col}', CASE WHEN "
            f"{d.differ(f'c.{col}', f'r.{col_s}')} THEN "
            f"{pair(d, txt(f'c.{col}'), txt(f'r.{col_s}'))} END"
            for col_s, col in CERT_COMPARED
        )
        self.log(
            Certificate,
            1,
            f"""SELECT c.id AS pk, c.number AS repr, {d.strip_nulls(f"{d.obj}({diffs})")}
                AS changes
            FROM roster_plan r JOIN workforce_certificate c ON c.id = r.cert_id
            WHERE r.row_no IN ({first_upd})""",
        )
        sets = ", ".join(f"{col} = r.{col_s}" for col_s, col in CERT_COMPARED)
        self.run(
            f"""UPDATE workforce_certificate SET {sets}, updated_at = %s
            FROM (SELECT * FROM roster_plan WHERE row_no IN ({first_upd})) r
            WHERE workforce_certificate.id = r.cert_id""",
            [self.now],
        )
        # New versions (3 = 复审, 4 = 换证): close the current one first (unique number).
        first_ver = self._first("c_act IN (3, 4)")
        eff = "CASE WHEN r.c_act = 3 THEN r.last_review ELSE r.issue END"
        self.log(
            Certificate,
            1,
            f"""SELECT c.id AS pk, c.number AS repr, {d.obj}(
                'is_current', {pair(d, "'True'", "'False'")},
                'superseded_on', {pair(d, "'None'", txt(eff))}) AS changes
            FROM roster_plan r JOIN workforce_certificate c ON c.id = r.cert_id
            WHERE r.row_no IN ({first_ver})""",
        )
        self.run(
            f"""UPDATE workforce_certificate SET is_current = %s, superseded_on = {eff},
                updated_at = %s
            FROM (SELECT * FROM roster_plan WHERE row_no IN ({first_ver})) r
            WHERE workforce_certificate.id = r.cert_id""",
            [False, self.now],
        )
        returning = (
            "id, holder_id, kind_id, operation_item_id, enterprise_id, number, "
            "issuing_authority, first_issue_date, issue_date, valid_until, effective_from, "
            "last_review_date, review_due_date, state, origin, previous_id, is_current, "
            "created_by_id"
        )
        log = f"SELECT c.id AS pk, c.number AS repr, {self._cert_created_changes()} AS changes"
        self.insert_logged(
            Certificate,
            f"""INSERT INTO workforce_certificate (holder_id, kind_id, operation_item_id,
                enterprise_id, number, issuing_authority, first_issue_date, issue_date,
                valid_until, effective_from, review_interval_years, last_review_date,
                review_due_date, state, state_changed_on, state_reason, origin, previous_id,
                is_current, superseded_on, created_at, updated_at, created_by_id)
            SELECT old.holder_id, r.kind, r.citem, old.enterprise_id, r.num, r.auth,
                r.first_issue, r.issue, r.valid_until, {eff}, NULL, r.last_review,
                r.review_due, 'active', NULL, '',
                CASE WHEN r.c_act = 3 THEN 'reviewed' ELSE 'renewed' END, old.id,
                %s, NULL, %s, %s, %s
            FROM roster_plan r JOIN workforce_certificate old ON old.id = r.cert_id
            WHERE r.row_no IN ({first_ver})""",
            [True, self.now, self.now, self.actor_id],
            returning=returning,
            alias="c",
            log=log,
        )
        # New certificates.
        first_new = self._first("c_act = 1")
        self.insert_logged(
            Certificate,
            f"""INSERT INTO workforce_certificate (holder_id, kind_id, operation_item_id,
                enterprise_id, number, issuing_authority, first_issue_date, issue_date,
                valid_until, effective_from, review_interval_years, last_review_date,
                review_due_date, state, state_changed_on, state_reason, origin, previous_id,
                is_current, superseded_on, created_at, updated_at, created_by_id)
            SELECT p.id, r.kind, r.citem, r.ent, r.num, r.auth, r.first_issue, r.issue,
                r.valid_until, r.issue, NULL, r.last_review, r.review_due, 'active', NULL, '',
                'issued', NULL, %s, NULL, %s, %s, %s
            FROM roster_plan r JOIN workforce_person p ON p.id_number = r.idn
            WHERE r.row_no IN ({first_new})""",
            [True, self.now, self.now, self.actor_id],
            returning=returning,
            alias="c",
            log=log,
        )
