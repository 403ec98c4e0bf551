"""Notifications written in every language, shown in the reader's. Rows written before keep
no other language: they are shown as sent (Notification.shown), so they stay readable."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0008_role_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="texts",
            field=models.JSONField(blank=True, default=dict, verbose_name="texts"),
        ),
    ]
