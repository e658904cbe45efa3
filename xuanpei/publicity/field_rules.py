"""Who may change which field of the calendar's rows (core.field_rules, issue #9 item 1).

Which rows a user may change is scope (the district's rows only the district); these
are the fields that stay as they were once the row exists: a campaign is one rule's
occurrence in one year for one owner, and a rule's owner is what makes it national or
a unit's own. (A ruled campaign's dates are the rule's: the edit form and the API
refuse them, see `forms.CampaignEditForm` and `api.serializers.CampaignSerializer`.)
"""

from xuanpei.core.field_rules import ENTERPRISE, FieldRules, register
from xuanpei.publicity.models import Campaign, ThemedDayRule
from xuanpei.publicity.models_ledger import Activity, MediaPost

CAMPAIGN_RULES = register(Campaign, FieldRules(fixed=("rule", "year", "unit")))
RULE_RULES = register(ThemedDayRule, FieldRules(fixed=("unit",)))
# An activity stays where it was recorded: its unit and (an enterprise's) enterprise
# are set on creation (services_activities sets an enterprise's 属地).
ACTIVITY_RULES = register(Activity, FieldRules(fixed=("unit", "enterprise")))
# A media post's enterprise is who published it; an enterprise's post sits on its 属地
# (services_media), which the enterprise does not move.
MEDIA_RULES = register(MediaPost, FieldRules(fixed=("enterprise",), locked={ENTERPRISE: ("unit",)}))
