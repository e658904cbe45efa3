"""The notification inbox."""

app_name = "notifications"
urlpatterns: list = []
