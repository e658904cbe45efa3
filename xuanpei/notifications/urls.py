"""The notification inbox."""

from django.urls import path

from xuanpei.notifications import views

app_name = "notifications"
urlpatterns: list = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
]
