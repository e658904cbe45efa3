from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "xuanpei.workforce"
    label = "workforce"
    verbose_name = "持证人员"

    def ready(self):
        from auditlog.registry import auditlog

        from xuanpei.workforce import models as m

        # ID numbers and phones are masked in the log too: the log is read by
        # more people than may see a full ID (issue #3 §7).
        auditlog.register(m.Person, mask_fields=["id_number", "phone"])
        auditlog.register(m.Post)
        auditlog.register(m.Certificate)
        # The rule dictionaries are data an administrator may edit: log every change.
        auditlog.register(m.PostType)
        auditlog.register(m.CertificateKind, m2m_fields={"post_types"})
        auditlog.register(m.CatalogueVersion)
        auditlog.register(m.OperationCategory)
        auditlog.register(m.OperationItem)

        # Keep the 持证率 snapshots in step with single edits (pages, API, services).
        from xuanpei.workforce.compliance import connect_signals

        connect_signals()
