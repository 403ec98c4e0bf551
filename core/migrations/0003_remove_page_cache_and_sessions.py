"""The page cache's stamps and their triggers, and the session table with a user column, are
gone: pages are rendered by their views and sessions are Django's own (django_session, or
the cache in front of it). Sessions kept in core_session are not carried over: everyone signs
in again once.

The triggers were created by 0002 as it was first written (on PostgreSQL). 0002 no longer
creates them, so on a new database there is nothing to drop: every statement says IF EXISTS,
and a table that does not exist yet (core depends on no project app, so this may run before
the loans and relief tables are made) only raises a notice. Going back does not bring the
triggers back: the current 0002 has none either.
"""

from django.db import migrations

# Frozen: the tables the old 0002 put triggers on, by name (migrations must not read models
# or code that may change).
STAMPED_TABLES = (
    "auth_user",
    "auth_user_groups",
    "loans_borrower",
    "loans_loan",
    "loans_installment",
    "loans_repayment",
    "relief_reliefapplication",
    "relief_applicationevent",
    "relief_evidence",
    "relief_notification",
)
TRIGGERS = ("insert", "update", "delete", "truncate", "update_row")


def drop_statements() -> list[str]:
    statements = []
    for table in STAMPED_TABLES:
        statements += [f"DROP TRIGGER IF EXISTS core_pagestamp_{t} ON {table}" for t in TRIGGERS]
        statements.append(f"DROP FUNCTION IF EXISTS core_pagestamp_{table}()")
    return [
        *statements,
        "DROP TRIGGER IF EXISTS core_pagestamp_change ON loans_loanproduct",
        "DROP TRIGGER IF EXISTS core_pagestamp_change ON relief_reliefpolicy",
        "DROP FUNCTION IF EXISTS core_pagestamp_installment_row()",
        "DROP FUNCTION IF EXISTS core_pagestamp_everyone()",
        "DROP FUNCTION IF EXISTS core_pagestamp_bump(bigint[])",
        "DROP SEQUENCE IF EXISTS core_pagestamp_version",
    ]


def drop_page_stamp_triggers(apps, schema_editor):
    # Triggers, functions and the sequence exist only where PostgreSQL ran the old 0002.
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in drop_statements():
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_sessions_and_page_stamps'),
    ]

    operations = [
        migrations.RunPython(drop_page_stamp_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='PageStamp',
        ),
        migrations.DeleteModel(
            name='Session',
        ),
    ]
