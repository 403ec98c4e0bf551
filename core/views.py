"""Health check: the database must answer; the broker is reported, not required."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


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
