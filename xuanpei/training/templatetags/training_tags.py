"""Training blocks shown on other apps' pages, so those apps do not import training.

`{% enterprise_obligations enterprise user %}`: the enterprise's open post-accident
training obligations (issue #12 §7) with the people still missing, on its page.
"""

from django import template

from xuanpei.training.models import TrainingObligation
from xuanpei.training.views_accidents import judged

register = template.Library()


@register.inclusion_tag("training/partials/enterprise_obligations.html")
def enterprise_obligations(enterprise, user):
    rows = (
        TrainingObligation.objects.for_user(user, "view")
        .filter(accident__enterprise=enterprise, fulfilled_on__isnull=True)
        .select_related("accident", "accident__enterprise")
        .order_by("due_on", "pk")
    )
    return {"enterprise": enterprise, "obligation_rows": judged(rows)}
