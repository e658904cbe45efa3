"""Pages of the workforce app, assembled from one URL module per area."""

from xuanpei.workforce import urls_compliance, urls_integrity, urls_io, urls_people

app_name = "workforce"
urlpatterns = (
    urls_people.urlpatterns
    + urls_compliance.urlpatterns
    + urls_io.urlpatterns
    + urls_integrity.urlpatterns
)
