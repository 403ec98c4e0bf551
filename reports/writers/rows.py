"""What every writer shares: a report's rows as they come from the database, and progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import QuerySet

# Rows fetched from the server-side cursor at a time.
ITERATOR_CHUNK_ROWS = 2000
# How often a writer tells its caller how many rows it has written.
PROGRESS_EVERY_ROWS = 5000
# Streamed formats hand their text on about this much at a time.
CHUNK_BYTES = 256 * 1024

Progress = Callable[[int], None]


def use_copy() -> bool:
    """Whether the database can write the CSV itself (`COPY … TO STDOUT`)."""
    return connection.vendor == "postgresql"


@contextmanager
def streamed(queryset: QuerySet) -> Iterator[Iterator[tuple]]:
    """The queryset's rows as they come: a server-side cursor on PostgreSQL.

    Read inside a transaction: outside one, Django declares the cursor WITH HOLD and
    PostgreSQL computes every row before it hands over the first. Leaving the block early (a
    client that went away) closes the cursor and ends the query.
    """
    with transaction.atomic():
        rows = queryset.iterator(chunk_size=ITERATOR_CHUNK_ROWS)
        try:
            yield rows
        finally:
            rows.close()  # the cursor first, while its transaction is still there
