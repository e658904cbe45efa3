"""Roster import and export (issue #3 point 5), registered as "roster".

The import checks each row in Python (`roster/plan.py`, no query per row),
streams the clean rows into a temporary staging table (PostgreSQL COPY, or
batched INSERTs elsewhere, `roster/stage.py`), and lets the database plan and
write everything in a few set-based statements (`roster/upsert.py`), the
import's audit batch included (issue #10: one batch and its change rows, no
LogEntry per object). Memory stays flat: one chunk of rows at a time, whatever the file.

Upsert keys: a person by 身份证号; a post by person + enterprise + 岗位 + 操作项目
(on duty); a certificate by its current 证书编号. A row without 证书编号 is a
post without a certificate (an uncertified worker, or a post needing none).

The export writes the same columns, one row per on-duty post with the holder's
current certificate that fits it, so importing an export changes nothing —
provided the ID numbers in it are whole, which only district and unit admins
get (`privacy.can_see_personal_data`); anyone else's export is masked and is
not meant to be imported again.
"""

from __future__ import annotations

import logging
import time
from itertools import chain, islice

from auditlog.context import disable_auditlog
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.audit.context import acting_as
from xuanpei.core.concurrency import serialize
from xuanpei.core.exports import Exporter
from xuanpei.core.imports import Importer, ImportFileError, register_exporter, register_importer
from xuanpei.core.imports.base import all_or_nothing_message
from xuanpei.core.imports.batches import begin_batch, discard_kept_file, finish_batch
from xuanpei.core.imports.headers import HEADER_SEARCH_ROWS, find_header
from xuanpei.core.imports.reader import read_table
from xuanpei.core.imports.result import PREVIEW_LIMIT, ImportResult, RowError
from xuanpei.core.privacy import mask_phones
from xuanpei.core.scoping import UserScope
from xuanpei.core.validators import mask_id_number, normalize_code
from xuanpei.workforce.models import Certificate, Post, PostType
from xuanpei.workforce.privacy import mask_certificate_number
from xuanpei.workforce.roster import parallel, upsert
from xuanpei.workforce.roster.changes import read_changes
from xuanpei.workforce.roster.plan import (
    CLEARABLE,
    COLUMNS,
    HEADER_OF,
    HEADERS,
    Lookups,
    Plan,
    RowRejected,
    enterprise_for_option,
)
from xuanpei.workforce.roster.stage import drop_tables, loader_for

logger = logging.getLogger(__name__)

# SQL error codes of roster_plan.err → (column key, message with %(ref)d).
PLAN_ERRORS = {
    "dup_num_holder": ("number", gettext_lazy("与第 %(ref)d 行的证书编号相同，但身份证号不同")),
    "dup_num_fields": (
        "number",
        gettext_lazy(
            "与第 %(ref)d 行是同一证书编号，但证书信息（类型、项目、日期或发证机关）不一致"
        ),
    ),
    "dup_person_name": ("name", gettext_lazy("与第 %(ref)d 行的身份证号相同，但姓名不同")),
    "dup_person_phone": ("phone", gettext_lazy("与第 %(ref)d 行的身份证号相同，但手机号不同")),
    "dup_post": (
        "post_type",
        gettext_lazy("与第 %(ref)d 行重复：同一人员在同一企业的同一岗位（操作项目）只能填一行"),
    ),
    "num_holder": ("number", gettext_lazy("该证书编号已登记在其他人员名下，请核对证书编号")),
    "num_scope": (
        "number",
        gettext_lazy("该证书已由您管辖范围以外的企业登记，不能导入或修改"),
    ),
    "num_inactive": ("number", gettext_lazy("该证书已撤销或注销，不能通过导入修改")),
}


class _Clock:
    """Phase durations at DEBUG level (logger xuanpei.workforce.roster)."""

    def __init__(self):
        self.last = time.monotonic()

    def lap(self, what: str) -> None:
        now = time.monotonic()
        upsert.logger.debug("%.2fs phase: %s", now - self.last, what)
        self.last = now


def tune_session(cursor) -> None:
    """PostgreSQL: memory for the plan's hash joins and sorts, for this transaction only.

    The defaults (work_mem 4 MB) send a million-row join to disk. temp_buffers
    can only change before the session's first temporary table; if it is too
    late, the default stays (slower, not wrong).
    """
    if connection.vendor != "postgresql":
        return
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL temp_buffers = '512MB'")
    except DatabaseError:
        pass


class _DryRun(Exception):
    """Leaves the transaction of a dry run (or a refused all-or-nothing commit): roll back."""


