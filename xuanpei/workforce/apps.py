from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "xuanpei.workforce"
    label = "workforce"
    verbose_name = "持证人员"

    def ready(self):
        from xuanpei.audit.registration import register
        from xuanpei.workforce import models as m

        # ID numbers and phones are masked in the log too: the log is read by
        # more people than may see a full ID (issue #3 §7).
        register(m.Person, mask_fields=["id_number", "phone"])
        register(m.Post)
        register(m.Certificate)
        # The rule dictionaries are data an administrator may edit: log every change.
        register(m.PostType)
        register(m.CertificateKind, m2m_fields={"post_types"})
        register(m.CatalogueVersion)
        register(m.OperationCategory)
        register(m.OperationItem)

        # Keep the 持证率 snapshots in step with single edits (pages, API, services).
        from xuanpei.core import jobs
        from xuanpei.workforce.compliance import REFRESH_JOB_KIND, connect_signals

        connect_signals()
        # A page that finds a snapshot day missing queues its refresh (issue #14 item 2).
        jobs.register_handler(REFRESH_JOB_KIND, "xuanpei.workforce.compliance.run_refresh_job")
