"""Django's PostgreSQL backend, with a health check that costs no round trip and statements
prepared once per connection for the query that signs each request in.

With CONN_HEALTH_CHECKS a persistent connection is checked before its first query of each
request, so that a request after a database restart reconnects instead of failing. Django
checks with `SELECT 1`: a round trip, about a fifth of a page served from the page cache.
An idle connection's socket has nothing to read unless the server closed it or sent
something (a restart, an administrator's termination, a notice); only then is the server
asked with `SELECT 1`, as Django would.

`fetch_prepared` runs a statement prepared on the connection (PREPARE once, then EXECUTE):
the sign-in query of every request (`core.auth`) is planned once per connection instead of
once per request, half its cost. Prepared statements live as long as the server session, so a
pooler in front of PostgreSQL must keep sessions (PgBouncer's session mode); with a
transaction-mode pooler set DATABASE_PREPARED_STATEMENTS=false.
"""

import re
import select

from django.conf import settings
from django.db.backends.postgresql import base

PLACEHOLDER = re.compile(r"\$\d+")


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = set()  # the names prepared on the current connection

    def get_new_connection(self, conn_params):
        self.prepared = set()
        return super().get_new_connection(conn_params)

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _, _ = select.select([connection], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()

    def fetch_prepared(self, name: str, sql: str, params: list) -> tuple | None:
        """The first row of `sql` (placeholders $1, $2, …), prepared once per connection."""
        with self.cursor() as cursor:  # connects first, which forgets what was prepared
            if not getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
                # Each $n in order of appearance (one may appear more than once).
                ordered = [params[int(number[1:]) - 1] for number in PLACEHOLDER.findall(sql)]
                cursor.execute(PLACEHOLDER.sub("%s", sql), ordered)
            else:
                if name not in self.prepared:
                    cursor.execute(f"PREPARE {name} AS {sql}")
                    self.prepared.add(name)
                cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
            return cursor.fetchone()
