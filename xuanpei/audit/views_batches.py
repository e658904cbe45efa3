"""Import batches (issue #10 items 2 and 3): the list, one batch with its change table,
the original file, the change table as xlsx, and the revert.

Batches are district admins' (`ImportBatch.scope_allows`): others get 403 from
`ScopedViewMixin`, and a batch outside the user's scope is a 404. The revert page
shows what it will change before anything is committed (the conflicts instead,
without a button, when the batch's rows were edited since).
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View, generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.audit.filters import ImportBatchFilterSet, ImportBatchRowFilterSet
from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.audit.timeline import batch_change_rows
from xuanpei.core.exports import XLSX_CONTENT_TYPE, write_xlsx, xlsx_response
from xuanpei.core.files import file_response
from xuanpei.core.imports.batches import describe_missing_file, kept_file_exists
from xuanpei.core.jobs import start_job
from xuanpei.core.views import ObjectDetailView, ObjectListView, ScopedViewMixin

CHANGES_PAGE_SIZE = 50
# A revert of more rows than this runs as a background Job (the request would time out).
REVERT_INLINE_MAX_ROWS = 5000
REVERT_JOB_KIND = "batch_revert"
CONTENT_TYPES = {
    ".xlsx": XLSX_CONTENT_TYPE,
    ".xls": "application/vnd.ms-excel",
    ".csv": "text/csv; charset=utf-8",
}
# Models without get_absolute_url whose page is another object's (a post is on its person's).
OBJECT_PAGES = {
    "workforce.person": ("workforce:person_detail", "pk"),
    "workforce.certificate": ("workforce:certificate_detail", "pk"),
    "workforce.post": ("workforce:person_detail", "person_id"),
}


def reverted_by(batch: ImportBatch) -> ImportBatch | None:
    try:
        return batch.reverted_by_batch
    except ImportBatch.DoesNotExist:
        return None


def may_revert(user, batch: ImportBatch) -> bool:
    """The role rule (district admins, "change") and a batch that can still be reverted."""
    return batch.is_revertable and ImportBatch.objects.all().in_scope(user, batch.pk, "change")


# The list ------------------------------------------------------------------------------


class ImportBatchListView(ObjectListView):
    queryset = ImportBatch.objects.select_related("user")
    filterset_class = ImportBatchFilterSet
    template_name = "audit/importbatch_list.html"
    default_ordering = ["-started_at", "-pk"]


# One batch -----------------------------------------------------------------------------


def object_links(rows, user) -> dict:
    """(content type id, object id) → the page of each object that still exists and is in
    `user`'s scope; one query per model on the page."""
    wanted: dict[int, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.content_type_id, set()).add(row.object_id)
    links = {}
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        qs = model._default_manager.all()
        if hasattr(qs, "for_user"):
            qs = qs.for_user(user, "view")
        page = OBJECT_PAGES.get(model._meta.label_lower)
        for obj in qs.filter(pk__in=ids):
            try:
                if page:
                    url = reverse(page[0], args=[getattr(obj, page[1])])
                elif hasattr(obj, "get_absolute_url"):
                    url = obj.get_absolute_url()
                else:
                    continue
            except NoReverseMatch:
                continue
            links[(ct_id, obj.pk)] = url
    return links


