"""The sign-in forms of the site and the admin, rate-limited like the API's token endpoint
(`core.throttles`: per address and per username, in the shared cache).

The form counts the attempt before it checks the password; over the limit it shows why
next to the form, and `SignInLimitMiddleware` gives the page status 429 with `Retry-After`.
django-axes still locks a username out from an address after repeated failures.
"""

from __future__ import annotations

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from core.throttles import sign_in_wait

_RETRY_AFTER = "sign_in_retry_after"


def too_many_sign_ins(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many sign-in attempts from this address or for this account. "
        "Please wait %(minutes)d minute and try again.",
        "Too many sign-in attempts from this address or for this account. "
        "Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


class RateLimitedSignIn:
    """Mixin for Django's authentication forms: the attempt counts against the sign-in
    limits before the password is checked."""

    def clean(self):
        wait = sign_in_wait(self.request)
        if wait is not None:
            setattr(self.request, _RETRY_AFTER, wait)
            raise ValidationError(too_many_sign_ins(wait), code="throttled")
        return super().clean()


class SignInForm(RateLimitedSignIn, AuthenticationForm):
    """The login page's form."""


class AdminSignInForm(RateLimitedSignIn, AdminAuthenticationForm):
    """The admin's login form (`admin.site.login_form`)."""


class SignInLimitMiddleware:
    """A sign-in page whose form was refused by the limits answers 429 with `Retry-After`
    (the page is still the form, with the message): the login page and the admin's alike,
    without touching their views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, _RETRY_AFTER, None)
        if wait is not None:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response
