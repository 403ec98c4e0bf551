"""The event log is append-only in the database too: UPDATE and DELETE on
relief_applicationevent raise (PostgreSQL only; SQLite, the development default, relies on
the code and the admin, which never change an event).

TRUNCATE is left alone: it is not a row change, and the test runner empties tables with it.
"""

from django.db import migrations

from core.migrations_sql import postgresql_only

CREATE = """
CREATE OR REPLACE FUNCTION relief_applicationevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'relief_applicationevent is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS relief_applicationevent_append_only ON relief_applicationevent;
CREATE TRIGGER relief_applicationevent_append_only
    BEFORE UPDATE OR DELETE ON relief_applicationevent
    FOR EACH ROW EXECUTE FUNCTION relief_applicationevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS relief_applicationevent_append_only ON relief_applicationevent;
DROP FUNCTION IF EXISTS relief_applicationevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("relief", "0004_roles")]

    operations = [postgresql_only(CREATE, DROP)]
