"""The product's URLs plus the benchmark's baselines (never part of the product's URLs).

- `minimal_json`: what any request costs on this server: the middleware, routing and a small
  JSON body; no query, no session read. The issue's baseline.
- `signed_in_page` and `SignedInApi`: what any signed-in answer costs before it reads anything
  of its own: the session (pages) or the token (API), the user, and for pages the shell every
  page is drawn in (base.html: the header with its unread count, the language switch). It shows
  how much of a page's time is the page's own work.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


def minimal_json(request):
    return JsonResponse({"ok": True, "path": request.path})


@login_required
def signed_in_page(request):
    return render(request, "base.html", {})


class SignedInApi(APIView):
    def get(self, request):
        return Response({"ok": True, "user": request.user.pk})


urlpatterns = [
    path("bench/minimal/", minimal_json),
    path("bench/signed-in/", signed_in_page),
    path("api/v1/bench/signed-in/", SignedInApi.as_view()),
    path("", include("config.urls")),
]

handler404 = "core.api.not_found"
handler500 = "core.views.server_error"
