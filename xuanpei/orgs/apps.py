from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "xuanpei.orgs"
    label = "orgs"
    verbose_name = "单位与企业"

    def ready(self):
        from auditlog.registry import auditlog

        from xuanpei.orgs.models import Enterprise, Sector, Unit

        auditlog.register(Unit)
        auditlog.register(Sector, m2m_fields={"default_departments"})
        auditlog.register(Enterprise, m2m_fields={"departments"})
