"""Who acts, for django-auditlog, where its middleware cannot know.

`AuditlogMiddleware` reads `request.user` before DRF has authenticated a token,
so API writes would be logged without an actor; background jobs (imports) run
outside any request at all. Wrap such writes in `acting_as(user)`.

auditlog's own `set_actor` does not restore the previous context on exit, so
nesting it inside the middleware's block would leave the middleware's signal
receiver connected for the life of the process. `acting_as` resets the context
variable itself, which makes nesting safe.
"""

import contextlib

from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware


@contextlib.contextmanager
def acting_as(user, *, remote_addr: str | None = None, remote_port: int | None = None):
    """Record `user` as the actor of every audited write inside the block.

    The address defaults to the one the surrounding request context recorded.
    """
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = {}
    actor = user if getattr(user, "is_authenticated", False) else None
    token = auditlog_value.set({})
    try:
        with set_actor(
            actor or outer.get("actor"),
            remote_addr=remote_addr or outer.get("remote_addr"),
            remote_port=remote_port or outer.get("remote_port"),
        ):
            yield
    finally:
        auditlog_value.reset(token)


def request_address(request) -> str | None:
    """The client address exactly as the audit middleware records it."""
    return AuditlogMiddleware._get_remote_addr(request)
