"""Template filters for contact data (issue #8 item 7)."""

from django import template

from xuanpei.core.validators import phone_links as _phone_links

register = template.Library()


@register.filter
def phone_links(value) -> list[dict]:
    """`{% for p in enterprise.safety_phone|phone_links %}`: each number, with a tel: href if valid."""
    return _phone_links(value)
