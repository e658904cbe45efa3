"""The month view (宣传日历) and the private iCalendar feed of a unit.

The month view is a grid on a desk and a list on a phone (CSS: the days without a
campaign fold away below 576 px). Long campaigns (a month, a season) run as bands
above the grid rather than filling every cell.

The feed needs no login: `/publicity/calendar/<token>.ics` answers for the unit
holding the token (its campaigns, its ancestors' and the district's); an unknown or
regenerated token is a 404. The page `publicity:feed` shows the link to the unit's
users and lets those who may change it regenerate it (the old link stops at once).
"""

from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.views import ScopedViewMixin
from xuanpei.publicity import ics, services
from xuanpei.publicity.models import CalendarFeed, Campaign

# A campaign longer than this runs as a band above the grid, not in each day's cell.
BAND_DAYS = 10
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def _month_of(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        month = int(request.GET.get("month") or today.month)
    except ValueError:
        return today.year, today.month
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return today.year, today.month
    return year, month


class CalendarMonthView(ScopedViewMixin, generic.TemplateView):
    """宣传日历: the campaigns in scope that run in a month."""

    queryset = Campaign.objects.select_related("rule", "unit")
    template_name = "publicity/calendar_month.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year, month = _month_of(self.request)
        first = date(year, month, 1)
        last = date(year, month, pycal.monthrange(year, month)[1])
        campaigns = list(self.queryset.overlapping(first, last))
        bands = [c for c in campaigns if (c.end_date - c.start_date).days >= BAND_DAYS]
        short = [c for c in campaigns if (c.end_date - c.start_date).days < BAND_DAYS]
        today = timezone.localdate()
        weeks = []
        for week in pycal.Calendar().monthdatescalendar(year, month):
            days = []
            for day in week:
                events = [c for c in short if c.start_date <= day <= c.end_date]
                days.append(
                    {
                        "date": day,
                        "in_month": day.month == month,
                        "today": day == today,
                        "events": events if day.month == month else [],
                    }
                )
            weeks.append(days)
        prev_month = first - timedelta(days=1)
        next_month = last + timedelta(days=1)
        ctx.update(
            year=year,
            month=month,
            weeks=weeks,
            weekdays=WEEKDAYS,
            bands=bands,
            count=len(campaigns),
            prev={"year": prev_month.year, "month": prev_month.month},
            next={"year": next_month.year, "month": next_month.month},
            months=range(1, 13),
        )
        return ctx


class FeedView(ScopedViewMixin, generic.TemplateView):
    """订阅日历: the unit's private .ics link; POST makes a new one (the old one stops)."""

    queryset = CalendarFeed.objects.select_related("unit")
    template_name = "publicity/feed.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        feed = self.queryset.filter(unit_id=user.unit_id).first() if user.unit_id else None
        ctx.update(
            feed=feed,
            feed_url=self.request.build_absolute_uri(
                reverse("publicity:feed_ics", args=[feed.token])
            )
            if feed
            else None,
            may_manage=services.may_manage_feed(user),
            unit=user.unit,
        )
        return ctx


class FeedRegenerateView(ScopedViewMixin, generic.View):
    """生成/重新生成 the unit's link (a POST of its own: the page itself only shows it)."""

    queryset = CalendarFeed.objects.all()
    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = request.user
        if not services.may_manage_feed(user):
            raise PermissionDenied(_("您没有执行此操作的权限"))
        existed = CalendarFeed.objects.filter(unit_id=user.unit_id).exists()
        services.regenerate_feed(user.unit, actor=user)
        messages.success(
            request,
            _("已生成新的订阅链接，原链接已失效") if existed else _("已生成订阅链接"),
        )
        return HttpResponseRedirect(reverse("publicity:feed"))


def feed_ics(request, token: str):
    """The unit's calendar as iCalendar text, for whoever holds the link (no login)."""
    feed = CalendarFeed.objects.select_related("unit").filter(token=token).first()
    if feed is None or not token:
        raise Http404
    campaigns = services.feed_campaigns(feed.unit).order_by("start_date", "pk")
    body = ics.render(
        campaigns, name=_("%(unit)s宣传日历") % {"unit": feed.unit.name}, host=request.get_host()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
