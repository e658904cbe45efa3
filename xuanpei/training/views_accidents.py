"""Accident pages and the post-accident training obligations (issue #12 §7).

Scoped like every page (core.views): the district, the enterprise's 属地 and its
supervising departments see and record accidents at enterprises in their scope; an
enterprise's account sees its own and records none (`services_accidents.may_record`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanpei.core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from xuanpei.training import obligations
from xuanpei.training.forms_accidents import AccidentFilterSet, AccidentForm, ObligationFilterSet
from xuanpei.training.models import Accident, TrainingObligation
from xuanpei.training.services_accidents import may_record, record_accident, update_accident
from xuanpei.workforce.models import Person


class AccidentListView(ObjectListView):
    queryset = Accident.objects.select_related("enterprise", "enterprise__unit")
    filterset_class = AccidentFilterSet
    template_name = "training/accident_list.html"
    ordering_fields = {"date": "occurred_on", "deaths": "deaths", "injuries": "injuries"}
    default_ordering = ["-occurred_on", "-pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = ctx["can_add"] and may_record(self.request.user)
        accidents = list(ctx["object_list"])
        open_counts: dict[int, int] = {}
        for row in TrainingObligation.objects.filter(
            accident__in=accidents, fulfilled_on__isnull=True
        ).values_list("accident_id", flat=True):
            open_counts[row] = open_counts.get(row, 0) + 1
        for accident in accidents:
            accident.open_obligations = open_counts.get(accident.pk, 0)
        ctx["object_list"] = accidents
        return ctx


def judged(rows) -> list[dict]:
    """Each obligation with its status and the names still missing (four queries a page)."""
    rows = list(rows)
    judgements = obligations.judge_many(o for o in rows if not o.fulfilled_on)
    missing_ids = {pk for j in judgements.values() for pk in j.missing}
    names = Person.objects.filter(pk__in=missing_ids).order_by("name", "pk") if missing_ids else []
    people = {p.pk: p for p in names}
    found = []
    for obligation in rows:
        judgement = judgements.get(obligation.pk)
        status = obligations.status_of(obligation)
        found.append(
            {
                "obligation": obligation,
                "status": status,
                "status_label": obligations.STATUS_LABELS[status],
                "audience_size": len(judgement.audience) if judgement else None,
                "missing": sorted(
                    (people[pk] for pk in judgement.missing), key=lambda p: (p.name, p.pk)
                )
                if judgement
                else [],
            }
        )
    return found


class AccidentDetailView(ObjectDetailView):
    queryset = Accident.objects.select_related("enterprise", "enterprise__unit", "created_by")
    template_name = "training/accident_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_change"] = ctx["can_change"] and may_record(user)
        rows = self.object.obligations.select_related("accident").order_by("pk")
        ctx["obligations"] = judged(rows)
        return ctx


class RecordersOnlyMixin:
    """Enterprise accounts read accidents; units and departments record them."""

    def get_success_url(self):
        return reverse("training:accident_detail", args=[self.object.pk])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_record(request.user):
            raise PermissionDenied(_("企业账号不能登记或修改事故，请由属地或行业主管部门登记"))
        return super().dispatch(request, *args, **kwargs)


class AccidentCreateView(RecordersOnlyMixin, ObjectCreateView):
    queryset = Accident.objects.all()
    form_class = AccidentForm
    template_name = "training/accident_form.html"
    success_message = _("事故已登记，已生成事故后培训任务")

    def save_form(self, form):
        data = form.cleaned_data
        return record_accident(
            enterprise=data["enterprise"],
            occurred_on=data["occurred_on"],
            kind=data["kind"],
            severity=data["severity"],
            deaths=data.get("deaths") or 0,
            injuries=data.get("injuries") or 0,
            summary=data.get("summary") or "",
            actor=self.request.user,
        )


class AccidentUpdateView(RecordersOnlyMixin, ObjectUpdateView):
    queryset = Accident.objects.select_related("enterprise")
    form_class = AccidentForm
    template_name = "training/accident_form.html"
    success_message = _("事故记录已保存")

    def save_form(self, form):
        data = form.cleaned_data
        changes = {name: data[name] for name in form.changed_data if name in data}
        return update_accident(self.object, actor=self.request.user, **changes)


class ObligationListView(ObjectListView):
    queryset = TrainingObligation.objects.select_related(
        "accident", "accident__enterprise", "accident__enterprise__unit"
    )
    filterset_class = ObligationFilterSet
    template_name = "training/obligation_list.html"
    ordering_fields = {"due": "due_on", "date": "accident__occurred_on"}
    default_ordering = ["fulfilled_on", "due_on", "pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = False
        ctx["rows"] = judged(ctx["object_list"])
        return ctx
