"""Pages: a session's sign-in QR codes for the organiser (issue #12 §3)."""

from django.urls import path

from xuanpei.training import views_signin

urlpatterns = [
    path("sessions/<int:pk>/qr/", views_signin.SessionQRView.as_view(), name="session_qr"),
    path(
        "sessions/<int:pk>/qr/regenerate/",
        views_signin.SessionQRRegenerateView.as_view(),
        name="session_qr_regenerate",
    ),
]
