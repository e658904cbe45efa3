"""Writes of new-media posts (issue #11 item 5): pages, the API and the import share them.

An enterprise's post belongs to the enterprise and, for scoping and tallies, to its
属地 (`unit` is set from the enterprise here, never typed). A post's counts are
typed or imported and updated later (the import upserts by link).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.publicity.models_ledger import MediaPost

# Beyond this a count is a typing error (a 100-million-view post is not a district's).
MAX_COUNT = 100_000_000


def media_errors(
    *, published_on=None, counts: dict | None = None, campaigns=(), tasks=()
) -> dict[str, str]:
    """field → Chinese reason, for what the model's own validation does not say."""
    errors: dict[str, str] = {}
    if published_on and published_on > timezone.localdate():
        errors["published_on"] = _("发布日期不能晚于今天")
    for name, value in (counts or {}).items():
        if value is None:
            continue
        if value < 0:
            errors[name] = _("%(label)s不能为负数") % {"label": COUNT_LABELS[name]}
        elif value > MAX_COUNT:
            errors[name] = _("%(label)s不能超过 %(max)d") % {
                "label": COUNT_LABELS[name],
                "max": MAX_COUNT,
            }
    if published_on:
        year = published_on.year
        wrong = [c.name for c in campaigns if c.year != year]
        if wrong:
            errors["campaigns"] = _("宣传主题活动“%(names)s”不是%(year)d年的") % {
                "names": "、".join(wrong),
                "year": year,
            }
        wrong = [t.number for t in tasks if t.plan.year != year]
        if wrong:
            errors["tasks"] = _("计划任务“%(numbers)s”不是%(year)d年计划的") % {
                "numbers": "、".join(wrong),
                "year": year,
            }
    return errors


COUNT_LABELS = {
    "views": gettext_lazy("阅读量"),
    "likes": gettext_lazy("点赞数"),
    "shares": gettext_lazy("转发数"),
}


def prepare_media_post(post: MediaPost) -> MediaPost:
    """An enterprise's post sits on its 属地."""
    if post.enterprise_id:
        post.unit_id = post.enterprise.unit_id
    return post


def save_media_post(post: MediaPost, *, actor=None, campaigns=None, tasks=None) -> MediaPost:
    """Validate and save a post (and its campaigns and tasks when given)."""
    prepare_media_post(post)
    errors = media_errors(
        published_on=post.published_on,
        counts={k: getattr(post, k) for k in COUNT_LABELS},
        campaigns=campaigns or (),
        tasks=tasks or (),
    )
    if errors:
        raise ValidationError(errors)
    post.full_clean(exclude=["campaigns", "tasks"])
    post.save()
    if campaigns is not None:
        post.campaigns.set(campaigns)
    if tasks is not None:
        post.tasks.set(tasks)
    return post
