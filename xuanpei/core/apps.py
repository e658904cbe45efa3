from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xuanpei.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from xuanpei.core import checks  # noqa: F401 - registers the deploy checks
