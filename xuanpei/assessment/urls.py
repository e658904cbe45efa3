"""Pages of the assessment app (issue #13), one module per area."""

from xuanpei.assessment import urls_bulletins, urls_dashboards, urls_indicators, urls_scores

app_name = "assessment"
urlpatterns = [
    *urls_scores.urlpatterns,
    *urls_indicators.urlpatterns,
    *urls_bulletins.urlpatterns,
    *urls_dashboards.urlpatterns,
]
