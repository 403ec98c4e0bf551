"""Links that leave the site: an email or SMS needs the whole address, not a path."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def site_url(view_name: str, *args) -> str:
    """`{% site_url 'application-detail' application.pk %}` → https://…/applications/7/."""
    return settings.SITE_URL + reverse(view_name, args=args)
