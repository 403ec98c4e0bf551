"""Trigram indexes for the staff searches' partial matches (loans/search.py): part of a
borrower's name, external id or phone, part of a loan's external id.

PostgreSQL only: the extension (pg_trgm, a trusted extension: the database owner may create
it) and the indexes are in every database's model state but created only on PostgreSQL, so
SQLite (`make run`) migrates both ways and searches there without them.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper


class TrigramExtensionOnPostgres(TrigramExtension):
    """Django's TrigramExtension skips other databases going forwards, not backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex that builds the index on PostgreSQL only (GIN and trigrams are PostgreSQL's)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0008_borrower_outreach_opt_out"),
    ]

    operations = [
        TrigramExtensionOnPostgres(),
        AddIndexOnPostgres(
            model_name="borrower",
            index=GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="borrower_name_trgm"),
        ),
        AddIndexOnPostgres(
            model_name="borrower",
            index=GinIndex(
                OpClass(Upper("external_id"), name="gin_trgm_ops"),
                name="borrower_external_id_trgm",
            ),
        ),
        AddIndexOnPostgres(
            model_name="borrower",
            index=GinIndex(fields=["phone"], opclasses=["gin_trgm_ops"], name="borrower_phone_trgm"),
        ),
        AddIndexOnPostgres(
            model_name="loan",
            index=GinIndex(
                OpClass(Upper("external_id"), name="gin_trgm_ops"), name="loan_external_id_trgm"
            ),
        ),
    ]
