from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "xuanpei.plans"
    label = "plans"
    verbose_name = _("年度计划与任务")

    def ready(self) -> None:
        from xuanpei.audit.registration import register
        from xuanpei.plans import models as m

        register(m.Plan)
        register(m.PlanSection)
        register(m.Task, m2m_fields={"lead_units", "cooperating_units"})
        register(m.Target)
        register(m.Assignment)
        register(m.ProgressReport)
        register(m.ReportQuantity)
        register(m.Evidence)
        register(m.Adjustment)
        register(m.Comment)
