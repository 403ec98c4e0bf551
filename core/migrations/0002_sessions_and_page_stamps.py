"""Sessions with their user as a column (core.sessions) and the page stamps' table.

Before 0003 this migration also created triggers on the loans and relief tables to move the
stamps. It creates only core's own tables now, so that core's migrations depend on no project
app; 0003 drops those triggers where a database still has them, so a database that ran the
old version and a new one end up the same."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('auth', '0012_alter_user_first_name_max_length'),
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
    ]
