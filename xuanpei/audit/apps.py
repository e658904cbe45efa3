from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Browsing django-auditlog's LogEntry rows (issue #2 point 9) and the import batches (issue #10)."""

    name = "xuanpei.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from xuanpei.audit.models import ImportBatch
        from xuanpei.audit.registration import register
        from xuanpei.core import jobs, views_jobs

        # A batch is written with auditlog off (it is the audit record itself); its
        # status change by a revert is logged like any object-by-object edit.
        register(ImportBatch, include_fields=["status", "reason"])

        # A large batch's revert runs as a Job, one writer at a time on SQLite like imports.
        jobs.register_handler("batch_revert", "xuanpei.audit.jobs.run_revert_job")
        jobs.SERIAL_KINDS.add("batch_revert")
        views_jobs.RESULT_TEMPLATES["batch_revert"] = "audit/partials/revert_job_result.html"
