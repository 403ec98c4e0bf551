"""Whole answers of borrower pages and API reads, kept per signed-in user while nothing they
show has changed.

A view marked with `@page_cached` (a function view, or an APIView class) is answered from
the cache when the same user asked for the same URL in the same language on the same day and
the user's page stamp and everyone's are what they were then (`core.models.PageStamp`: moved
by PostgreSQL triggers in the transaction of any change to what the pages show). The stamps
come with the session or the token (`core.auth`), in the one query that signs the request in,
so a kept answer costs that one query. A changed stamp simply misses and the view answers as
always; so does a hard reload (`Cache-Control: no-cache`). Only GET answers of 200 without
cookies are kept; a page with a message waiting is neither served from the cache nor kept.
The forms' CSRF token is put in fresh for each request.

The cache is per process (`CACHES["pages"]`, PAGE_CACHE_ENTRIES answers); it is on with
PostgreSQL (the triggers keep the stamps) unless PAGE_CACHE=false, and off on SQLite.
"""

from __future__ import annotations

import operator
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.utils import timezone, translation

from core.auth import session_stamps, token_holder, token_of

CACHE_ALIAS = "pages"
# Where a form's CSRF token stood in a kept page; a fresh token goes there when it is served.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
CSRF_SLOT = b"\x00csrf\x00"
# Byte tables for masking the CSRF secret at C speed (form_token): a random byte of 248 or
# more is dropped, so the others fall evenly on the 62 characters (248 = 4 x 62).
_CSRF_BYTES = CSRF_ALLOWED_CHARS.encode()
CSRF_UNEVEN = bytes(range(256 - 256 % len(_CSRF_BYTES), 256))
CSRF_MOD = bytes(byte % len(_CSRF_BYTES) for byte in range(256))
CSRF_TO_INDEX = bytes(max(_CSRF_BYTES.find(byte), 0) for byte in range(256))
CSRF_TO_CHAR = bytes(_CSRF_BYTES[byte % len(_CSRF_BYTES)] for byte in range(256))


def page_cached(view):
    """Marks a function view or an APIView class: its GET answers may be kept per user."""
    view.page_cached = True
    return view


def is_page_cached(view_func) -> bool:
    return bool(
        getattr(view_func, "page_cached", False)
        or getattr(getattr(view_func, "view_class", None), "page_cached", False)
    )


def is_api_view(view_func) -> bool:
    return hasattr(view_func, "cls")  # rest_framework.views.APIView.as_view


@dataclass(frozen=True)
class Kept:
    """A kept answer: its headers and its body, cut where the CSRF tokens go."""

    headers: tuple[tuple[str, str], ...]
    parts: tuple[bytes, ...]

    def response(self, request) -> HttpResponse:
        body = self.parts[0]
        if len(self.parts) > 1:
            body = form_token(request).encode().join(self.parts)
        response = HttpResponse(body)
        for name, value in self.headers:
            response[name] = value
        return response


def form_token(request) -> str:
    """The CSRF token for the forms of a kept page: what `get_token` gives (the secret of the
    reader's CSRF cookie under a fresh random mask, in Django's format), computed with byte
    tables from one read of the system's random source instead of a call per character. A
    reader without the cookie gets `get_token`'s own, which sets one. Unlike `get_token`, it
    does not send the cookie again: a page shown from the cache does not restart its year."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return get_token(request)
    mask = b""
    while len(mask) < len(secret):
        mask += secrets.token_bytes(2 * len(secret)).translate(None, CSRF_UNEVEN)
    mask = mask[: len(secret)].translate(CSRF_MOD)  # each 0-61, evenly
    sums = bytes(map(operator.add, secret.encode().translate(CSRF_TO_INDEX), mask))
    return (mask.translate(CSRF_TO_CHAR) + sums.translate(CSRF_TO_CHAR)).decode()


def keepable(response) -> Kept | None:
    """What to keep of a view's answer, or None if it must not be kept."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if "no-store" in response.get("Cache-Control", ""):
        return None
    body = response.content
    tokens = {match.group(2) for match in CSRF_FIELD.finditer(body)}
    if tokens:
        body = CSRF_FIELD.sub(rb"\1" + CSRF_SLOT + rb"\3", body)
        if any(token in body for token in tokens):
            return None  # the token is also elsewhere in the page: keep nothing
    return Kept(tuple(response.items()), tuple(body.split(CSRF_SLOT)))


def messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def signed_in(request, api: bool) -> tuple[int, tuple[int, int]] | None:
    """(user id, page stamps) of the request's user, as read when signing it in."""
    if api and token_of(request) is not None:
        holder = token_holder(request)
        if holder is None or not holder.token.user.is_active:
            return None
        return holder.token.user_id, holder.stamps
    stamps = session_stamps(request)
    return None if stamps is None else (request.user.pk, stamps)


class PageCacheMiddleware:
    """Serves and keeps the answers of `@page_cached` views (after the authentication and
    message middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response
        # The triggers that move the stamps are PostgreSQL's.
        self.stamped = connections["default"].vendor == "postgresql"

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None and not messages_waiting(request):
            kept = keepable(response)
            if kept is not None:
                caches[CACHE_ALIAS].set(key, kept)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not (self.stamped and settings.PAGE_CACHE):
            return None
        if not is_page_cached(view_func):
            return None
        api = is_api_view(view_func)
        who = signed_in(request, api)
        if who is None or (not api and messages_waiting(request)):
            return None
        user_id, (user_stamp, everyone_stamp) = who
        # The URL as asked for: a key, never shown, so the host needs no second validation
        # (CommonMiddleware has validated it) and the key no hashing (any string is a key in
        # this cache).
        url = f"{request.scheme}://{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
        key = (
            f"{user_id}:{user_stamp}:{everyone_stamp}:{timezone.localdate()}:"
            f"{translation.get_language()}:{url}"
        )
        # A hard reload (Cache-Control: no-cache) is answered by the view, and kept anew.
        reload = "no-cache" in request.META.get("HTTP_CACHE_CONTROL", "")
        kept = None if reload else caches[CACHE_ALIAS].get(key)
        if kept is not None:
            return kept.response(request)
        request._page_cache_key = key
        return None
