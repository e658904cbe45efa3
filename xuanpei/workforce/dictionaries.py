"""Make sure the workforce dictionaries exist (post types, certificate kinds, the catalogue).

Migration 0002 loads them, but a `flush` — which pytest-django runs after every
`transaction=True` test (the Playwright browser tests) — empties every table,
migration data included. Tests, factories and the demo seed call
`ensure_workforce_dictionaries()` so that they find the rows whatever ran before.
"""

from __future__ import annotations

from django.apps import apps

from xuanpei.workforce import catalogue


def dictionaries_loaded() -> bool:
    """Are all seeded post types and certificate kinds there, with a current catalogue?"""
    PostType = apps.get_model("workforce", "PostType")
    CertificateKind = apps.get_model("workforce", "CertificateKind")
    OperationItem = apps.get_model("workforce", "OperationItem")
    return (
        PostType.objects.filter(code__in=[p.code for p in catalogue.POST_TYPES]).count()
        == len(catalogue.POST_TYPES)
        and CertificateKind.objects.filter(
            code__in=[k.code for k in catalogue.CERTIFICATE_KINDS]
        ).count()
        == len(catalogue.CERTIFICATE_KINDS)
        and OperationItem.objects.filter(category__version__is_current=True).exists()
    )


def ensure_workforce_dictionaries() -> bool:
    """Load the dictionaries with the data migration's loader if any is missing.

    Idempotent and cheap when they are there (three counts). Returns True when it
    had to load. Not audit-logged: like the migration, this is a system load.
    """
    if dictionaries_loaded():
        return False
    from auditlog.context import disable_auditlog

    with disable_auditlog():
        # The loader takes an app registry; the live one serves as well as the
        # migration's historical one (same model names, update_or_create).
        catalogue.load(apps)
    return True
