"""Rate limits, counted in the shared cache: the API's (DRF throttles) and the sign-in limits
that the login page, the admin's login and `POST /api/v1/auth/token/` share.

Each limit is a fixed window counted atomically: the window's key is created with `add` and
counted with `incr` (one INCR in Redis, django-redis's), so concurrent requests in any number of
web processes never pass more than the limit between them.

A request's address is `client_address`: `REMOTE_ADDR`, or with `NUM_PROXIES` (0 by default)
proxies of ours in front, the address the nearest of them saw (DRF's rule). An
`X-Forwarded-For` sent by anyone else is not believed, so changing it changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"


def client_address(request) -> str | None:
    """The address a request came from, believing `X-Forwarded-For` only as far as
    `NUM_PROXIES` trusted proxies wrote it. Also django-axes' (AXES_CLIENT_IP_CALLABLE), so a
    lockout and a rate limit count the same address."""
    return BaseThrottle().get_ident(request)


class ScopedThrottle(SimpleRateThrottle):
    """A rate from `DEFAULT_THROTTLE_RATES[scope]`, read per request (so an override in the
    settings applies at once), counted per user, or per address when signed out, in fixed
    windows of the rate's duration. `methods` limits it to some methods (None: all)."""

    scope = ""
    methods: tuple[str, ...] | None = None

    def __init__(self):  # the rate is read per request, not when the class is made
        self.window_end: float | None = None

    def allow_request(self, request, view) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return True
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            count = self.count_in_window()
        except (RedisError, OSError):
            count = None
        if count is None:
            # The counts are kept in the cache (Redis in production). With it away the request
            # goes on unlimited rather than failing: sign-ins are still locked out after
            # repeated failures (django-axes, in the database).
            logger.warning("rate limit %s not checked: the cache is unavailable", self.scope)
            return True
        return count <= self.num_requests

    def count_in_window(self) -> int | None:
        """Count this request in the current window and return the window's count so far;
        None when the cache did not answer."""
        now = self.timer()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        for _attempt in range(2):
            # `add` creates the window's counter only if it is missing (SET NX); `incr` is one
            # atomic INCR. The counter outlives its window, so it cannot expire in between
            # unless the window is over, when the next attempt counts in a fresh one.
            self.cache.add(key, 0, timeout=self.duration + 1)
            try:
                return self.cache.incr(key)
            except ValueError:  # expired between the two calls
                continue
        return None

    def wait(self) -> float | None:
        """Seconds until the current window ends and requests are counted afresh."""
        if self.window_end is None:
            return None
        return max(self.window_end - self.timer(), 1.0)

    def timer(self) -> float:
        return time.time()

    def get_ident(self, request) -> str | None:
        return client_address(request)

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApplicationCreateThrottle(ScopedThrottle):
    """New applications per borrower (`THROTTLE_APPLICATIONS`). A retry with an
    `Idempotency-Key` already used creates nothing (it answers the stored response, or 409),
    so it is not counted and never refused."""

    scope = "applications"
    methods = ("POST",)

    def allow_request(self, request, view) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return True
        if replays_a_known_key(request):
            return True
        return super().allow_request(request, view)


def replays_a_known_key(request) -> bool:
    """Whether the request carries an `Idempotency-Key` this user has already used."""
    from core.models import IdempotencyKey  # the models are loaded after the settings

    user = getattr(request, "user", None)
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not key or len(key) > 255 or not (user and user.is_authenticated):
        return False
    return IdempotencyKey.objects.filter(user=user, key=key).exists()


class LoginThrottle(ScopedThrottle):
    """Sign-in attempts from one address (`THROTTLE_LOGIN`), whoever is signed in."""

    scope = "login"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def sign_in_username(request) -> str | None:
    """The username a sign-in names: from the API's parsed body or the form's fields."""
    data = getattr(request, "data", None)
    if data is None:
        data = request.POST
    username = data.get("username") if hasattr(data, "get") else None
    return username if isinstance(username, str) and username.strip() else None


class LoginUsernameThrottle(ScopedThrottle):
    """Sign-in attempts naming one username, from any address (`THROTTLE_LOGIN_USERNAME`):
    one account guessed at from many addresses. Counted under a digest of the name as typed
    in lower case, so a long or odd name is still one short key."""

    scope = "login_username"

    def get_cache_key(self, request, view) -> str | None:
        username = sign_in_username(request)
        if username is None:
            return None  # nothing named: the form or serializer answers that
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


SIGN_IN_THROTTLES = (LoginThrottle, LoginUsernameThrottle)


def sign_in_wait(request) -> int | None:
    """Count a sign-in attempt on a page; None when it may go on, else the seconds to wait
    (the API's token view uses the same throttles through DRF)."""
    waits = []
    for throttle_class in SIGN_IN_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or throttle.duration)
    return math.ceil(max(waits)) if waits else None
