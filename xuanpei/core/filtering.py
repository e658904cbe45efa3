"""Filters that name an object choose among the objects the user may see (issue #9 item 11).

A filter over an unscoped queryset accepts the id of a row in another town and answers
"no rows", while an id that does not exist is refused: the difference tells an outsider
which ids exist. `narrow_choices` narrows every model-choice filter to
`for_user(user, "view")`, so a foreign id and a missing id get the same answer (400,
"选择一个有效的选项"). Pages get it through `orgs.filters.ScopedFilterSet`, every API
list through `ScopedFilterBackend` (the viewset bases in `core.api`).
"""

from django_filters.rest_framework import DjangoFilterBackend


def narrow_choices(filterset, user) -> None:
    """Narrow the filterset's model-choice filters to what `user` may see."""
    if user is None or not user.is_authenticated:
        return
    for flt in filterset.filters.values():
        qs = getattr(flt, "queryset", None)
        if qs is not None and hasattr(qs, "for_user"):
            # ModelChoiceFilter builds its field from `queryset`, not `extra`.
            flt.queryset = flt.extra["queryset"] = qs.for_user(user, "view")


class ScopedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, its object choices narrowed to the request user's scope."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            narrow_choices(filterset, getattr(request, "user", None))
        return filterset
