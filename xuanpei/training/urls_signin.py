"""The trainee's sign-in pages (issue #12 §3): no login, the session's token in the link."""

from django.urls import path

from xuanpei.training import views_signin

app_name = "training_signin"
urlpatterns = [
    path("<str:token>/", views_signin.SignInView.as_view(), name="sign_in"),
    path("<str:token>/out/", views_signin.SignOutView.as_view(), name="sign_out"),
]
