"""Pages of the training app (issue #12), one module per area."""

from xuanpei.training import (
    urls_accidents,
    urls_archive,
    urls_grid,
    urls_institutions,
    urls_people,
    urls_qr,
    urls_sessions,
    urls_shortfall,
    urls_stats,
)

app_name = "training"
urlpatterns = [
    *urls_sessions.urlpatterns,
    *urls_archive.urlpatterns,
    *urls_people.urlpatterns,
    *urls_grid.urlpatterns,
    *urls_accidents.urlpatterns,
    *urls_institutions.urlpatterns,
    *urls_stats.urlpatterns,
    *urls_shortfall.urlpatterns,
    *urls_qr.urlpatterns,
]
