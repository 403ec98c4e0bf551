"""The ops team's permission: the dashboard, reports and exports (`reports.view_ops_reports`).
relief's roles migration gives it to the Ops group."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="export",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("view_ops_reports", "Can see the ops dashboard, reports and exports")
                ],
                "verbose_name": "export",
                "verbose_name_plural": "exports",
            },
        ),
    ]
