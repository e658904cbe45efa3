"""Pages: indicators (issue #13)."""

urlpatterns: list = []
