"""The reviewer's workspace in the Django admin (a package by topic, per the house style).

- `applications`: the review queue (its filters and form in `queue`).
- `case`: the case page with its decision panel.
- `policies`: policy versions: drafts, validation, simulation, activation.
- `audit`: events and notifications, read-only.
- `satisfaction`: borrowers' satisfaction answers, read-only, comments masked for most.

Every change goes through relief.services; the admin reads, asks, and shows the answer.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.signin import AdminSignInForm
from relief.admin import (  # noqa: F401 - registers the admins
    applications,
    audit,
    policies,
    satisfaction,
)

admin.site.site_header = _("Relief: review and policies")
admin.site.site_title = _("Relief admin")
# Sign-in attempts count against the same limits as the login page and the API token.
admin.site.login_form = AdminSignInForm
