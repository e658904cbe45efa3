from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "xuanpei.training"
    label = "training"
    verbose_name = _("培训")

    def ready(self) -> None:
        from xuanpei.audit.registration import register
        from xuanpei.training import metrics, obligations, shortfall
        from xuanpei.training import models as m

        obligations.connect_signals()  # post-accident obligations follow attendance (§7)
        shortfall.connect_signals()  # the shortfall page's cache follows every write (§5)
        metrics.register()  # computed plan targets (plans.metrics, issue #12 §9)

        register(m.UnitPost, mask_fields=["phone"])  # as a person's phone is
        register(m.TrainingSession, exclude_fields=["sign_in_token"])
        register(m.Enrolment)
        # Every correction of credited hours is in the log (issue #12 §3).
        register(m.Attendance)
        register(m.SessionFile)
        register(m.Accident)
        register(m.TrainingObligation)
        register(m.Institution)
        register(m.Inspection)
        register(m.Rectification)
