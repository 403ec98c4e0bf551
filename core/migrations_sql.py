"""SQL that only PostgreSQL runs, for migrations (triggers, storage parameters).

SQLite, the development default, skips it: what the SQL adds there is either a safeguard the
code keeps anyway or a speed-up that only matters at scale.
"""

from django.db import migrations


def postgresql_only(sql: str, reverse_sql: str) -> migrations.RunPython:
    """A migration operation running `sql` forwards and `reverse_sql` backwards, on
    PostgreSQL only."""

    def run(statement):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(statement, params=None)

        return operation

    return migrations.RunPython(run(sql), run(reverse_sql))
