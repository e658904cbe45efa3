"""Pages: accidents and the training obligations they create (issue #12 §7)."""

from django.urls import path

from xuanpei.training import views_accidents as v

urlpatterns = [
    path("accidents/", v.AccidentListView.as_view(), name="accident_list"),
    path("accidents/add/", v.AccidentCreateView.as_view(), name="accident_add"),
    path("accidents/<int:pk>/", v.AccidentDetailView.as_view(), name="accident_detail"),
    path("accidents/<int:pk>/edit/", v.AccidentUpdateView.as_view(), name="accident_edit"),
    path("obligations/", v.ObligationListView.as_view(), name="obligation_list"),
]
