"""An email or SMS reaches its provider once (relief.services.delivery).

Each attempt is committed as "sending" with the message's `provider_key` (its Message-ID, its
SMS client reference) before the provider is called, and `attempted_at` says when. A send
interrupted where the provider cannot tell whether it went out becomes "needs_attention",
and the Ops group may settle it (`relief.settle_notification`): mark it sent, or send it
again. `settle_permission_give` is importable so that tests that flush the database can put
the permission back, like the roles migration's `roles_set`.
"""

from importlib import import_module

from django.db import migrations, models

SETTLING_ROLES = ("Ops",)


def settle_permission_give(apps, schema_editor) -> None:
    import_module("relief.migrations.0004_roles").ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="relief", codename="settle_notification"
    )
    for name in SETTLING_ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def settle_permission_take(apps, schema_editor) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="relief", codename="settle_notification"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0011_policy_activation_four_eyes"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="notification",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    (
                        "settle_notification",
                        "Can settle a message whose delivery is in doubt",
                    )
                ],
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="attempted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="attempted at"),
        ),
        migrations.AddField(
            model_name="notification",
            name="provider_key",
            field=models.CharField(blank=True, max_length=64, verbose_name="provider key"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("needs_attention", "Needs attention"),
                ],
                default="pending",
                max_length=16,
                verbose_name="delivery",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("status", "sending")),
                fields=["attempted_at"],
                name="notification_in_flight",
            ),
        ),
        migrations.RunPython(settle_permission_give, settle_permission_take),
    ]
