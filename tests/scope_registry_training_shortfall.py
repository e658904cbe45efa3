"""Scope registry entries of training's hours shortfall page (issue #12 item 5), merged
into tests/scope_registry.py.

The page and its xlsx are collection routes of `workforce.Person` (their view's
`queryset`): the foreign person of 东新城 holds a post at ent_a2 since 2020 and no
training this year, so they are below their yearly minimum and listed by name to
their owners, never to an outsider. The numbers are checked case by case in
xuanpei/training/tests/test_shortfall.py.
"""

OWNER_NO_MARKER: dict[str, str] = {}
