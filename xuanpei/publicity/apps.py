from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "xuanpei.publicity"
    label = "publicity"
    verbose_name = _("宣传")

    def ready(self) -> None:
        from xuanpei.audit.registration import register
        from xuanpei.publicity import metrics
        from xuanpei.publicity import models as m

        register(m.ThemedDayRule)
        register(m.Campaign, m2m_fields={"tasks"})
        register(m.CalendarFeed, exclude_fields=["token"])
        register(m.MediaPost, m2m_fields={"campaigns", "tasks"})
        register(m.Activity, m2m_fields={"campaigns", "tasks", "audiences", "forms"})
        register(m.ActivityMaterial)
        register(m.ActivityFile, exclude_fields=["file", "thumbnail"])
        metrics.register()  # computed plan targets (plans.metrics)
