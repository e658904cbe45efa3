from django.urls import path

from xuanpei.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.LogEntryListView.as_view(), name="logentry_list"),
]
