"""Set-based SQL over the staging table: plan every row, then write, with the audit batch.

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
Then a handful of INSERT … SELECT / UPDATE … FROM statements write it all, and
the import's audit batch (issue #10): one `audit_importbatchrow` per object the
import created or updated (and one per unchanged file row), written from the plan
in the same set-based way — no django-auditlog `LogEntry` per object.

Versions (keep it simple, issue #3 §2): a row whose 实际复审日期 is later than the
stored version's last review (and its effective date) adds a 复审 version
effective that day; a row whose 发证日期 is later than the stored one adds a
换证 version effective from the new issue date; any other difference updates
the current version in place. The previous version is closed (`is_current`
false, `superseded_on` = the new version's effective date), as the services do.

The same SQL runs on PostgreSQL and SQLite (≥ 3.35); `Dialect` names the few
differences (JSON builders, NULL-safe comparison, ids for new rows).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from xuanpei.core.imports.keys import ReferencedKeys
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.roster.plan import HEADER_OF

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

    def bytewise(self, expr: str) -> str:
        """Text compared byte by byte. The same equality as the database's deterministic
        collation, but sorting a million rows by it (the plan's window partitions) takes
        memcmp instead of strcoll: several times faster. SQLite compares bytes anyway."""
        return f'{expr} COLLATE "C"' if self.pg else expr

    @property
    def temp(self) -> str:
        return "CREATE TEMP TABLE"

    @property
    def no_json(self) -> str:
        """NULL typed for a JSON column (a bare NULL in a subquery is text on PostgreSQL)."""
        return "CAST(NULL AS jsonb)" if self.pg else "NULL"

    @property
    def true(self) -> str:
        return "true" if self.pg else "json('true')"

    @property
    def false(self) -> str:
        return "false" if self.pg else "json('false')"


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
    # The first row of each certificate number and of each ID number, as window values
    # (`a_…`, `b_…`) rather than self-joins of the staging table: one sort each.
    cert_fields_differ = " OR ".join(d.differ(f"w.a_{c}", f"w.{c}") for c, _ in CERT_COMPARED)
    first_of_number = ", ".join(
        f"first_value(s.{c}) OVER n AS a_{c}" for c in ("idn", *(c for c, _ in CERT_COMPARED))
    )
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
            first_value(s.row_no) OVER n AS fn, {first_of_number},
            first_value(s.row_no) OVER p AS fp,
            first_value(s.name) OVER p AS b_name, first_value(s.phone) OVER p AS b_phone,
            min(s.row_no) OVER (
                PARTITION BY {d.bytewise("s.idn")}, s.ent, {d.bytewise("s.ptype")}, s.item
            ) AS fpost
        FROM roster_stage s
        WINDOW n AS (PARTITION BY {d.bytewise("s.num")} ORDER BY s.row_no),
            p AS (PARTITION BY {d.bytewise("s.idn")} ORDER BY s.row_no)
    ),
    j AS (
        SELECT w.*, p.id AS person_id, c.id AS cert_id, po.id AS post_id,
            CASE
                WHEN w.num IS NOT NULL AND w.fn <> w.row_no AND w.a_idn <> w.idn
                    THEN 'dup_num_holder'
                WHEN w.num IS NOT NULL AND w.fn <> w.row_no AND ({cert_fields_differ})
                    THEN 'dup_num_fields'
                WHEN w.fp <> w.row_no AND w.b_name <> w.name THEN 'dup_person_name'
                WHEN w.fp <> w.row_no AND w.b_phone <> '' AND w.phone <> ''
                    AND w.b_phone <> w.phone THEN 'dup_person_phone'
                WHEN w.fpost <> w.row_no THEN 'dup_post'
                WHEN c.id IS NOT NULL AND (p.id IS NULL OR c.holder_id <> p.id)
                    THEN 'num_holder'
                {out_of_scope}
                WHEN c.id IS NOT NULL AND c.state <> 'active' AND ({c_act}) <> 0
                    THEN 'num_inactive'
            END AS err,
            CASE
                WHEN w.num IS NOT NULL AND w.fn <> w.row_no
                    AND (w.a_idn <> w.idn OR {cert_fields_differ}) THEN w.fn
                WHEN w.fp <> w.row_no AND (w.b_name <> w.name OR (w.b_phone <> ''
                    AND w.phone <> '' AND w.b_phone <> w.phone)) THEN w.fp
                WHEN w.fpost <> w.row_no THEN w.fpost
            END AS err_ref,
            CASE WHEN p.id IS NULL THEN 1 WHEN {person_changed} THEN 2 ELSE 0 END AS p_act,
            CASE WHEN po.id IS NULL THEN 1 ELSE 0 END AS post_act,
            {c_act} AS c_act
        FROM w
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


def label_of(col: str) -> str:
    """The roster column header a certificate column is filled from (the change table's label)."""
    key = {
        "kind_id": "kind",
        "operation_item_id": "item",
        "issuing_authority": "issuing_authority",
        "first_issue_date": "first_issue_date",
        "issue_date": "issue_date",
        "valid_until": "valid_until",
        "review_due_date": "review_due_date",
        "last_review_date": "last_review_date",
    }[col]
    return HEADER_OF[key]


BATCH_ROW_COLUMNS = (
    "batch_id, row_number, content_type_id, object_id, object_repr, action, changes, before, after"
)
# ImportBatchRow.Action
ROW_CREATED, ROW_UPDATED, ROW_UNCHANGED = 1, 2, 3
NEW_CERT_COLUMNS = """id, holder_id, kind_id, operation_item_id, enterprise_id, number,
    issuing_authority, first_issue_date, issue_date, valid_until, effective_from,
    review_interval_years, last_review_date, review_due_date, state, state_changed_on,
    state_reason, origin, previous_id, is_current, superseded_on, created_at, updated_at,
    created_by_id"""


class Writer:
    """The write statements, run in order inside the import's transaction.

    Audit (issue #10): no LogEntry per object; every statement is followed (or, for
    an update, preceded) by the batch's change rows (`audit_importbatchrow`) written
    from the plan in one INSERT … SELECT: persons, then posts, then certificates.
    New objects get their ids before they are inserted (`roster_new_*` tables: the
    table's sequence on PostgreSQL; on SQLite, whose import holds the write lock,
    the highest id so far + the Excel row number), so that the change rows and the
    rows referring to a new person come straight from the plan, without joining
    what was just written back by its natural key.
    """

    def __init__(self, cursor, dialect: Dialect, *, batch_id: int, actor_id, now, today):
        self.c = cursor
        self.d = dialect
        self.batch_id = batch_id
        self.actor_id = actor_id
        self.now = now
        self.today = today
        ct = ContentType.objects.get_for_models(Person, Post, Certificate)
        self.ct = {m: ct[m].pk for m in (Person, Post, Certificate)}

    def run(self, sql: str, params=()) -> None:
        timed(self.c, sql, params)

    def write(self) -> None:
        """Everything, in order; on PostgreSQL with the plan's foreign keys checked
        once per parent row instead of once per written row (`core.imports.keys`)."""
        self.c.execute(
            """SELECT count(*) FILTER (WHERE p_act = 2), count(*) FILTER (WHERE c_act = 2),
                count(*) FILTER (WHERE c_act IN (3, 4))
            FROM roster_plan WHERE err IS NULL"""
        )
        # Statements with nothing to do are skipped (each is a scan of the plan).
        self.person_updates, self.cert_updates, self.cert_versions = self.c.fetchone()
        keys = ReferencedKeys(self.c)
        self.require_parents(keys)
        with keys.writing():
            self.people()
            self.posts()
            self.certificates()

    def require_parents(self, keys: ReferencedKeys) -> None:
        """Every row the writes will refer to, locked and counted (see keys.py)."""
        good = "FROM roster_plan WHERE err IS NULL"
        for table, column, keys_sql, params, label in (
            ("orgs_enterprise", "id", f"SELECT ent {good}", (), _("企业")),
            ("workforce_posttype", "code", f"SELECT ptype {good}", (), _("岗位类型")),
            ("workforce_certificatekind", "code", f"SELECT kind {good}", (), _("证书类型")),
            (
                "workforce_operationitem",
                "id",
                f"SELECT item {good} UNION SELECT citem {good}",
                (),
                _("操作项目"),
            ),
            ("workforce_person", "id", f"SELECT person_id {good}", (), _("人员")),
            ("workforce_certificate", "id", f"SELECT cert_id {good}", (), _("证书")),
            ("accounts_user", "id", "SELECT CAST(%s AS bigint)", (self.actor_id,), _("用户")),
            (
                "audit_importbatch",
                "id",
                "SELECT CAST(%s AS bigint)",
                (self.batch_id,),
                _("导入批次"),
            ),
            (
                "django_content_type",
                "id",
                "SELECT unnest(CAST(%s AS integer[]))",
                (list(self.ct.values()),),
                _("对象类型"),
            ),
        ):
            keys.require(table, column, keys_sql, params, label=label)

    def new_ids(self, model, table: str, select_sql: str, params=()) -> None:
        """CREATE TEMP TABLE `table` AS (id, …) from `select_sql` (which has `row_no`),
        ids taken from `model`'s sequence in Excel row order."""
        db_table = model._meta.db_table
        self.c.execute(f"DROP TABLE IF EXISTS {table}")
        if self.d.pg:
            self.c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [db_table])
            (seq,) = self.c.fetchone()
            ident = f"nextval('{seq}')"
            params = list(params)
        else:
            self.c.execute(
                f"SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f"COALESCE((SELECT max(id) FROM {db_table}), 0))",
                [db_table],
            )
            (base,) = self.c.fetchone()
            ident = f"{int(base)} + x.row_no"
        self.run(
            f"{self.d.temp} {table} AS SELECT {ident} AS id, x.* "
            f"FROM (SELECT * FROM ({select_sql}) y ORDER BY row_no) x",
            params,
        )

    def batch_rows(self, select_sql: str, params=()) -> None:
        """INSERT change rows from `select_sql`, which yields (row_number, content type,
        object id, repr, action, changes, before, after); the batch id is added here."""
        self.run(
            f"""INSERT INTO audit_importbatchrow ({BATCH_ROW_COLUMNS})
            SELECT %s, x.* FROM ({select_sql}) x""",
            [self.batch_id, *params],
        )

    # People ---------------------------------------------------------------------

    def people(self) -> None:
        d = self.d
        nj = d.no_json
        first_new = self._first("p_act = 1", by="idn")
        self.new_ids(
            Person,
            "roster_new_person",
            # A join, not `row_no IN (…)`: the minima are distinct already, and IN
            # would make PostgreSQL de-duplicate a million of them again.
            f"""SELECT r.row_no, r.idn, r.name, r.gender, r.birth, r.phone FROM roster_plan r
            JOIN ({first_new}) f ON f.first_row = r.row_no""",
        )
        self.run(
            """INSERT INTO workforce_person (id, name, id_number, gender, birth_date, phone,
                created_at, updated_at, created_by_id)
            SELECT id, name, idn, gender, birth, phone, %s, %s, %s FROM roster_new_person
            ORDER BY id""",
            [self.now, self.now, self.actor_id],
        )
        ct = self.ct[Person]
        # Updates: name, and the phone when the file gives (or clears) it: `kp` is 0
        # when some row of the person does not keep the stored phone (bit 64).
        upd = """SELECT idn, min(row_no) AS row_no, max(name) AS name, max(phone) AS phone,
                min(keep & 64) AS kp
            FROM roster_plan WHERE err IS NULL AND p_act = 2 GROUP BY idn"""
        new_phone = "CASE WHEN u.kp = 0 THEN u.phone ELSE p.phone END"
        changes = d.strip_nulls(
            f"""{d.obj}(
            '{HEADER_OF["name"]}', CASE WHEN p.name <> u.name THEN {pair(d, "p.name", "u.name")} END,
            '{HEADER_OF["phone"]}', CASE WHEN p.phone <> {new_phone}
                THEN {pair(d, masked("p.phone"), masked(new_phone))} END)"""
        )
        # Created, updated (before the update: old values), and the unchanged rows of
        # the file (one per row, on the person: "imported, nothing changed").
        self.batch_rows(
            f"""SELECT row_no, {ct}, id, name, {ROW_CREATED}, {nj}, {nj}, {nj}
                FROM roster_new_person
            UNION ALL
            SELECT u.row_no, {ct}, p.id, u.name, {ROW_UPDATED}, {changes},
                {d.obj}('name', p.name, 'phone', p.phone),
                {d.obj}('name', u.name, 'phone', {new_phone})
            FROM ({upd}) u JOIN workforce_person p ON p.id_number = u.idn
            UNION ALL
            SELECT row_no, {ct}, person_id, name, {ROW_UNCHANGED}, {nj}, {nj}, {nj}
            FROM roster_plan WHERE act = %s""",
            [UNCHANGED],
        )
        if not self.person_updates:
            return
        self.run(
            f"""UPDATE workforce_person SET name = u.name,
                phone = CASE WHEN u.kp = 0 THEN u.phone ELSE workforce_person.phone END,
                updated_at = %s
            FROM ({upd}) u WHERE workforce_person.id_number = u.idn""",
            [self.now],
        )

    # Posts ------------------------------------------------------------------------

    def posts(self) -> None:
        nj = self.d.no_json
        self.new_ids(
            Post,
            "roster_new_post",
            """SELECT r.row_no, COALESCE(r.person_id, n.id) AS person_id, r.ent, r.ptype,
                r.item, r.name
            FROM roster_plan r LEFT JOIN roster_new_person n ON n.idn = r.idn
            WHERE r.err IS NULL AND r.post_act = 1""",
        )
        self.run(
            """INSERT INTO workforce_post (id, person_id, enterprise_id, post_type_id,
                operation_item_id, start_date, end_date, note, created_at, updated_at,
                created_by_id)
            SELECT id, person_id, ent, ptype, item, NULL, NULL, '', %s, %s, %s
            FROM roster_new_post ORDER BY id""",
            [self.now, self.now, self.actor_id],
        )
        self.batch_rows(
            f"""SELECT n.row_no, {self.ct[Post]}, n.id, n.name || ' · ' || pt.name,
                {ROW_CREATED}, {nj}, {nj}, {nj}
            FROM roster_new_post n JOIN workforce_posttype pt ON pt.code = n.ptype"""
        )

    # Certificates -------------------------------------------------------------------

    @staticmethod
    def _first(condition: str, *, by: str = "num") -> str:
        """The first good row (`first_row`) of each certificate number (or `by`)."""
        return (
            f"SELECT min(row_no) AS first_row FROM roster_plan "
            f"WHERE err IS NULL AND {condition} GROUP BY {by}"
        )

    def _shown(self, col: str, expr: str) -> str:
        """A certificate value as the change table shows it (kinds and items by name)."""
        if col == "kind_id":
            return f"COALESCE((SELECT k.name FROM workforce_certificatekind k WHERE k.code = {expr}), '')"
        if col == "operation_item_id":
            return (
                "COALESCE((SELECT i.code || ' ' || i.name FROM workforce_operationitem i "
                f"WHERE i.id = {expr}), '')"
            )
        return f"COALESCE(CAST({expr} AS TEXT), '')"

    def certificates(self) -> None:
        # In place: the stored current version gets the file's values.
        first_upd = self._first("c_act = 2")
        eff = "CASE WHEN r.c_act = 3 THEN r.last_review ELSE r.issue END"
        first_ver = self._first("c_act IN (3, 4)")
        if self.cert_updates or self.cert_versions:
            self._certificate_updates(first_upd, first_ver, eff)
        self._new_certificates(eff)

    def _certificate_updates(self, first_upd: str, first_ver: str, eff: str) -> None:
        d = self.d
        ct = self.ct[Certificate]
        diffs = ", ".join(
            f"'{label_of(col)}', CASE WHEN {d.differ(f'c.{col}', f'r.{col_s}')} THEN "
            f"{pair(d, self._shown(col, f'c.{col}'), self._shown(col, f'r.{col_s}'))} END"
            for col_s, col in CERT_COMPARED
        )
        before = ", ".join(f"'{col}', c.{col}" for _s, col in CERT_COMPARED)
        after = ", ".join(f"'{col}', r.{col_s}" for col_s, col in CERT_COMPARED)
        # Updated in place, and the versions a new one closes (a revert re-opens them).
        self.batch_rows(
            f"""SELECT r.row_no, {ct}, c.id, c.number, {ROW_UPDATED},
                {d.strip_nulls(f"{d.obj}({diffs})")}, {d.obj}({before}), {d.obj}({after})
            FROM roster_plan r JOIN workforce_certificate c ON c.id = r.cert_id
            WHERE r.row_no IN ({first_upd})
            UNION ALL
            SELECT r.row_no, {ct}, c.id, c.number, {ROW_UPDATED},
                {d.obj}('is_current', {pair(d, "'是'", "'否'")},
                    'superseded_on', {pair(d, "''", self._shown("", eff))}),
                {d.obj}('is_current', {d.true}, 'superseded_on', c.superseded_on),
                {d.obj}('is_current', {d.false}, 'superseded_on', {eff})
            FROM roster_plan r JOIN workforce_certificate c ON c.id = r.cert_id
            WHERE r.row_no IN ({first_ver})"""
        )
        sets = ", ".join(f"{col} = r.{col_s}" for col_s, col in CERT_COMPARED)
        self.run(
            f"""UPDATE workforce_certificate SET {sets}, updated_at = %s
            FROM (SELECT * FROM roster_plan WHERE row_no IN ({first_upd})) r
            WHERE workforce_certificate.id = r.cert_id""",
            [self.now],
        )
        # New versions (3 = 复审, 4 = 换证): close the current one first (unique number).
        self.run(
            f"""UPDATE workforce_certificate SET is_current = %s, superseded_on = {eff},
                updated_at = %s
            FROM (SELECT * FROM roster_plan WHERE row_no IN ({first_ver})) r
            WHERE workforce_certificate.id = r.cert_id""",
            [False, self.now],
        )

    def _new_certificates(self, eff: str) -> None:
        nj = self.d.no_json
        ct = self.ct[Certificate]
        # New certificates and new versions, ids first.
        self.new_ids(
            Certificate,
            "roster_new_cert",
            f"""SELECT r.row_no, r.c_act, r.cert_id, COALESCE(r.person_id, n.id) AS holder,
                r.ent, r.kind, r.citem, r.num, r.auth, r.first_issue, r.issue, r.valid_until,
                r.last_review, r.review_due
            FROM roster_plan r
            JOIN ({self._first("c_act IN (1, 3, 4)")}) f ON f.first_row = r.row_no
            LEFT JOIN roster_new_person n ON n.idn = r.idn""",
        )
        self.run(
            f"""INSERT INTO workforce_certificate ({NEW_CERT_COLUMNS})
            SELECT r.id, COALESCE(old.holder_id, r.holder), r.kind, r.citem,
                COALESCE(old.enterprise_id, r.ent), r.num, r.auth, r.first_issue, r.issue,
                r.valid_until, {eff}, NULL, r.last_review, r.review_due, 'active', NULL, '',
                CASE r.c_act WHEN 1 THEN 'issued' WHEN 3 THEN 'reviewed' ELSE 'renewed' END,
                old.id, %s, NULL, %s, %s, %s
            FROM roster_new_cert r LEFT JOIN workforce_certificate old ON old.id = r.cert_id
            ORDER BY r.id""",
            [True, self.now, self.now, self.actor_id],
        )
        self.batch_rows(
            f"""SELECT row_no, {ct}, id, num, {ROW_CREATED}, {nj}, {nj}, {nj}
            FROM roster_new_cert"""
        )
