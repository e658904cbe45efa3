"""Pages: grid (issue #12)."""

urlpatterns: list = []
