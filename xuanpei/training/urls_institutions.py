"""Pages: institutions (issue #12)."""

urlpatterns: list = []
