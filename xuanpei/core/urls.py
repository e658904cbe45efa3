from django.urls import path

from xuanpei.core import views_home, views_jobs

app_name = "core"
urlpatterns = [
    path("", views_home.HomeView.as_view(), name="home"),
    path("jobs/<int:pk>/", views_jobs.JobStatusView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/report/", views_jobs.JobReportView.as_view(), name="job_report"),
    path("jobs/<int:pk>/rows/", views_jobs.JobRowsView.as_view(), name="job_rows"),
]
