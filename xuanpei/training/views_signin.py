"""The trainee's QR sign-in and sign-out pages (issue #12 §3): no login, phone first.

`/t/<token>/` (sign-in) and `/t/<token>/out/` (sign-out) answer for the session holding
the token; an unknown or regenerated token is a 404 ("签到链接已失效"), so a replayed
link of an old QR code stops working the moment the organiser replaces it. The page
shows the session's title, time and place and, inside the sign-in window, a form for
name + the last 4 characters of the ID number; the use case is
`training.services.sign_in` / `sign_out`, which answers every refusal in Chinese
(outside the window, not on the roster, a name/tail that does not match) and keeps
one attendance per person however often they sign in.

Brute force of ID tails is rate-limited (django-ratelimit, the default cache; see
`workforce/views_public.py` for Redis with several processes). Only refused
confirmations count, never successes: a whole class behind one venue Wi-Fi (one
address) must be able to sign in. Two limits:

- per session and name, across all addresses, `TRAINING_SIGN_IN_NAME_RATE` (default
  10 refusals per 10 minutes): guessing one trainee's tail (11,000 candidates) would
  take ~90 hours on average at that pace (1 a minute), far beyond any sign-in window
  (the session and 30 minutes either side by default), while a trainee who
  mistypes a few times is not stopped;
- per address and session, `TRAINING_SIGN_IN_IP_RATE` (default 100 refusals per 10
  minutes): one device cannot probe the roster for names, and a class of 300 behind
  one address, a tenth of whom mistype once, stays well below it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.generic.detail import SingleObjectMixin
from django_ratelimit.core import get_usage

from xuanpei.accounts.lockout import client_ip
from xuanpei.core.views import ScopedViewMixin
from xuanpei.training import services
from xuanpei.training.forms_signin import SignInForm
from xuanpei.training.models import TrainingSession
from xuanpei.training.qr import qr_svg, regenerate_sign_in_token

RATE_GROUP = "training.sign_in"


def now():
    """The clock of the sign-in pages (a function, so that tests can move it)."""
    return timezone.now()


def _rates() -> tuple[str, str]:
    return (
        getattr(settings, "TRAINING_SIGN_IN_NAME_RATE", "10/10m"),
        getattr(settings, "TRAINING_SIGN_IN_IP_RATE", "100/10m"),
    )


def _name_key(group, request) -> str:
    return "".join((request.POST.get("name") or "").split())


def _ip_key(group, request) -> str:
    return client_ip(request) or ""


class SignInView(generic.View):
    """GET: the session and the form (inside the window). POST: one sign-in."""

    template_name = "training/signin_form.html"
    done_template = "training/signin_done.html"
    service = staticmethod(services.sign_in)
    verb = _("签到")
    out = False

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        token = kwargs.get("token") or ""
        self.session = (
            TrainingSession.objects.select_related("unit", "enterprise")
            .filter(sign_in_token=token)
            .first()
        )

    def dispatch(self, request, *args, **kwargs):
        if self.session is None:
            # A replayed link of a replaced QR code, or a mistyped one: a 404 that says so.
            response = render(request, "training/signin_invalid.html", status=404)
        else:
            response = super().dispatch(request, *args, **kwargs)
        # One trainee's answer: never cached by a proxy or the browser.
        response["Cache-Control"] = "no-store"
        return response

    def window(self, moment) -> str:
        if moment < self.session.sign_in_opens_at:
            return "not_open"
        if moment > self.session.sign_in_closes_at:
            return "closed"
        return "open"

    def get(self, request, *args, **kwargs):
        return self.page(SignInForm())

    def post(self, request, *args, **kwargs):
        if self.limited(increment=False):
            return self.page(SignInForm(), status=429, limited=True)
        form = SignInForm(request.POST)
        if not form.is_valid():
            return self.page(form)
        moment = now()
        try:
            result = self.service(
                self.session,
                token=self.kwargs["token"],
                name=form.cleaned_data["name"],
                id_tail=form.cleaned_data["id_tail"],
                now=moment,
                ip=client_ip(request),
                agent=request.headers.get("User-Agent", ""),
            )
        except ValidationError as exc:
            self.limited(increment=True)
            return self.page(form, refusal=exc.messages)
        return render(
            request,
            self.done_template,
            {"session": self.session, "result": result, "out": self.out, "verb": self.verb},
        )

    def limited(self, *, increment: bool) -> bool:
        """Count a refused confirmation (increment) or ask whether the limit is reached."""
        name_rate, ip_rate = _rates()
        group = f"{RATE_GROUP}:{self.session.pk}"
        over = False
        for key, rate in ((_name_key, name_rate), (_ip_key, ip_rate)):
            usage = get_usage(self.request, group=group, key=key, rate=rate, increment=increment)
            if usage is not None and usage["count"] >= usage["limit"]:
                over = True
        return over

    def page(self, form, *, status=200, refusal=None, limited=False):
        moment = now()
        response = render(
            self.request,
            self.template_name,
            {
                "session": self.session,
                "form": form,
                "window": self.window(moment),
                "refusal": refusal or [],
                "limited": limited,
                "out": self.out,
                "verb": self.verb,
                "other_url": self.other_url(),
            },
            status=status,
        )
        if limited:
            response["Retry-After"] = "600"
        return response

    def other_url(self) -> str:
        name = "training_signin:sign_in" if self.out else "training_signin:sign_out"
        return reverse(name, args=[self.session.sign_in_token])


class SignOutView(SignInView):
    service = staticmethod(services.sign_out)
    verb = _("签退")
    out = True


# The organiser's printable QR page ----------------------------------------------------------


class SessionQRView(ScopedViewMixin, SingleObjectMixin, generic.TemplateView):
    """The session's sign-in and sign-out QR codes, their links and the window, to print
    or show on a screen; out of the user's scope ("change"): 404."""

    queryset = TrainingSession.objects.select_related("unit", "enterprise")
    action = "change"
    template_name = "training/session_qr.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.object
        codes = []
        for name, label in (
            ("training_signin:sign_in", _("签到")),
            ("training_signin:sign_out", _("签退")),
        ):
            url = self.request.build_absolute_uri(reverse(name, args=[session.sign_in_token]))
            codes.append({"label": label, "url": url, "svg": qr_svg(url, title=str(label))})
        ctx.update(session=session, codes=codes, now=now())
        back = "training:session_detail"
        try:
            ctx["back_url"] = reverse(back, args=[session.pk])
        except NoReverseMatch:  # the session pages may not exist yet
            ctx["back_url"] = ""
        return ctx


class SessionQRRegenerateView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """POST: a new token; the old QR code and links stop working at once."""

    queryset = TrainingSession.objects.all()
    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        session = self.get_object()
        regenerate_sign_in_token(session, actor=request.user)
        messages.success(
            request, _("已重新生成签到链接：原二维码和链接已失效，请打印或展示新的二维码")
        )
        return HttpResponseRedirect(reverse("training:session_qr", args=[session.pk]))
