"""Readings over units and enterprises (core.readings): the home dashboard's counts, and
the base generation of every reading that groups enterprises by unit, sector or department
(the 持证率 readings depend on it)."""

from __future__ import annotations

from xuanpei.core.readings import Readings

ORGS = Readings("orgs")


def connect_signals() -> None:
    """Called from OrgsConfig.ready(): an enterprise opened, closed, moved or re-sectored,
    its supervising departments, a unit — each makes the readings stale."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from xuanpei.orgs.models import Enterprise, Unit

    for model in (Enterprise, Unit):
        for signal in (post_save, post_delete):
            signal.connect(
                ORGS.changed, sender=model, dispatch_uid=f"orgs-readings-{model.__name__}-{signal}"
            )
    m2m_changed.connect(
        ORGS.changed, sender=Enterprise.departments.through, dispatch_uid="orgs-readings-depts"
    )
