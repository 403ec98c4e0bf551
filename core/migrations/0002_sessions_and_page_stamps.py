"""Sessions with their user as a column (core.sessions), and the page stamps with the triggers
that move them (core.page_stamps; PostgreSQL). Sessions kept in Django's own table before this
are not carried over: everyone signs in again once."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migrations_sql import postgresql_only
from core.migrations._page_stamps_sql import CREATE, DROP


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('loans', '0002_installment_fillfactor'),
        ('relief', '0007_reviewer_workload'),
    ]

    operations = [
        migrations.CreateModel(
            name='PageStamp',
            fields=[
                ('key', models.BigIntegerField(primary_key=True, serialize=False)),
                ('version', models.BigIntegerField()),
            ],
            options={
                'verbose_name': 'page stamp',
                'verbose_name_plural': 'page stamps',
            },
        ),
        migrations.CreateModel(
            name='Session',
            fields=[
                ('session_key', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='session key')),
                ('session_data', models.TextField(verbose_name='session data')),
                ('expire_date', models.DateTimeField(db_index=True, verbose_name='expire date')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'session',
                'verbose_name_plural': 'sessions',
                'db_table': 'core_session',
                'abstract': False,
            },
        ),
        postgresql_only(CREATE, DROP),
    ]
