"""API: sessions (issue #12)."""


def register(router) -> None:
    """Register this area's viewsets on the training router."""
