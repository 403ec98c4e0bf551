"""What every REST endpoint shares: the error shape, sign-in by token, pagination,
permissions by role, throttles and idempotent creation.

Errors have one shape everywhere (api.md): `{"error": {"code", "message", "fields"}}`, made
by `exception_handler` from DRF's exceptions and from the services' `DomainError`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.fields import get_error_detail
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback

from core import permissions
from core.authentication import token_for
from core.errors import ConflictError, DomainError
from core.models import IdempotencyKey
from core.throttles import IDEMPOTENCY_HEADER, SIGN_IN_THROTTLES

INVALID_INPUT = gettext_lazy("Some of the input is not valid.")
UNKNOWN_FIELD = gettext_lazy("Unknown field.")
INVALID_CREDENTIALS = gettext_lazy("The username or password is not correct.")
KEY_REUSED = gettext_lazy(
    "This Idempotency-Key was already used with a different request; use a new key."
)
KEY_IN_USE = gettext_lazy("A request with this Idempotency-Key is still being processed.")
KEY_TOO_LONG = gettext_lazy("The Idempotency-Key may have at most 255 characters.")
TOO_MANY_FILES = gettext_lazy("Too many files in one request (at most %(count)d).")
PAGE_SIZE_INVALID = gettext_lazy(
    "The page size must be a whole number, 1 or more (at most 100 are sent)."
)
TOO_MANY_FIELDS = gettext_lazy("Too many fields in one request.")
BODY_TOO_LARGE = gettext_lazy("The request body is too large.")


# --- errors ---------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Lazy translations and DRF's ErrorDetail as plain JSON values."""
    if isinstance(value, dict):
        return {force_str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return force_str(value)


def error_body(code: str, message: Any, fields: dict | None = None, **extra: Any) -> dict:
    error = {**plain(extra), "code": code, "message": force_str(message), "fields": {}}
    error["fields"] = plain(fields or {})
    return {"error": error}


# DRF's exception classes → the stable codes clients read (most specific first).
API_ERROR_CODES: tuple[tuple[type[exceptions.APIException], str], ...] = (
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """The one place an exception becomes an API response (REST_FRAMEWORK setting).

    Anything not known here is a bug: it is re-raised and becomes a 500 (JSON under /api/,
    see `core.views.server_error`).
    """
    if isinstance(exc, TooManyFilesSent | TooManyFieldsSent | RequestDataTooBig):
        # Django's limits on a form body (DATA_UPLOAD_MAX_*), met while DRF parses it.
        exc = django_limit_error(exc)
    if isinstance(exc, DomainError):
        set_rollback()
        headers = {"WWW-Authenticate": "Token"} if exc.status == 401 else None
        return Response(
            error_body(exc.code, exc.message, exc.fields, **exc.extra),
            status=exc.status,
            headers=headers,
        )
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        # Selectors scope every lookup to the user: someone else's object does not exist.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=get_error_detail(exc))

    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    code = next((c for cls, c in API_ERROR_CODES if isinstance(exc, cls)), None)
    code = code or force_str(exc.default_code)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
        body = error_body(code, INVALID_INPUT, fields)
    else:
        body = error_body(code, exc.detail)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def django_limit_error(exc: Exception) -> DomainError:
    """Django's refusal of a body over its limits, as the API's error."""
    if isinstance(exc, TooManyFilesSent):
        message = TOO_MANY_FILES % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        return DomainError(message, code="too_many_files", fields={"file": [message]})
    if isinstance(exc, TooManyFieldsSent):
        return DomainError(TOO_MANY_FIELDS, code="too_many_fields")
    return DomainError(BODY_TOO_LARGE, code="request_too_large", status=413)


def json_error(status: int, code: str, message: Any) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status)


def is_api_path(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """handler404: JSON under /api/, the site's page elsewhere."""
    if is_api_path(request):
        return json_error(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint (also with DEBUG on), for every method:
    exempt from CSRF, as it changes nothing, so a write gets this 404 and not the CSRF page."""
    return json_error(404, "not_found", _("Not found."))


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code for programs, e.g. `open_application`.")
    message = serializers.CharField(help_text="A sentence for people, in their language.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Input field → its problems (empty when the error is not about a field).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, `parse_error`; a bad `page_size` too) or a rule refused it.",
    401: "Not signed in, or a bad token.",
    403: "Signed in, but this role may not do this.",
    404: "No such object (also another borrower's).",
    405: "Method not allowed.",
    409: "Conflict with the current state: a transition, a stale version, a duplicate.",
    410: "Gone: the export's file was removed when it expired.",
    413: "The file is larger than 10 MB.",
    415: "Unsupported media type or file type.",
    429: "Too many requests; see Retry-After.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Documented error responses, all with the one error shape."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


# --- input ----------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses fields it does not know (a typo must not pass silently)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise exceptions.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return super().to_internal_value(data)


# Plain ASCII digits with an optional sign and fraction: Python's Decimal would also take
# "1_000", "1e3" and full-width or Arabic-Indic digits, none of which is an amount.
MONEY_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class MoneyField(serializers.DecimalField):
    """An amount in CNY as a string with two decimals ("26.60")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str | float) and not MONEY_TEXT.fullmatch(str(data).strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- pagination -----------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 100); answers `count`, `next`, `previous`, `results`."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        """DRF's, except that a `page_size` that is not a whole number from 1 is a 400 (DRF
        would silently use the default: `?page_size=null` looked like it worked)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise exceptions.ValidationError({self.page_size_query_param: [PAGE_SIZE_INVALID]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """DRF's parameters, saying that both are counts from 1."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


# --- permissions ----------------------------------------------------------------------------


class IsBorrower(BasePermission):
    """A signed-in user with a borrower profile; objects are then scoped by the selectors."""

    message = gettext_lazy("Only borrowers can use this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and hasattr(user, "borrower"))


class IsReviewer(BasePermission):
    message = gettext_lazy("Only reviewers can use this.")

    def has_permission(self, request, view) -> bool:
        return permissions.can_decide_cases(request.user)


class IsOps(BasePermission):
    """The ops team: the dashboard's data, reports and exports, scored loans."""

    message = gettext_lazy("Only the Ops team can use this.")

    def has_permission(self, request, view) -> bool:
        return permissions.can_view_ops_reports(request.user)


class IsServicing(BasePermission):
    message = gettext_lazy("Only the servicing system can use this.")

    def has_permission(self, request, view) -> bool:
        return permissions.can_post_servicing_data(request.user)


# --- sign-in by token -----------------------------------------------------------------------


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthTokenApi(APIView):
    """Exchange a username and password for the API token (`Authorization: Token <key>`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = list(SIGN_IN_THROTTLES)

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        auth=[],
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise DomainError(INVALID_CREDENTIALS, code="invalid_credentials", status=401)
        return Response({"token": token_for(user).key})


# --- idempotent creation --------------------------------------------------------------------

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    type={"type": "string", "maxLength": 255},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Retry safely: the same key with the same body answers the first response again "
        "(no new row); the same key with another body is a 409."
    ),
)


def request_fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path and the parsed body."""
    # Form data may repeat a key; keep every value.
    body = dict(request.data.lists()) if hasattr(request.data, "lists") else request.data
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def idempotent(request: Request, create: Callable[[], tuple[int, Any]]) -> Response:
    """Run `create` (which returns status and response data) at most once per
    `Idempotency-Key` of this user.

    The key is claimed (a unique row) in the same transaction as the change: a concurrent
    retry with the key waits on the row, then answers the stored response; a request that
    fails leaves no key, so it may be retried. A retry with a key already used is not counted
    by the submission limit (`core.throttles.ApplicationCreateThrottle`).
    """
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not key:
        # One transaction either way, so the response shows the state at commit.
        with transaction.atomic():
            status, data = create()
        return Response(data, status=status)
    if len(key) > 255:
        raise DomainError(KEY_TOO_LONG, fields={IDEMPOTENCY_HEADER: [KEY_TOO_LONG]})
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        record, created = IdempotencyKey.objects.get_or_create(
            user=request.user, key=key, defaults={"request_hash": fingerprint}
        )
        if not created:
            if record.request_hash != fingerprint:
                raise ConflictError(KEY_REUSED, code="idempotency_key_reused")
            if record.response_status is None:
                raise ConflictError(KEY_IN_USE, code="idempotency_key_in_use")
            return Response(
                json.loads(record.response_body),
                status=record.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        status, data = create()
        record.response_status = status
        record.response_body = JSONRenderer().render(data).decode()
        record.save(update_fields=["response_status", "response_body"])
    return Response(data, status=status)
