"""The public certificate check (issue #3 §6): no login, number + name → valid or not.

Anyone (an employer hiring, a worker, an inspector on site) types a certificate
number and the holder's name and learns whether the certificate is valid today
and its status. Nothing else about the person is said — no ID number, no
enterprise, no phone — and a wrong name gets the same answer as an unknown
number, so the page cannot be used to find out whose a number is.

Lookups are rate-limited per client IP (django-ratelimit, default cache;
`PUBLIC_CHECK_RATE`, default 10 a minute). Behind a reverse proxy set
RATELIMIT_IP_META_KEY so the limit applies to the client, not the proxy; with
several worker processes set REDIS_URL (settings: Django's RedisCache), since the
default local-memory cache counts per process (`check --deploy` warns of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views import generic
from django_ratelimit.core import is_ratelimited

from xuanpei.core.validators import normalize_code
from xuanpei.workforce.choices import COVERING_STATUSES, CertificateStatus
from xuanpei.workforce.forms import PublicCheckForm
from xuanpei.workforce.models import Certificate

RATE_GROUP = "workforce.public_check"


def public_check_rate() -> str:
    return getattr(settings, "PUBLIC_CHECK_RATE", "10/m")


@dataclass(frozen=True)
class CheckResult:
    """What the public may learn about a certificate: its kind, dates and status, no more."""

    found: bool
    valid: bool = False
    status: CertificateStatus | None = None
    kind: str = ""
    operation_item: str = ""
    valid_until: date | None = None
    review_due_date: date | None = None


def _same_name(a: str, b: str) -> bool:
    # Names are compared without spaces: "张 三" and "张三" are one name.
    return "".join(a.split()) == "".join(b.split())


def check_certificate(*, number: str, name: str, on: date | None = None) -> CheckResult:
    """The status on `on` (today) of the certificate numbered `number` held by `name`.

    The current version decides; a number found only in history (a card replaced
    under a new number) is reported as replaced. A name that does not match is
    "not found", exactly like an unknown number.
    """
    on = on or timezone.localdate()
    number = normalize_code(number)
    versions = (
        Certificate.objects.filter(number=number)
        .select_related("holder", "kind", "operation_item")
        .prefetch_related("kind__post_types")
        .order_by("-is_current", "-effective_from", "-pk")
    )
    cert = next((v for v in versions[:20] if _same_name(v.holder.name, name)), None)
    if cert is None:
        return CheckResult(found=False)
    status = cert.status_on(on)
    return CheckResult(
        found=True,
        valid=status in COVERING_STATUSES,
        status=status,
        kind=cert.kind.name,
        operation_item=cert.operation_item.name if cert.operation_item_id else "",
        valid_until=cert.valid_until,
        review_due_date=cert.review_due_date if cert.is_current else None,
    )


class PublicCheckView(generic.View):
    """GET: the form. POST: one rate-limited lookup, answered on the same page."""

    # The model this page reads (for the scope meta-test, which checks that no
    # search parameter makes it show a foreign row).
    queryset = Certificate.objects.all()
    template_name = "workforce/public_check.html"

    def get(self, request, *args, **kwargs):
        return self.render(request, PublicCheckForm())

    def post(self, request, *args, **kwargs):
        if is_ratelimited(
            request, group=RATE_GROUP, key="ip", rate=public_check_rate(), increment=True
        ):
            response = render(request, "workforce/public_check_limited.html", status=429)
            response["Retry-After"] = "60"
            return response
        form = PublicCheckForm(request.POST)
        result = None
        if form.is_valid():
            result = check_certificate(
                number=form.cleaned_data["number"], name=form.cleaned_data["name"]
            )
        return self.render(request, form, result)

    def render(self, request, form, result=None):
        response = render(
            request,
            self.template_name,
            {"form": form, "result": result, "today": timezone.localdate()},
        )
        # Answers are about one person's card: never cached by a proxy or the browser.
        response["Cache-Control"] = "no-store"
        return response
