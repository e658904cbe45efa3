"""Pages: sessions (issue #12 §2, the organiser's side of §3)."""

from django.urls import path

from xuanpei.training import views_sessions as v

urlpatterns = [
    path("", v.SessionListView.as_view(), name="session_list"),
    path("sessions/", v.SessionListView.as_view(), name="session_list"),
    path("sessions/export/", v.SessionExportView.as_view(), name="session_export"),
    path("sessions/add/", v.SessionCreateView.as_view(), name="session_add"),
    path("sessions/<int:pk>/", v.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", v.SessionUpdateView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/delete/", v.SessionDeleteView.as_view(), name="session_delete"),
    path("sessions/<int:pk>/held/", v.SessionMarkHeldView.as_view(), name="session_mark_held"),
    path(
        "sessions/<int:pk>/archive-mark/",
        v.SessionArchiveMarkView.as_view(),
        name="session_archive_mark",
    ),
    path("sessions/<int:pk>/enrol/", v.SessionEnrolView.as_view(), name="session_enrol"),
    path(
        "sessions/<int:pk>/enrol-by-post/",
        v.SessionEnrolBulkView.as_view(),
        name="session_enrol_bulk",
    ),
    path("enrolments/<int:pk>/remove/", v.SessionUnenrolView.as_view(), name="session_unenrol"),
    path(
        "sessions/<int:pk>/present/",
        v.SessionMarkPresentView.as_view(),
        name="session_mark_present",
    ),
    path(
        "attendances/<int:pk>/correct/",
        v.AttendanceCorrectView.as_view(),
        name="attendance_correct",
    ),
    path(
        "enrolments/<int:pk>/certify/",
        v.EnrolmentCertifyView.as_view(),
        name="enrolment_certify",
    ),
    path("sessions/<int:pk>/scores/", v.SessionScoresView.as_view(), name="session_scores"),
    path("sessions/<int:pk>/files/", v.SessionFileUploadView.as_view(), name="session_upload"),
    path("session-files/<int:pk>/", v.SessionFileView.as_view(), name="session_file"),
    path(
        "session-files/<int:pk>/thumbnail/",
        v.SessionThumbnailView.as_view(),
        name="session_thumbnail",
    ),
    path(
        "session-files/<int:pk>/delete/",
        v.SessionFileDeleteView.as_view(),
        name="session_file_delete",
    ),
]
