"""Pages: stats (issue #12)."""

urlpatterns: list = []
