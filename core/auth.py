"""Who is asking, in one query: the session with its user (pages), the token with its user
(API).

Django reads a signed-in user in two round trips (the session, then the user); DRF's token
authentication in one. Here the session engine (`core.sessions`) and the API's token
authentication read the user together with the page stamps the page cache needs
(`core.pagecache`), and Django's and DRF's own checks still decide: `get_user` verifies the
backend, the session's password hash and `is_active` on the user offered to it, and a token's
user must be active.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.contrib import auth
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.db import connections, router
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from core.models import PageStamp

# DRF's own message (and translation) for a token no account has.
INVALID_TOKEN = _("Invalid token.")

# The session store being read while Django's get_user runs: ModelBackend.get_user takes the
# user read with it.
_offered = ContextVar("offered_session", default=None)


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, taking the user already read with the session when it is the one
    asked for, instead of reading it again."""

    def get_user(self, user_id):
        offered = getattr(_offered.get(), "prefetched_user", None)
        if offered is not None and offered.pk == user_id:
            return offered if self.user_can_authenticate(offered) else None
        return super().get_user(user_id)


def session_user(request):
    """Django's `auth.get_user`, offered the user the session was read with."""
    if not hasattr(request, "_cached_user"):
        # get_user reads the session first (on PostgreSQL with its user), then asks the backend.
        token = _offered.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _offered.reset(token)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthentication):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: session_user(request))


def session_stamps(request) -> tuple[int, int] | None:
    """The signed-in user's and everyone's page stamps, as read with the session; None when
    nobody is signed in or the session was not read with its user."""
    user = request.user
    if not user.is_authenticated:
        return None
    session = request.session
    if getattr(session, "prefetched_user", None) is None or session.prefetched_user.pk != user.pk:
        return None
    return session.stamps


# --- API tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenHolder:
    token: Token
    stamps: tuple[int, int]


def user_and_stamps_sql(columns: str, table: str, where: str) -> tuple[str, list[str]]:
    """SELECT `columns` of `table` (aliased t, with a `user_id`), then the page stamps of the
    user and of everyone, then every field of the user; and the user's field names."""
    user_model = get_user_model()
    quote = connections[router.db_for_read(user_model)].ops.quote_name
    fields = user_model._meta.concrete_fields
    stamps = quote(PageStamp._meta.db_table)
    sql = " ".join(
        [
            f"SELECT {columns}, us.version, everyone.version,",
            ", ".join(f"u.{quote(field.column)}" for field in fields),
            f"FROM {quote(table)} t",
            f"LEFT JOIN {quote(user_model._meta.db_table)} u",
            f"ON u.{quote(user_model._meta.pk.column)} = t.user_id",
            f"LEFT JOIN {stamps} us ON us.key = t.user_id",
            f"LEFT JOIN {stamps} everyone ON everyone.key = {PageStamp.EVERYONE}",
            f"WHERE {where}",
        ]
    )
    return sql, [field.attname for field in fields]


@cache
def _token_sql() -> tuple[str, list[str]]:
    return user_and_stamps_sql("t.created", Token._meta.db_table, "t.key = $1")


def token_of(request) -> str | None:
    """The key of an `Authorization: Token <key>` header, else None."""
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0].lower() != TokenAuthentication.keyword.lower():
        return None
    return words[1] if usable_key(words[1]) else None


def usable_key(key: str) -> bool:
    """Whether a token key can be looked up at all: PostgreSQL refuses a NUL in any text."""
    return "\x00" not in key


def token_holder(request) -> TokenHolder | None:
    """The request's API token with its user and page stamps, read once per request in one
    query (PostgreSQL); None without a valid token or on other databases."""
    if hasattr(request, "_token_holder"):
        return request._token_holder
    holder = None
    key = token_of(request)
    using = router.db_for_read(Token)
    connection = connections[using]
    if key and hasattr(connection, "fetch_prepared"):
        sql, user_fields = _token_sql()
        row = connection.fetch_prepared("relief_token_user", sql, [key])
        if row is not None:
            created, user_version, everyone_version, *user_values = row
            user = get_user_model().from_db(using, user_fields, user_values)
            token = Token(key=key, user=user, created=created)
            holder = TokenHolder(token, (user_version or 0, everyone_version or 0))
    request._token_holder = holder
    return holder


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, taking the token read with the request's page stamps; a
    missing, unknown or inactive one gets DRF's own answer."""

    def authenticate(self, request):
        holder = token_holder(request._request)
        if holder is None or not holder.token.user.is_active:
            return super().authenticate(request)
        return holder.token.user, holder.token

    def authenticate_credentials(self, key):
        if not usable_key(key):  # no token has it: the answer for an unknown token, not a 500
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        return super().authenticate_credentials(key)
