"""Pages: sessions (issue #12)."""

urlpatterns: list = []
