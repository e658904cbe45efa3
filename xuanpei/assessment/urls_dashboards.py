"""Pages: dashboards (issue #13)."""

urlpatterns: list = []
