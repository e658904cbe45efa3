"""Plans pages: reports (see urls.py)."""

urlpatterns: list = []
