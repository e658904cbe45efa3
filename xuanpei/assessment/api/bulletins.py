"""API: bulletins (issue #13)."""


def register(router) -> None:
    """Register this area's viewsets on the assessment router."""
