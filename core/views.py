"""Health check: the database must answer; the broker is reported, not required."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
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


def server_error(request):
    """The 500 handler. When the database refuses connections the answer is 503 — try again
    shortly — not an error page; API clients always get the JSON error shape."""
    exception = sys.exc_info()[1]
    unavailable = isinstance(exception, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if unavailable:
        message = _("The service is briefly unavailable. Please try again in a minute.")
        code = "unavailable"
    else:
        message = _("Something went wrong on our side. Nothing you sent was lost.")
        code = "server_error"
    if request.path.startswith("/api/") or _wants_json(request):
        response = JsonResponse({"error": {"code": code, "message": message, "fields": {}}})
    else:
        try:
            body = loader.render_to_string("error.html", {"message": message, "status": status})
        except Exception:  # the page must render even when templates cannot
            body = f"<!doctype html><title>{status}</title><p>{message}</p>"
        response = HttpResponse(body)
    response.status_code = status
    if unavailable:
        response["Retry-After"] = "30"
    return response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