def change_page(batch: ImportBatch, request) -> dict:
    """One page of the batch's change table, filtered by ?action= / ?q=, for the partial."""
    filterset = ImportBatchRowFilterSet(
        request.GET or None, queryset=batch.changes.order_by("pk"), request=request
    )
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm")
    filterset.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
    page = Paginator(filterset.qs, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    links = object_links(rows, request.user)
    items = []
    for row in rows:
        model = ContentType.objects.get_for_id(row.content_type_id).model_class()
        items.append(
            {
                "row": row,
                "model": model._meta.verbose_name if model else "",
                "url": links.get((row.content_type_id, row.object_id)),
                "changes": batch_change_rows(row, model),
            }
        )
    return {"batch": batch, "page_obj": page, "items": items, "row_filter": filterset}


class ImportBatchDetailView(ObjectDetailView):
    queryset = ImportBatch.objects.select_related("user", "reverts", "unit", "enterprise")
    template_name = "audit/importbatch_detail.html"

    def get_template_names(self):
        if self.is_htmx_partial():
            return ["audit/partials/importbatch_changes.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = self.object
        ctx.update(change_page(batch, self.request))
        ctx["file_exists"] = kept_file_exists(batch)
        ctx["file_gone_message"] = describe_missing_file(batch)
        ctx["reverted_by"] = reverted_by(batch)
        ctx["may_revert"] = may_revert(self.request.user, batch)
        ctx["counts"] = count_links(batch)
        return ctx


def count_links(batch: ImportBatch) -> list[dict]:
    """The six counts, each with the change-table filter it opens (rejected rows were not
    written, so they have no change rows: that count links to nothing)."""
    base = reverse("audit:importbatch_detail", args=[batch.pk])
    action = ImportBatchRow.Action
    if batch.kind == ImportBatch.Kind.REVERT:
        # A revert's own counts say what it did to the objects: removed, restored, re-created.
        done = dict(batch.changes.values_list("action").annotate(n=Count("pk")).order_by("action"))
        return [
            {
                "key": key,
                "label": label,
                "value": done.get(act, 0),
                "url": f"{base}?action={act}#changes",
            }
            for key, label, act in (
                ("deleted", _("删除"), action.DELETED),
                ("restored", _("恢复原值"), action.UPDATED),
                ("recreated", _("重新创建"), action.CREATED),
            )
        ]
    spec = [
        ("rows", _("数据行"), ""),
        ("accepted", _("通过"), ""),
        ("rejected", _("未通过"), None),
        ("created", _("新增"), f"?action={action.CREATED}"),
        ("updated", _("更新"), f"?action={action.UPDATED}"),
        ("unchanged", _("未变化"), f"?action={action.UNCHANGED}"),
    ]
    return [
        {
            "key": key,
            "label": label,
            "value": getattr(batch, key),
            "url": None if query is None else f"{base}{query}#changes",
        }
        for key, label, query in spec
    ]


class ImportBatchFileView(ScopedViewMixin, SingleObjectMixin, View):
    """The original file as uploaded; a removed one sends the reader back to the batch,
    saying so (never a 500)."""

    queryset = ImportBatch.objects.all()

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        if not kept_file_exists(batch):
            messages.warning(request, describe_missing_file(batch))
            return redirect("audit:importbatch_detail", pk=batch.pk)
        suffix = PurePath(batch.file_path).suffix.lower()
        return file_response(
            _StoredFile(batch.file_path),
            filename=batch.file_name or PurePath(batch.file_path).name,
            content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
            inline=False,
        )


class _StoredFile:
    """What `core.files.file_response` reads of a FieldFile, for a plain storage name."""

    storage = default_storage

    def __init__(self, name: str):
        self.name = name

    def open(self, mode="rb"):
        return self.storage.open(self.name, mode)


CHANGE_HEADERS = [
    _("Excel行号"),
    _("对象类型"),
    _("对象ID"),
    _("对象"),
    _("操作"),
    _("字段"),
    _("原值"),
    _("新值"),
]


def change_table_rows(batch: ImportBatch):
    """One line per changed field (a created or unchanged object: one line without a field)."""
    models: dict[int, object] = {}
    for row in batch.changes.order_by("pk").iterator(chunk_size=2000):
        if row.content_type_id not in models:
            models[row.content_type_id] = ContentType.objects.get_for_id(
                row.content_type_id
            ).model_class()
        model = models[row.content_type_id]
        head = [
            row.row_number,
            str(model._meta.verbose_name) if model else "",
            row.object_id,
            row.object_repr,
            str(ImportBatchRow.Action(row.action).label),
        ]
        changes = batch_change_rows(row, model)
        if not changes:
            yield [*head, "", "", ""]
        for change in changes:
            yield [*head, change.label, change.before, change.after]


class ImportBatchChangesExportView(ScopedViewMixin, SingleObjectMixin, View):
    """The change table as xlsx (write-only openpyxl, every text cell through safe_row)."""

    queryset = ImportBatch.objects.all()

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        headers = [str(h) for h in CHANGE_HEADERS]
        filename = _("导入批次%(pk)s-变更明细-%(day)s.xlsx") % {
            "pk": batch.pk,
            "day": f"{timezone.localdate():%Y%m%d}",
        }
        return xlsx_response(
            lambda fh: write_xlsx(
                headers,
                change_table_rows(batch),
                fh,
                title=_("变更明细"),
                widths=(10, 12, 10, 30, 8, 16, 30, 30),
            ),
            filename,
        )


# The revert ----------------------------------------------------------------------------


def revert_plan(batch: ImportBatch) -> list[dict]:
    """What a revert does, per object type: created objects removed, updated ones restored."""
    counts = (
        batch.changes.exclude(action=ImportBatchRow.Action.UNCHANGED)
        .values("content_type", "action")
        .annotate(n=Count("pk"))
        .order_by("content_type", "action")
    )
    plan = []
    for c in counts:
        model = ContentType.objects.get_for_id(c["content_type"]).model_class()
        name = str(model._meta.verbose_name) if model else ""
        if c["action"] == ImportBatchRow.Action.CREATED:
            text = _("删除本批次新增的%(model)s %(n)s 个") % {"model": name, "n": c["n"]}
        elif c["action"] == ImportBatchRow.Action.UPDATED:
            text = _("恢复本批次更新的%(model)s %(n)s 个（改回导入前的值）") % {
                "model": name,
                "n": c["n"],
            }
        else:
            continue
        plan.append({"text": text, "action": c["action"], "n": c["n"]})
    return plan


class ImportBatchRevertView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """GET: what the revert will do, or why it cannot; POST: revert (a Job when large)."""

    queryset = ImportBatch.objects.select_related("user")
    action = "change"
    template_name = "audit/importbatch_revert.html"

    def context(self, batch, **extra) -> dict:
        from xuanpei.audit.services import revert_conflicts

        ctx = {"batch": batch, "object": batch, "reverted_by": reverted_by(batch)}
        if batch.is_revertable:
            ctx["conflicts"] = revert_conflicts(batch)
            ctx["plan"] = revert_plan(batch)
            ctx["background"] = _needs_job(batch)
        ctx.update(extra)
        return ctx

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        return TemplateResponse(request, self.template_name, self.context(batch))

    def post(self, request, *args, **kwargs):
        from xuanpei.audit.services import RevertRefused, revert_batch

        batch = self.get_object()
        reason = request.POST.get("reason", "").strip()
        if len(reason) > 200:
            ctx = self.context(batch, reason=reason, error=_("撤销原因不能超过200个字"))
            return TemplateResponse(request, self.template_name, ctx, status=400)
        if batch.is_revertable and _needs_job(batch):
            job = start_job(
                kind=REVERT_JOB_KIND,
                user=request.user,
                params={"batch": batch.pk, "reason": reason, "ui": {"batch": batch.pk}},
            )
            return redirect("core:job_detail", pk=job.pk)
        done = dict(batch.changes.values_list("action").annotate(n=Count("pk")).order_by("action"))
        try:
            revert = revert_batch(batch, actor=request.user, reason=reason)
        except RevertRefused as exc:
            ctx = self.context(
                batch, reason=reason, refused=exc.message, refused_conflicts=exc.conflicts
            )
            return TemplateResponse(request, self.template_name, ctx, status=409)
        messages.success(
            request,
            _(
                "已撤销导入批次 #%(pk)s：删除 %(deleted)s 个新增的对象，恢复 %(restored)s 个更新的对象"
            )
            % {
                "pk": batch.pk,
                "deleted": done.get(ImportBatchRow.Action.CREATED, 0),
                "restored": done.get(ImportBatchRow.Action.UPDATED, 0),
            },
        )
        return redirect("audit:importbatch_detail", pk=revert.pk)


def _needs_job(batch: ImportBatch) -> bool:
    return batch.created + batch.updated > REVERT_INLINE_MAX_ROWS
