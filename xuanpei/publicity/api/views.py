"""API viewsets of the publicity calendar, scoped like the pages (`core.api.ScopedModelViewSet`).

Campaigns: read by everyone in scope (the district's and every unit's above are read
below), written by the owner's subtree; a campaign of a national rule belongs to the
district. Rules: read by every unit user (the national calendar too), kept by admins.
"""

from xuanpei.core.api import ScopedModelViewSet
from xuanpei.publicity.api.serializers import CampaignSerializer, ThemedDayRuleSerializer
from xuanpei.publicity.filters import CampaignFilterSet, RuleFilterSet
from xuanpei.publicity.models import Campaign, ThemedDayRule


class CampaignViewSet(ScopedModelViewSet):
    """宣传主题活动：每个宣传日在某一年的一次活动（日期、年度主题、对应计划任务）。"""

    queryset = Campaign.objects.select_related("rule", "unit").prefetch_related("tasks")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    ordering_fields = ["start_date", "year", "name"]
    ordering = ["start_date", "pk"]


class ThemedDayRuleViewSet(ScopedModelViewSet):
    """宣传日规则：固定日期、整月、固定时段、按星期推算，或每年录入日期。"""

    queryset = ThemedDayRule.objects.select_related("unit")
    serializer_class = ThemedDayRuleSerializer
    filterset_class = RuleFilterSet
    ordering_fields = ["order", "name"]
    ordering = ["order", "pk"]
