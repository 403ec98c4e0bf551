"""The staff roles as groups, each with exactly the permissions it needs.

- Reviewer / Senior reviewer: read the case (loan, money, policy, events, notifications) and
  decide it. Deciding is `change_reliefapplication`; the admin form itself is read-only and
  every change goes through relief.services. Which decisions a person may take (the second
  approval) is checked by the services by group. Nothing else is editable for them.
- Ops: reads everything for reports; edits nothing.
- Policy admin: reads and writes policy versions (drafts only; activation is theirs alone).
- Servicing: the core system's account: loans, installments, borrowers and repayments.

Nobody gets a delete permission on applications, events or repayments (the admin refuses
deletion for everyone anyway), and nobody gets `relief.export_unmasked` by default.

Groups that already exist (a database seeded before this migration) get their permissions
set to this list. The function is importable so tests that flush the database can restore
the groups (`create_roles(django.apps.apps, None)`).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LOANS_READ = [
    "loans.view_borrower",
    "loans.view_loanproduct",
    "loans.view_loan",
    "loans.view_installment",
    "loans.view_repayment",
]
RELIEF_READ = [
    "relief.view_reliefapplication",
    "relief.view_evidence",
    "relief.view_applicationevent",
    "relief.view_notification",
    "relief.view_reliefpolicy",
]
REVIEWING = [*LOANS_READ, *RELIEF_READ, "relief.change_reliefapplication"]

ROLES = {
    "Reviewer": REVIEWING,
    "Senior reviewer": REVIEWING,
    "Ops": [*LOANS_READ, *RELIEF_READ],
    "Policy admin": [
        "relief.view_reliefpolicy",
        "relief.add_reliefpolicy",
        "relief.change_reliefpolicy",
    ],
    "Servicing": [
        "loans.view_loanproduct",
        "loans.view_borrower",
        "loans.add_borrower",
        "loans.change_borrower",
        "loans.view_loan",
        "loans.add_loan",
        "loans.change_loan",
        "loans.view_installment",
        "loans.add_installment",
        "loans.change_installment",
        "loans.view_repayment",
        "loans.add_repayment",
    ],
}


def ensure_permissions(apps) -> None:
    """Permission rows are normally written after all migrations (post_migrate); the groups
    need them now."""
    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:
            # Migration state apps carry no models module; create_permissions skips those.
            app_config.models_module = True
            try:
                create_permissions(app_config, apps=apps, verbosity=0)
            finally:
                app_config.models_module = None
        else:
            create_permissions(app_config, apps=apps, verbosity=0)


def create_roles(apps, schema_editor) -> None:
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor) -> None:
    # Leave the groups (people are in them); take away what this migration gave.
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0003_export_unmasked_permission"),
        ("loans", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
