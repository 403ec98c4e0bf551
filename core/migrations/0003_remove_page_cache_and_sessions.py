"""The page cache's stamps and their triggers, and the session table with a user column, are
gone: pages are rendered by their views and sessions are Django's own (django_session, or
the cache in front of it). Sessions kept in core_session are not carried over: everyone signs
in again once."""

from django.db import migrations

from core.migrations._page_stamps_sql import CREATE, DROP
from core.migrations_sql import postgresql_only


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_sessions_and_page_stamps'),
    ]

    operations = [
        postgresql_only(DROP, CREATE),
        migrations.DeleteModel(
            name='PageStamp',
        ),
        migrations.DeleteModel(
            name='Session',
        ),
    ]
