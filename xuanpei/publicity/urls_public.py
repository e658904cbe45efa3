"""The public publicity page (no login): /public/publicity/ (issue #11 §8)."""

from django.urls import path

from xuanpei.publicity import views_public

app_name = "publicity_public"
urlpatterns = [
    path("", views_public.public_page, name="page"),
    path("photos/<int:pk>.jpg", views_public.public_thumbnail, name="thumbnail"),
]
