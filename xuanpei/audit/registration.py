"""Registering models with django-auditlog, without their reverse relations.

auditlog diffs a created or deleted object over `_meta.get_fields()`, which
includes reverse relations: an enterprise's creation was logged with
"certificates: None → workforce.Certificate.None" and "users: … accounts.User.None"
(issue #8 item 6). Every app registers through `register()` here, which excludes
them; `audit.display` also drops them from entries written before.
"""

from auditlog.registry import auditlog


def reverse_relation_names(model) -> set[str]:
    """Names of the relations other models hold to `model` (not fields of its own)."""
    return {f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete}


def register(model, **options):
    """`auditlog.register(model, **options)`, never tracking a reverse relation.

    Call it from `AppConfig.ready()`: by then every model is loaded, so every
    reverse relation is known.
    """
    exclude = set(options.pop("exclude_fields", None) or ())
    options["exclude_fields"] = sorted(exclude | reverse_relation_names(model))
    return auditlog.register(model, **options)