def refresh_compliance(enterprise_ids: list[int]) -> None:
    """Hook: today's 持证率 snapshots of the enterprises an import touched."""
    if not enterprise_ids:
        return
    try:
        from xuanpei.workforce.compliance import refresh_snapshots
    except ImportError:  # pragma: no cover - the compliance module is optional here
        return
    refresh_snapshots(enterprise_ids, timezone.localdate())


@register_importer
class RosterImporter(Importer):
    """People, posts and certificates from one roster sheet, set-based (see module docstring)."""

    name = "roster"
    label = gettext_lazy("持证人员名册")
    noun = gettext_lazy("人员、岗位和证书")
    model = Post
    key_field = ""
    columns = COLUMNS
    options_supported = ("enterprise",)
    chunk_size = 5000

    def column_clearable(self, column) -> bool:
        return column.key in CLEARABLE

    def column_choices(self, column) -> list[str]:
        """The template's drop-downs: post types, certificate kinds and the current catalogue."""
        from xuanpei.workforce.models import CertificateKind, OperationCategory, OperationItem

        current = {"version__is_current": True}
        if column.key == "post_type":
            return list(PostType.objects.values_list("name", flat=True))
        if column.key == "kind":
            return list(CertificateKind.objects.values_list("name", flat=True))
        if column.key == "category":
            rows = OperationCategory.objects.filter(**current).values_list("code", "name")
            return [f"{code} {name}" for code, name in rows]
        if column.key == "item":
            rows = OperationItem.objects.filter(
                **{f"category__{k}": v for k, v in current.items()}
            ).values_list("code", "name")
            return [f"{code} {name}" for code, name in rows]
        return super().column_choices(column)

    def column_help(self, column):
        if column.key == "post_type":
            return _("可填：%(v)s") % {
                "v": "、".join(PostType.objects.values_list("name", flat=True))
            }
        if column.key == "kind":
            return _("留空时按岗位取对应的证书类型；可填：%(v)s") % {
                "v": "、".join(
                    Certificate._meta.get_field("kind").related_model.objects.values_list(
                        "name", flat=True
                    )
                )
            }
        if column.key in ("category", "item"):
            return _("按现行特种作业目录，可填代码（如 1、1.1）或名称（如 电工作业、高压电工作业）")
        if column.key == "number":
            return _("留空表示该岗位无证（如未取证人员）；已登记的证书编号将更新该证书")
        if column.key == "last_review_date":
            return _("晚于已登记的复审日期时，登记为该证书的新版本（复审）")
        if column.key in ("first_issue_date", "issue_date", "valid_until", "review_due_date"):
            return _(
                "日期，如 2022-03-05、2022/3/5、2022.3.5、2022年3月5日；有效期至、应复审日期留空时按规定推算"
            )
        return column.help

    # --- The pipeline ---------------------------------------------------------------

    def _default_enterprise(self, lookups: Lookups) -> int | None:
        uscc = self.options.get("enterprise")
        own = getattr(self.user, "enterprise_id", None) if self.user is not None else None
        if uscc:
            try:
                pk = enterprise_for_option(uscc, lookups)
            except RowRejected as exc:
                raise ImportFileError(str(exc)) from exc
            return pk
        return own

    def run(
        self,
        data,
        *,
        filename: str,
        dry_run: bool = False,
        progress=None,
        all_or_nothing: bool = False,
        max_bytes: int | None = None,
    ) -> ImportResult:
        clock = _Clock()
        table = read_table(data, filename=filename, max_bytes=max_bytes)
        rows = iter(table.rows)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        header = find_header(head, self.columns)
        body = chain((r for r in head if r[0] > header.row_number), rows)
        lookups = Lookups.load(self.user)
        enterprise_id = self._default_enterprise(lookups)
        if enterprise_id is None and "uscc" not in header.positions:
            raise ImportFileError(
                _("第 %(row)d 行表头缺少必填列：企业统一社会信用代码") % {"row": header.row_number}
            )
        plan = Plan(
            lookups,
            header.positions,
            enterprise_id=enterprise_id,
            fixed=bool(self.options.get("enterprise")),
        )
        result = ImportResult(dry_run=dry_run)
        clock.lap("open the file (archive check, calamine parse), header, look-ups")
        started = time.monotonic()
        batch = None
        try:
            with (
                transaction.atomic(),
                acting_as(self.user, remote_addr=self.remote_addr),
                # Audited as one batch (issue #10): no LogEntry per object.
                disable_auditlog(),
            ):
                with connection.cursor() as cursor:
                    tune_session(cursor)
                    self._stage(
                        cursor,
                        body,
                        plan,
                        result,
                        table=table,
                        first_row=header.row_number + 1,
                        progress=progress,
                    )
                    clock.lap("read, check and stage")
                    if result.rows == 0:
                        raise _DryRun
                    if not dry_run:
                        # Plan against what the previous import committed (issue #9).
                        serialize("workforce.roster")
                    self._plan(cursor, result)
                    clock.lap("plan")
                    refused = all_or_nothing and result.rejected and not dry_run
                    if dry_run or refused:
                        raise _DryRun
                    batch = begin_batch(self, data=data, filename=filename)
                    clock.lap("batch record and kept file")
                    self._write(cursor, batch)
                    clock.lap("write")
                    touched = self._touched(cursor)
                    drop_tables(cursor)
                refresh_compliance(touched)
                clock.lap("refresh compliance snapshots")
                finish_batch(batch, result, started=started)
                result.batch_id = batch.pk
            clock.lap("commit")
        except _DryRun:
            if all_or_nothing and result.rejected and not dry_run:
                result.commit_failed(all_or_nothing_message(result.rejected))
        except ImportFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - the person gets a message, never a 500
            logger.exception("roster import failed during commit")
            result.commit_failed(self.commit_error_message(exc))
        finally:
            if batch is not None and result.batch_id is None:  # rolled back
                discard_kept_file(batch.file_path)
        if result.rows == 0 and not result.error:
            raise ImportFileError(
                _("文件中没有数据行（表头在第 %(row)d 行）") % {"row": header.row_number}
            )
        result.errors.sort(key=lambda e: e.row)
        return result

    def _stage(
        self, cursor, body, plan: Plan, result: ImportResult, *, table, first_row, progress
    ) -> None:
        """Check every row; good ones go to the staging table as they are read.

        A large xlsx file is checked on both cores (`roster/parallel.py`): the rows
        after `split` in a forked child, whose COPY text follows the parent's rows.
        """
        total = table.total
        checked = parallel.Checked()
        report = (lambda number: progress(number, total)) if progress else None
        split = parallel.split_point(
            vendor=connection.vendor,
            forkable=table.in_memory,
            first_row=first_row,
            total=total,
        )
        with loader_for(connection, cursor) as loader:
            if split is None:
                parallel.check_rows(
                    body, plan, loader.add, checked, progress=report, every=self.chunk_size
                )
            else:
                parallel.check_on_two_cores(
                    body,
                    plan,
                    split,
                    add=loader.add,
                    write=loader.write_raw,
                    out=checked,
                    progress=report,
                )
        result.rows = checked.rows
        result.rejected += checked.rejected
        result.errors.extend(checked.errors)

    def _plan(self, cursor, result: ImportResult) -> None:
        dialect = upsert.Dialect(pg=connection.vendor == "postgresql")
        if dialect.pg:
            cursor.execute("ANALYZE roster_stage")
        scope_sql, scope_params = None, []
        if self.user is not None and self.user.enterprise_id:
            scope_sql, scope_params = "SELECT %s", [self.user.enterprise_id]
        elif self.user is not None and not UserScope.of(self.user).everything:
            from xuanpei.orgs.models import Enterprise

            qs = Enterprise.objects.for_user(self.user, "view").values("pk")
            try:
                scope_sql, scope_params = qs.query.sql_with_params()
            except EmptyResultSet:
                scope_sql, scope_params = "SELECT -1", []
        upsert.timed(cursor, upsert.keep_sql(dialect))
        upsert.timed(cursor, upsert.plan_sql(dialect, scope_sql), scope_params)
        if dialect.pg:
            cursor.execute("ANALYZE roster_plan")
        cursor.execute(
            "SELECT act, count(*) FROM roster_plan GROUP BY act",
        )
        counts = dict(cursor.fetchall())
        result.rejected += counts.get(upsert.REJECTED, 0)
        result.accepted = result.rows - result.rejected
        result.created = counts.get(upsert.CREATED, 0)
        result.updated = counts.get(upsert.UPDATED, 0)
        result.unchanged = counts.get(upsert.UNCHANGED, 0)
        cursor.execute(
            "SELECT row_no, err, err_ref, num, name, phone, ptype FROM roster_plan "
            "WHERE err IS NOT NULL ORDER BY row_no"
        )
        post_names = dict(PostType.objects.values_list("code", "name"))
        for row_no, err, ref, num, name, phone, ptype in cursor.fetchall():
            key, message = PLAN_ERRORS[err]
            value = {
                "number": num,
                "name": name,
                "phone": phone,
                "post_type": post_names.get(ptype, ptype),
            }[key]
            result.errors.append(
                RowError(row_no, HEADER_OF[key], value or "", str(message) % {"ref": ref or 0})
            )
        cursor.execute(
            "SELECT row_no, act, name, num, ptype FROM roster_plan WHERE err IS NULL "
            "ORDER BY row_no LIMIT %s",
            [PREVIEW_LIMIT],
        )
        for row_no, act, name, num, ptype in cursor.fetchall():
            label = f"{name}（{num or post_names.get(ptype, ptype)}）"
            result.outcomes.append((row_no, upsert.ACTIONS[act], label))
        read_changes(cursor, result, post_names)

    def _write(self, cursor, batch) -> None:
        dialect = upsert.Dialect(pg=connection.vendor == "postgresql")
        ops = connection.ops
        writer = upsert.Writer(
            cursor,
            dialect,
            batch_id=batch.pk,
            actor_id=self.user.pk if getattr(self.user, "is_authenticated", False) else None,
            now=ops.adapt_datetimefield_value(timezone.now()),
            today=timezone.localdate(),
        )
        writer.write()

    def _touched(self, cursor) -> list[int]:
        cursor.execute(
            "SELECT DISTINCT ent FROM roster_plan WHERE act IN (%s, %s)",
            [upsert.CREATED, upsert.UPDATED],
        )
        return [r[0] for r in cursor.fetchall()]


