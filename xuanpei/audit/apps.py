from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Browsing django-auditlog's LogEntry rows (issue #2 point 9) and the import batches (issue #10)."""

    name = "xuanpei.audit"
    label = "audit"
    verbose_name = "审计日志"
