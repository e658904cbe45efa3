"""Pages: the indicator library (issue #13 §1)."""

from django.urls import path

from xuanpei.assessment import views_indicators as v

urlpatterns = [
    path("indicators/", v.IndicatorSetListView.as_view(), name="indicator_set_list"),
    path("indicators/sets/add/", v.IndicatorSetCreateView.as_view(), name="indicator_set_add"),
    path(
        "indicators/sets/<int:pk>/", v.IndicatorSetDetailView.as_view(), name="indicator_set_detail"
    ),
    path(
        "indicators/sets/<int:pk>/edit/",
        v.IndicatorSetUpdateView.as_view(),
        name="indicator_set_edit",
    ),
    path(
        "indicators/sets/<int:pk>/copy/",
        v.IndicatorSetCopyView.as_view(),
        name="indicator_set_copy",
    ),
    path(
        "indicators/sets/<int:set_pk>/add/", v.IndicatorCreateView.as_view(), name="indicator_add"
    ),
    path("indicators/<int:pk>/edit/", v.IndicatorUpdateView.as_view(), name="indicator_edit"),
]
