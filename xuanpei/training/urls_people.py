"""Pages: people (issue #12)."""

urlpatterns: list = []
