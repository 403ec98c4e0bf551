"""Health check (the database must answer; the broker is reported, not required) and the
error pages Django does not make from a template alone: the 500/503 handler and the CSRF
failure page."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError:
        return "down"
    return "ok"


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any failure to reach the database is "down", never a traceback
        database = "down"
    body = {"database": database, "broker": broker_status()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


def statement_timed_out(exception) -> bool:
    """The database cancelled the request's query at its statement_timeout (SQLSTATE 57014)."""
    return (
        isinstance(exception, OperationalError)
        and getattr(exception.__cause__, "pgcode", None) == "57014"
    )


def server_error(request):
    """The 500 handler. When the database refuses connections the answer is 503 — try again
    shortly — not an error page; API clients always get the JSON error shape."""
    exception = sys.exc_info()[1]
    unavailable = isinstance(exception, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if statement_timed_out(exception):
        # PostgreSQL cancelled the query (statement_timeout): nothing is left running.
        message = _(
            "This asks for more than can be read in %(seconds)s seconds: choose a shorter "
            "range or fewer filters, or export it to a file in the background."
        ) % {"seconds": settings.WEB_STATEMENT_TIMEOUT_MS // 1000}
        heading = _("Too much to read at once")
        code = "too_large"
    elif unavailable:
        message = _("The service is briefly unavailable. Please try again in a minute.")
        heading = _("Briefly unavailable")
        code = "unavailable"
    else:
        message = _("Something went wrong on our side. Nothing you sent was lost.")
        heading = _("Something went wrong")
        code = "server_error"
    if request.path.startswith("/api/") or _wants_json(request):
        response = JsonResponse({"error": {"code": code, "message": message, "fields": {}}})
    else:
        try:
            # Without the request, as Django's own handler: no context processor, so nothing
            # reads the database or the session, which may be what failed.
            context = {"message": message, "status": status, "heading": heading}
            body = loader.render_to_string("500.html", context)
        except Exception:  # the page must render even when templates cannot
            body = f"<!doctype html><title>{status}</title><p>{message}</p>"
        response = HttpResponse(body)
    response.status_code = status
    if unavailable and code == "unavailable":
        response["Retry-After"] = "30"
    return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent with a missing or stale token, usually a page left open
    too long. The site's page in the reader's language with the way back and to sign in
    (Django's own page is in English and speaks to developers). The API never comes here:
    its views are CSRF-exempt and DRF answers a session request without the token itself."""
    return render(request, "csrf_failure.html", status=403)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
