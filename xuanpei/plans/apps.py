from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "xuanpei.plans"
    label = "plans"
    verbose_name = _("年度计划与任务")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from xuanpei.plans import models as m

        auditlog.register(m.Plan)
        auditlog.register(m.PlanSection)
        auditlog.register(m.Task, m2m_fields={"lead_units", "cooperating_units"})
        auditlog.register(m.Target)
        auditlog.register(m.Assignment)
        auditlog.register(m.ProgressReport)
        auditlog.register(m.ReportQuantity)
        auditlog.register(m.Evidence)
        auditlog.register(m.Adjustment)
        auditlog.register(m.Comment)
