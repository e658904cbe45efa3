"""The trainee's sign-in pages (issue #12 §3): no login, the session's token in the link."""

app_name = "training_signin"
urlpatterns: list = []
