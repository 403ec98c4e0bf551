"""Template helpers for pages outside the relief app (the loans pages) that show relief."""

from django import template

from relief import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def open_applications(context) -> dict:
    """{loan id: open application} of the signed-in borrower, in one query."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    return selectors.open_applications_by_loan(request.user)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
