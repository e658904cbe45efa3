"""Pages: accidents (issue #12)."""

urlpatterns: list = []
