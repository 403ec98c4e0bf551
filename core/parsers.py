"""The API's JSON parser: DRF's, with a cap on the body's size and on how deeply it nests,
and no NUL byte in a key or a text.

A body of `[[[[…]]]]` 50,000 deep made Python's JSON decoder raise RecursionError, a server
error, before anyone was signed in; a body a little less deep got through the parser and
broke later code that walks it. No request of the API nests more than a few levels.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

from core.middleware import NUL_REFUSED

# Deeper than any body of the API (the servicing system's loan: object → list → object).
MAX_JSON_DEPTH = 20

TOO_DEEP = _("The JSON body is nested too deeply (at most %(depth)d levels).")
TOO_LARGE = _("The request body is too large (at most %(size)d bytes).")


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"


def json_problem(data, limit: int) -> str | None:
    """ "depth" when lists and objects in `data` nest more than `limit` deep, "nul" when a key
    or a text holds a NUL byte (PostgreSQL refuses it in any text), else None. No recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "nul"
        elif isinstance(value, dict | list):
            if depth > limit:
                return "depth"
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending += [(child, depth + 1) for child in children]
    return None


class JSONParser(parsers.JSONParser):
    """At most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes (413) and `MAX_JSON_DEPTH` levels (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge(TOO_LARGE % {"size": limit})
            stream = io.BytesIO(body)
        too_deep = exceptions.ParseError(TOO_DEEP % {"depth": MAX_JSON_DEPTH})
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        problem = json_problem(data, MAX_JSON_DEPTH)
        if problem == "depth":
            raise too_deep
        if problem == "nul":
            raise exceptions.ParseError(NUL_REFUSED)
        return data
