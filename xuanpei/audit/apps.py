from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Browsing django-auditlog's LogEntry rows (issue #2 point 9); it owns no models."""

    name = "xuanpei.audit"
    label = "audit"
    verbose_name = "审计日志"
