"""Pages of the publicity app (issue #11): the themed-day calendar so far."""

from django.urls import path

from xuanpei.publicity import urls_activities, urls_coverage, urls_media, views, views_calendar

app_name = "publicity"
urlpatterns = [
    path("", views_calendar.CalendarMonthView.as_view(), name="calendar"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/add/", views.CampaignCreateView.as_view(), name="campaign_add"),
    path("campaigns/generate/", views.CampaignGenerateView.as_view(), name="campaign_generate"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_edit"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/add/", views.RuleCreateView.as_view(), name="rule_add"),
    path("rules/<int:pk>/edit/", views.RuleUpdateView.as_view(), name="rule_edit"),
    path("feed/", views_calendar.FeedView.as_view(), name="feed"),
    path("feed/new/", views_calendar.FeedRegenerateView.as_view(), name="feed_regenerate"),
    path("calendar/<str:token>.ics", views_calendar.feed_ics, name="feed_ics"),
    *urls_activities.urlpatterns,
    *urls_media.urlpatterns,
    *urls_coverage.urlpatterns,
]
