"""The public publicity page (issue #11 §8): no login, phone-first.

Shows the district's current and upcoming themed days (campaigns of the district
root, running today or starting within UPCOMING_DAYS) with their themes, and the
activities the district chose to publish (accepted and `is_public`): title, date,
place and photos — nothing else (no unit contact, no names, no participants). Photo
thumbnails are served without login only for published activities; the full-size
photo and every other file stay behind login and scope.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from xuanpei.core import uploads
from xuanpei.core.files import file_response
from xuanpei.orgs.models import Unit
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import Activity, ActivityFile, ReviewStatus

UPCOMING_DAYS = 60
PUBLIC_ACTIVITIES = 30
PHOTOS_PER_ACTIVITY = 6


def published_activities():
    """Accepted activities the district chose to publish, newest first."""
    return Activity.objects.filter(is_public=True, status=ReviewStatus.ACCEPTED)


@require_safe
def public_page(request):
    today = timezone.localdate()
    root = Unit.objects.get_first_root_node()
    campaigns = []
    if root is not None:
        campaigns = list(
            Campaign.objects.filter(unit=root, end_date__gte=today)
            .filter(start_date__lte=today + timedelta(days=UPCOMING_DAYS))
            .order_by("start_date", "name", "pk")
            .only("name", "theme", "start_date", "end_date")
        )
    for c in campaigns:
        c.running = c.start_date <= today
    photos = Prefetch(
        "files",
        queryset=ActivityFile.objects.filter(kind=uploads.IMAGE)
        .exclude(thumbnail="")
        .only("pk", "activity_id", "name", "kind", "thumbnail"),
        to_attr="photos",
    )
    activities = list(
        published_activities()
        .only("pk", "title", "held_on", "place")
        .order_by("-held_on", "-pk")
        .prefetch_related(photos)[:PUBLIC_ACTIVITIES]
    )
    for a in activities:
        a.photos = a.photos[:PHOTOS_PER_ACTIVITY]
    response = render(
        request,
        "publicity/public_page.html",
        {"campaigns": campaigns, "activities": activities, "today": today},
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def public_thumbnail(request, pk: int):
    """A photo's thumbnail, only while its activity is published."""
    item = get_object_or_404(
        ActivityFile.objects.filter(Q(activity__in=published_activities()), kind=uploads.IMAGE),
        pk=pk,
    )
    if not item.thumbnail:
        raise Http404(_("文件不存在"))
    response = file_response(
        item.thumbnail, filename=f"{item.pk}.jpg", content_type="image/jpeg", inline=True
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
