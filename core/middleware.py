"""Security headers on every page (a Content Security Policy that allows only our own files),
requests carrying a NUL byte refused, and the answer given to a sign-in that django-axes has
locked out."""

import math

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LOCKED_OUT = _(
    "Too many failed sign-in attempts. For your safety, signing in to this account is paused "
    "for %(minutes)s minutes. Please try again later."
)


class SecurityHeadersMiddleware:
    """Adds the CSP (Django's SecurityMiddleware covers nosniff, referrer policy and HSTS;
    XFrameOptionsMiddleware the frame denial).

    A response that sets its own policy keeps it (evidence files are served sandboxed)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every API answer and on every page shown to a
    signed-in user: loans, penalties, applications and evidence must not stay in a shared
    proxy's cache or in a shared phone's browser cache after signing out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


NUL_REFUSED = _("The request contains a character that is not allowed (NUL).")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def carries_nul(request) -> bool:
    """A NUL byte in the path, the query string, a header (cookies and the token too) or,
    for the site's forms, a field's name or value (file names are cleaned where shown).

    No URL, parameter, session key or token of the site has one, and PostgreSQL refuses it in
    any text: looked up, it would be a server error instead of "no such thing". The API's
    JSON bodies are checked by their parser (`core.parsers`), which reads them anyway."""
    values = [request.path]
    values += [value for key, value in request.META.items() if key.startswith("HTTP_")]
    values += request.COOKIES.values()  # decoded: "\\000" in a quoted cookie is a NUL
    for key, items in request.GET.lists():
        values += [key, *items]
    if request.content_type in FORM_TYPES and not request.path.startswith("/api/"):
        # The site's forms: CsrfViewMiddleware reads them before the view all the same.
        for key, items in request.POST.lists():
            values += [key, *items]
    return any("\x00" in value for value in values if isinstance(value, str))


class RefuseNulMiddleware:
    """Answers 400 to a request carrying a NUL byte (`carries_nul`), before anything reads a
    session, a token or a parameter: the JSON error shape under /api/, a page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not carries_nul(request):
            return self.get_response(request)
        from core.api import is_api_path, json_error

        if is_api_path(request):
            return json_error(400, "invalid", NUL_REFUSED)
        return render(request, "400.html", {"message": NUL_REFUSED}, status=400)


# django-axes keeps the username of a failed sign-in in a column of 255 characters.
LOCKOUT_USERNAME_LENGTH = 255


def lockout_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the username a failed sign-in counts against, as django-axes
    reads it, cut to the length its table keeps. Sign-in forms do not limit what is typed
    (the API does), and a longer name, which no account has (at most 150 characters), was a
    server error instead of a failed sign-in."""
    from axes.conf import settings as axes_settings

    field = axes_settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username[:LOCKOUT_USERNAME_LENGTH] if isinstance(username, str) else username


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: what a locked-out sign-in gets, 429 with Retry-After.

    Under /api/ the JSON error shape (code `locked_out`); elsewhere the login page's look with
    the message in the reader's language, never a bare error page."""
    from core.api import json_error

    cool_off = settings.AXES_COOLOFF_TIME
    seconds = int(cool_off.total_seconds())
    message = LOCKED_OUT % {"minutes": math.ceil(seconds / 60)}
    if request.path.startswith("/api/"):
        response = json_error(429, "locked_out", message)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
