"""The product's URLs plus the benchmark's baseline: a minimal view with a small JSON body."""

from django.http import JsonResponse
from django.urls import include, path


def minimal_json(request):
    """What any request costs on this server: the middleware, routing, a small JSON answer."""
    return JsonResponse({"ok": True, "path": request.path})


urlpatterns = [
    path("bench/minimal/", minimal_json),
    path("", include("config.urls")),
]

handler404 = "core.api.not_found"
handler500 = "core.views.server_error"
