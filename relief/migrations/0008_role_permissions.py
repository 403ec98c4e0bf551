"""What each role may do, as permissions; the groups bundle them.

Until now the code asked "is this person in the group Reviewer?" in several places. It now
asks for a permission (core/permissions.py), and this migration gives each group the ones
that make its role:

- Reviewer: `relief.decide_reliefapplication` (work the queue and decide cases).
- Senior reviewer: the same and `relief.second_approve_reliefapplication` (four eyes). A
  senior is usually in both groups; one in this group alone can still review, as before.
- Ops: `reports.view_ops_reports` (the dashboard, reports and exports).
- Policy admin: `relief.activate_reliefpolicy` besides writing drafts.
- Servicing: `loans.post_servicing_data` (the servicing API).

`relief.export_unmasked` stays with nobody by default. The read permissions are those of
0004. `change_reliefapplication` stays with the reviewers only because the admin shows a
model whose objects one may change as such; what they may do with a case is the decide
permission.

The group names live here and in 0004 only. `roles_set` is importable so that tests that
flush the database can put the groups back (`roles_set(django.apps.apps, None)`).
"""

from importlib import import_module

from django.db import migrations

ensure_permissions = import_module("relief.migrations.0004_roles").ensure_permissions

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
REVIEWING = [
    *LOANS_READ,
    *RELIEF_READ,
    "relief.change_reliefapplication",
    "relief.decide_reliefapplication",
]

ROLES = {
    "Reviewer": REVIEWING,
    "Senior reviewer": [*REVIEWING, "relief.second_approve_reliefapplication"],
    "Ops": [*LOANS_READ, *RELIEF_READ, "reports.view_ops_reports"],
    "Policy admin": [
        "relief.view_reliefpolicy",
        "relief.add_reliefpolicy",
        "relief.change_reliefpolicy",
        "relief.activate_reliefpolicy",
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
        "loans.post_servicing_data",
    ],
}


def roles_set(apps, schema_editor) -> None:
    """Each group with exactly its role's permissions (created when missing)."""
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


def roles_unset(apps, schema_editor) -> None:
    # Back to the permissions of 0004: take away only what this migration added.
    import_module("relief.migrations.0004_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0007_reviewer_workload"),
        ("loans", "0004_servicing_permission"),
        ("reports", "0002_ops_reports_permission"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reliefapplication",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("export_unmasked", "Can export unmasked borrower data"),
                    ("decide_reliefapplication", "Can decide relief applications"),
                    (
                        "second_approve_reliefapplication",
                        "Can give the second approval on relief applications",
                    ),
                ],
                "verbose_name": "relief application",
                "verbose_name_plural": "relief applications",
            },
        ),
        migrations.AlterModelOptions(
            name="reliefpolicy",
            options={
                "ordering": ["-version"],
                "permissions": [("activate_reliefpolicy", "Can activate a relief policy version")],
                "verbose_name": "relief policy",
                "verbose_name_plural": "relief policies",
            },
        ),
        migrations.RunPython(roles_set, roles_unset),
    ]
