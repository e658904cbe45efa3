"""Pages: bulletins (issue #13 item 3)."""

from django.urls import path

from xuanpei.assessment import views_bulletins as v

urlpatterns = [
    path("bulletins/", v.BulletinListView.as_view(), name="bulletin_list"),
    path("bulletins/add/", v.BulletinCreateView.as_view(), name="bulletin_add"),
    path("bulletins/<int:pk>/", v.BulletinDetailView.as_view(), name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", v.BulletinUpdateView.as_view(), name="bulletin_edit"),
    path("bulletins/<int:pk>/issue/", v.BulletinIssueView.as_view(), name="bulletin_issue"),
    path(
        "bulletins/<int:pk>/docx/",
        v.BulletinFileView.as_view(kind="docx"),
        name="bulletin_docx",
    ),
    path("bulletins/<int:pk>/pdf/", v.BulletinFileView.as_view(kind="pdf"), name="bulletin_pdf"),
]
