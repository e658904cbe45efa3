"""Pages: scores (issue #13)."""

urlpatterns: list = []
