"""Pages: a session's archive (一期一档) and sign-in sheet (issue #12 §4)."""

from django.urls import path

from xuanpei.training import views_archive

urlpatterns = [
    path(
        "sessions/<int:pk>/archive/",
        views_archive.SessionArchiveView.as_view(),
        name="session_archive",
    ),
    path(
        "sessions/<int:pk>/signin-sheet/",
        views_archive.SessionSigninSheetView.as_view(),
        name="session_signin_sheet",
    ),
]
