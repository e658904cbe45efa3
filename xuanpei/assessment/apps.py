from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "xuanpei.assessment"
    label = "assessment"
    verbose_name = _("考核通报")

    def ready(self) -> None:
        from xuanpei.assessment import models as m
        from xuanpei.assessment.services_entries import PENDING_DIR
        from xuanpei.audit.registration import register
        from xuanpei.core import jobs, uploads

        uploads.register_held_dir(PENDING_DIR)
        register(m.IndicatorSet)
        register(m.Indicator)
        register(m.ManualEntry)
        register(m.QuarterRun, exclude_fields=["snapshot"])
        register(m.Objection)
        register(m.Bulletin)
        jobs.register_handler(
            "assessment_compute", "xuanpei.assessment.services_scoring.run_compute_job"
        )
        for kind, handler in (
            ("assessment_bulletin_draft", "run_draft_job"),
            ("assessment_bulletin_issue", "run_issue_job"),
        ):
            jobs.register_handler(kind, f"xuanpei.assessment.services_bulletins.{handler}")
