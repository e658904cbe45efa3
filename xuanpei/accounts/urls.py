"""Login/logout, my profile, and user management (names `user_list|_detail|_add|_edit|…`)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from xuanpei.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/token/", views.ApiTokenView.as_view(), name="api_token"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views.UserPasswordView.as_view(), name="user_password"),
    path(
        "users/<int:pk>/deactivate/",
        views.UserActiveView.as_view(active=False),
        name="user_deactivate",
    ),
    path("users/<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user_unlock"),
    path(
        "users/<int:pk>/activate/", views.UserActiveView.as_view(active=True), name="user_activate"
    ),
]
