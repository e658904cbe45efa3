"""Plans pages: io (see urls.py)."""

urlpatterns: list = []
