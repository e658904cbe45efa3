"""Pages: bulletins (issue #13)."""

urlpatterns: list = []
