"""Plans pages: plans (see urls.py)."""

urlpatterns: list = []
