"""A create/edit view with one inline formset (a plan's sections, a task's targets).

Form and formset are validated together, so the page shows every error at once;
both are saved in the view's one transaction (core.views.ObjectEditMixin), and the
rows keep the order they have on the page.
"""

from __future__ import annotations


class InlineFormsetMixin:
    formset_class = None
    formset_prefix = "rows"

    def build_formset(self, instance):
        kwargs = {"instance": instance, "prefix": self.formset_prefix}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return self.formset_class(**kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not hasattr(self, "formset"):
            self.formset = self.build_formset(ctx["form"].instance)
        ctx["formset"] = self.formset
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.kwargs.get("pk") else None
        form = self.get_form()
        self.formset = self.build_formset(form.instance)
        form_ok = form.is_valid()
        formset_ok = self.formset.is_valid()
        if form_ok and formset_ok:
            return self.form_valid(form)
        return self.form_invalid(form)

    def save_form(self, form):
        obj = super().save_form(form)
        self.save_formset(obj)
        return obj

    def save_formset(self, parent) -> None:
        formset = self.formset
        formset.instance = parent
        user = self.request.user
        formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        deleted = set(id(f) for f in formset.deleted_forms)
        order = 0
        for f in formset.forms:
            if id(f) in deleted or not (f.instance.pk or f.has_changed()):
                continue
            row = f.instance
            setattr(row, formset.fk.name, parent)
            if not row.pk:
                row.created_by = user
            row.order = order
            row.save()
            order += 1
