"""`page_numbers`: the page links of any Paginator page, for includes/pagination.html.

One rule for every pager (lists, the 持证率 ranking, the uncertified posts…):
1 … 4 5 [6] 7 8 … 40 — the ends, two pages each side of the current one.
"""

from django import template

register = template.Library()


@register.filter
def page_numbers(page):
    if page is None:
        return []
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
