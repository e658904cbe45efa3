"""Pages of the plans app, assembled from one URL module per area."""

from xuanpei.plans import urls_io, urls_plans, urls_reports, urls_subassign

app_name = "plans"
urlpatterns = (
    urls_plans.urlpatterns
    + urls_reports.urlpatterns
    + urls_io.urlpatterns
    + urls_subassign.urlpatterns
)
