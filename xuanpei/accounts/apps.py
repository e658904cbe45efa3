from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xuanpei.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self):
        from xuanpei.accounts.models import User
        from xuanpei.audit.registration import register

        register(User, exclude_fields=["password", "last_login"])
