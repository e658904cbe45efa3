"""`{% task_campaigns task user %}`: the campaigns a plan task covers, on the task page.

The link is kept on the publicity side (`Campaign.tasks`), so the plans app's code
does not depend on publicity; only its task template loads this tag.
"""

from django import template

from xuanpei.publicity.models import Campaign

register = template.Library()


@register.inclusion_tag("publicity/partials/task_campaigns.html")
def task_campaigns(task, user):
    campaigns = Campaign.objects.for_user(user, "view").filter(tasks=task).order_by("start_date")
    return {"campaigns": list(campaigns)}
