"""Rows written in bulk without model instances: the demo data and the benchmarks' data sets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone

# One encoder for every JSON value of a COPY (json.dumps with options builds one per call).
_json_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows given as {attname: value}; fields left out take their defaults.

    On PostgreSQL one `COPY` per call: no model instances, no per-value preparation by the
    ORM, one round trip. Values must be plain (str, int, bool, Decimal, date, datetime, None).
    Elsewhere (SQLite, the development default) the ORM's `bulk_create`.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = [
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    ]
    names = [f.attname for f in fields]
    json_names = {f.attname for f in fields if isinstance(f, models.JSONField)}
    buffer = io.StringIO()
    # csv writes None as an empty field, which COPY reads as NULL; FORCE_NOT_NULL keeps an
    # empty string in a NOT NULL column an empty string.
    csv.writer(buffer, lineterminator="\n").writerows(
        _row_values(rows, names, defaults, json_names)
    )
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    not_null = ", ".join(quote(f.column) for f in fields if not f.null)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))",
            buffer,
        )


def _row_values(
    rows: list[dict], names: list[str], defaults: list, json_names: set[str]
) -> Iterable[list]:
    pairs = list(zip(names, defaults, strict=True))
    for row in rows:
        values = [row.get(name, default) for name, default in pairs]
        if json_names:
            values = [
                _json_text(value) if name in json_names and value is not None else value
                for (name, _default), value in zip(pairs, values, strict=True)
            ]
        yield values