# Export ------------------------------------------------------------------------------


def _fits(cert: Certificate, post: Post, kind_posts: dict) -> bool:
    if post.post_type_id not in kind_posts.get(cert.kind_id, ()):
        return False
    if cert.operation_item_id is not None or post.operation_item_id is not None:
        return cert.operation_item_id in (None, post.operation_item_id) or False
    return True


@register_exporter
class RosterExporter(Exporter):
    """On-duty posts with the certificate that covers each, as the import template's columns."""

    name = "roster"
    label = gettext_lazy("持证人员名册")
    model = Post
    headers = HEADERS
    options_supported = ("enterprise",)
    chunk_size = 2000

    def __init__(self, *, user=None, options: dict | None = None):
        super().__init__(user=user)
        self.options = {k: v for k, v in (options or {}).items() if v}

    def whole(self) -> bool:
        """Whole ID numbers and phones? The CLI (no user) and `privacy`'s roles only."""
        if self.user is None:
            return True
        from xuanpei.workforce.privacy import can_see_personal_data

        return can_see_personal_data(self.user)

    def queryset(self):
        qs = super().queryset().filter(end_date__isnull=True)
        uscc = self.options.get("enterprise")
        if uscc:
            qs = qs.filter(enterprise__uscc=normalize_code(uscc))
        return qs

    def write(self, qs, target) -> int:
        """`qs` may be the roster list's people (the export page): their posts in scope."""
        if qs.model is not Post:
            people = qs.order_by().values("pk")
            qs = self.queryset().filter(person__in=people)
        return super().write(qs, target)

    def prepare(self, qs):
        from xuanpei.workforce.models import CertificateKind

        self.kind_posts = {
            k.code: {pt.code for pt in k.post_types.all()}
            for k in CertificateKind.objects.prefetch_related("post_types")
        }
        self.kind_names = dict(CertificateKind.objects.values_list("code", "name"))
        return qs.select_related(
            "person", "enterprise", "post_type", "operation_item__category"
        ).order_by("enterprise_id", "person_id", "pk")

    def rows(self, qs):
        whole = self.whole()
        iterator = self.prepare(qs).iterator(chunk_size=self.chunk_size)
        while chunk := list(islice(iterator, self.chunk_size)):
            holders = {p.person_id for p in chunk}
            certs: dict[int, list[Certificate]] = {}
            for cert in Certificate.objects.filter(holder_id__in=holders, is_current=True).order_by(
                "-issue_date", "-pk"
            ):
                certs.setdefault(cert.holder_id, []).append(cert)
            if whole and self.user is not None:
                from xuanpei.workforce.privacy import log_id_access

                log_id_access(
                    self.user, {p.person_id: p.person for p in chunk}.values(), via="export"
                )
            for post in chunk:
                cert = next(
                    (c for c in certs.get(post.person_id, ()) if _fits(c, post, self.kind_posts)),
                    None,
                )
                yield self.row(post, cert, whole)

    def row(self, post: Post, cert: Certificate | None = None, whole: bool = True) -> list:
        person, item = post.person, post.operation_item
        idn = person.id_number if whole else mask_id_number(person.id_number)
        phone = person.phone if whole else mask_phones(person.phone)
        values = [
            post.enterprise.uscc,
            post.enterprise.name,
            person.name,
            idn,
            phone,
            post.post_type.name,
        ]
        if cert is None:
            return [
                *values,
                "",
                item.category.code if item else "",
                item.code if item else "",
                *[""] * 7,
            ]
        number = cert.number if whole else mask_certificate_number(cert.number, person.id_number)
        return [
            *values,
            self.kind_names.get(cert.kind_id, cert.kind_id),
            item.category.code if item else "",
            item.code if item else "",
            number,
            cert.first_issue_date,
            cert.issue_date,
            cert.valid_until,
            cert.review_due_date,
            cert.last_review_date,
            cert.issuing_authority,
        ]
