"""What the roles may do with early warning and outreach; the groups bundle it.

- Ops: read risk models, scores, backtests and outreach (the admin's read-only lists).
- Policy admin: write risk model drafts and activate a version (`risk.activate_riskmodel`).

`risk_permissions_give` is importable so that tests that flush the database can put the
permissions back after relief's roles (`risk_permissions_give(django.apps.apps, None)`).
"""

from importlib import import_module

from django.db import migrations

ensure_permissions = import_module("relief.migrations.0004_roles").ensure_permissions

RISK_READ = [
    "risk.view_riskmodel",
    "risk.view_riskscore",
    "risk.view_riskbacktest",
    "risk.view_outreach",
]
GRANTS = {
    "Ops": RISK_READ,
    "Policy admin": [
        *RISK_READ,
        "risk.add_riskmodel",
        "risk.change_riskmodel",
        "risk.activate_riskmodel",
    ],
}


def risk_permissions_give(apps, schema_editor) -> None:
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def risk_permissions_take(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="risk").values_list("pk", flat=True)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0002_risk_model_v1"),
        ("relief", "0015_list_indexes"),
    ]

    operations = [migrations.RunPython(risk_permissions_give, risk_permissions_take)]
