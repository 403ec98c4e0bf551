"""The session engine (SESSION_ENGINE = "core.sessions"): Django's database sessions, kept in
`core.models.Session` with the user as a column.

On PostgreSQL a session is read in one query with its user and the user's page stamps, where
Django reads the session, then the user, each in a round trip of its own. The user read here
is only offered to `core.auth.ModelBackend`; Django's `get_user` still decides whether the
session signs the user in (the backend, the password hash, `is_active`).
"""

from __future__ import annotations

import threading
from functools import cache

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone

from core.auth import user_and_stamps_sql
from core.models import Session

VALID_KEY_SET = frozenset(VALID_KEY_CHARS)
# Session data decoded lately in this process, by its signed text (see SessionStore.decode).
DECODED_ENTRIES = 1000
_decoded: dict[str, dict] = {}
_decoded_lock = threading.Lock()
PLAIN_VALUES = (str, int, float, bool, type(None))


@cache
def _read_sql() -> tuple[str, list[str]]:
    """The session with its user and their stamps; and the user's field names."""
    return user_and_stamps_sql(
        "t.session_data, t.user_id",
        Session._meta.db_table,
        "t.session_key = $1 AND t.expire_date > $2",
    )


class SessionStore(DatabaseStore):
    # Read with the session (PostgreSQL): its user, and the user's and everyone's page stamps.
    prefetched_user = None
    stamps: tuple[int, int] | None = None

    @classmethod
    def get_model_class(cls):
        return Session

    def _validate_session_key(self, key):
        # Keys are made of VALID_KEY_CHARS; anything else in a cookie (a NUL byte, which the
        # database refuses outright) is no session, not a server error.
        return super()._validate_session_key(key) and set(key) <= VALID_KEY_SET

    def decode(self, session_data):
        """Django's decode (the signature checked, the JSON read), done once per signed text:
        the same text always decodes to the same data, and a signed-in reader sends the same
        session with every request. A fresh copy each time; only data of plain values (no
        lists or dicts a caller could change in place) is remembered."""
        known = _decoded.get(session_data)
        if known is not None:
            return dict(known)
        data = super().decode(session_data)
        if data and all(type(value) in PLAIN_VALUES for value in data.values()):
            with _decoded_lock:
                if len(_decoded) >= DECODED_ENTRIES:
                    del _decoded[next(iter(_decoded))]
                _decoded[session_data] = dict(data)
        return data

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            session.user_id = None
        return session

    def load(self):
        # Django's load, reading the session with its user and their stamps in one query
        # (PostgreSQL), and without making a model instance only to read its data.
        using = router.db_for_read(self.model)
        connection = connections[using]
        if not hasattr(connection, "fetch_prepared") or not self.session_key:
            return super().load()
        sql, user_fields = _read_sql()
        row = connection.fetch_prepared(
            "relief_session_user", sql, [self.session_key, timezone.now()]
        )
        if row is None:  # no such unexpired session: the key is forgotten, as Django does
            self._session_key = None
            return {}
        session_data, user_id, user_version, everyone_version, *user_values = row
        if user_id is not None:  # a foreign key: the user exists
            self.prefetched_user = get_user_model().from_db(using, user_fields, user_values)
            self.stamps = (user_version or 0, everyone_version or 0)
        return self.decode(session_data)

    def cycle_key(self):
        # The user read with the old key may not be the one the new key signs in.
        self.prefetched_user = self.stamps = None
        super().cycle_key()

    def flush(self):
        self.prefetched_user = self.stamps = None
        super().flush()
