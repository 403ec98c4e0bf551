"""The custom permission "export unmasked data" (relief.export_unmasked)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0002_policy_v1"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reliefapplication",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("export_unmasked", "Can export unmasked borrower data")],
                "verbose_name": "relief application",
                "verbose_name_plural": "relief applications",
            },
        ),
    ]
