from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Browsing django-auditlog's LogEntry rows (issue #2 point 9) and the import batches (issue #10)."""

    name = "xuanpei.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from xuanpei.audit.models import ImportBatch
        from xuanpei.audit.registration import register

        # A batch is written with auditlog off (it is the audit record itself); its
        # status change by a revert is logged like any object-by-object edit.
        register(ImportBatch, include_fields=["status", "reason"])
