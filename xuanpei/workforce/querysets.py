"""Named query filters of the workforce app, including 持证率 as SQL.

持证率 = on-duty posts requiring a certificate that are covered on the day ÷
on-duty posts requiring a certificate. "Covered" is one EXISTS over the holder's
certificate versions, so a rate per enterprise, sector, department or unit
subtree is a single GROUP BY aggregate (issue #3 performance target). The
predicate mirrors `rules.post_is_compliant`; tests hold the two together.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from xuanpei.core.scoping import ScopedQuerySet
from xuanpei.workforce.choices import CertificateState


def covering_certificate_q(on: date, prefix: str = "") -> Q:
    """Q for a certificate version whose status on `on` is valid, review due or expiring.

    The SQL form of `rules.covers_on`: every date it needs is stored on the row.
    """
    p = f"{prefix}__" if prefix else ""
    return (
        Q(**{f"{p}effective_from__lte": on, f"{p}valid_until__gte": on})
        & (Q(**{f"{p}superseded_on__isnull": True}) | Q(**{f"{p}superseded_on__gt": on}))
        & (Q(**{f"{p}review_due_date__isnull": True}) | Q(**{f"{p}review_due_date__gte": on}))
        & (Q(**{f"{p}state": CertificateState.ACTIVE}) | Q(**{f"{p}state_changed_on__gt": on}))
    )


def _certificate_model():
    return apps.get_model("workforce", "Certificate")


class PersonQuerySet(ScopedQuerySet):
    def with_post_at(self, enterprise) -> PersonQuerySet:
        """People holding any post (current or past) at `enterprise`, once each."""
        return self.filter(pk__in=_post_person_ids(enterprise))


def _post_person_ids(enterprise):
    return (
        apps.get_model("workforce", "Post")
        .objects.filter(enterprise=enterprise)
        .values("person_id")
    )


class PostQuerySet(ScopedQuerySet):
    def requiring_certificate(self) -> PostQuerySet:
        """Posts whose type requires a certificate (PostType.requires_certificate)."""
        return self.filter(post_type__requires_certificate=True)

    def on_duty(self, on: date) -> PostQuerySet:
        """Posts held on day `on` (start unknown or reached; end empty or not yet passed)."""
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
        )

    @staticmethod
    def covered(on: date) -> Exists:
        """EXISTS a certificate version of the post's holder that fits the post and covers `on`."""
        certs = _certificate_model().objects.filter(
            covering_certificate_q(on),
            holder=OuterRef("person_id"),
            kind__post_types=OuterRef("post_type_id"),
        )
        # 特种作业: the certificate's 操作项目 must be the post's (NULL never matches).
        certs = certs.filter(
            Q(kind__requires_operation_item=False) | Q(operation_item=OuterRef("operation_item_id"))
        )
        return Exists(certs)

    def compliant(self, on: date) -> PostQuerySet:
        """Posts covered by a certificate on `on` (combine with requiring_certificate())."""
        return self.filter(self.covered(on))

    def non_compliant(self, on: date) -> PostQuerySet:
        """Posts requiring a certificate with none covering them on `on` (未持证上岗)."""
        return self.requiring_certificate().exclude(self.covered(on))

    def with_compliance(self, on: date) -> PostQuerySet:
        """Annotate `is_compliant` (bool) for lists and drill-downs."""
        return self.annotate(is_compliant=self.covered(on))

    def _certified_on_duty(self, on: date) -> tuple[PostQuerySet, Count, Count]:
        """The posts counted on day `on`, and the two counts of the 持证率 over them.

        "Compliant" is `COUNT(*) FILTER (WHERE EXISTS …)`, the form of the hand-written
        aggregate in bench/compliance.py. An earlier `id IN (posts filtered by EXISTS)`
        looked faster at 200k posts, but at 1M posts with PostgreSQL's default work_mem
        the planner re-scanned the subquery for every post and never finished
        (docs/benchmarks.md).
        """
        base = self.requiring_certificate().on_duty(on).order_by()
        return base, Count("pk"), Count("pk", filter=self.covered(on))

    def compliance_totals(self, on: date) -> dict:
        """{"required": n, "compliant": m} over this queryset's on-duty certified posts."""
        base, required, compliant = self._certified_on_duty(on)
        return base.aggregate(required=required, compliant=compliant)

    def compliance_by(self, on: date, *fields: str) -> QuerySet:
        """One row per group with `required` and `compliant`, e.g. fields=("enterprise_id",),
        ("enterprise__sector_id",) or ("enterprise__departments",). One GROUP BY query."""
        base, required, compliant = self._certified_on_duty(on)
        return (
            base.values(*fields).annotate(required=required, compliant=compliant).order_by(*fields)
        )

    def compliance_by_unit(self, on: date, depth: int) -> QuerySet:
        """Rows {"unit_path", "required", "compliant"} per unit subtree at tree `depth`
        (2 = 新城, 3 = 镇街): the enterprise's unit path cut to that depth."""
        from xuanpei.orgs.models import Unit

        base, required, compliant = self._certified_on_duty(on)
        return (
            base.annotate(unit_path=Substr("enterprise__unit__path", 1, Unit.steplen * depth))
            .values("unit_path")
            .annotate(required=required, compliant=compliant)
            .order_by("unit_path")
        )


class CertificateQuerySet(ScopedQuerySet):
    def current(self) -> CertificateQuerySet:
        """The current version of each certificate (history excluded)."""
        return self.filter(is_current=True)

    def covering_on(self, on: date) -> CertificateQuerySet:
        """Versions whose status on `on` is valid, review due or expiring."""
        return self.filter(covering_certificate_q(on))

    def review_due_between(self, start: date, end: date) -> CertificateQuerySet:
        """Current active versions whose 应复审日期 falls in [start, end] (reminder lists)."""
        return self.current().filter(
            state=CertificateState.ACTIVE, review_due_date__range=(start, end)
        )

    def expiring_between(self, start: date, end: date) -> CertificateQuerySet:
        """Current active versions whose 有效期至 falls in [start, end] (reminder lists)."""
        return self.current().filter(state=CertificateState.ACTIVE, valid_until__range=(start, end))
