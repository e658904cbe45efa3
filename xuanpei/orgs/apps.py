from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "xuanpei.orgs"
    label = "orgs"
    verbose_name = "单位与企业"

    def ready(self):
        from xuanpei.audit.registration import register
        from xuanpei.orgs.models import Enterprise, Sector, Unit

        register(Unit)
        register(Sector, m2m_fields={"default_departments"})
        register(Enterprise, m2m_fields={"departments"})

        from xuanpei.orgs.readings import connect_signals

        connect_signals()
