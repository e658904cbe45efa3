"""auditlog's middleware, with its context cleared when the request ends.

`auditlog.context.set_actor` sets a context variable and never resets it, so in
a worker thread the last request's actor (and address) outlived the request and
were picked up by the next write made outside any request on that thread — a
system import would have been logged as the previous visitor's doing.
"""

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware


class AuditContextMiddleware(AuditlogMiddleware):
    def __call__(self, request):
        token = auditlog_value.set({})
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(token)
