"""Ops read borrowers' satisfaction answers in the admin (relief.admin.satisfaction, read
only): the Ops group gets `relief.view_satisfactionanswer`. Nobody adds, changes or deletes
one there (an answer is the borrower's, given once).

`satisfaction_view_give` is importable so that tests that flush the database can put the
permission back, like 0016's `articles_permission_give`.
"""

from importlib import import_module

from django.db import migrations

VIEWING_ROLES = ("Ops",)


def _permission(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(
        content_type__app_label="relief", codename="view_satisfactionanswer"
    )


def satisfaction_view_give(apps, schema_editor) -> None:
    import_module("relief.migrations.0004_roles").ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    for name in VIEWING_ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(_permission(apps))


def satisfaction_view_take(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=VIEWING_ROLES):
        group.permissions.remove(_permission(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0022_reported_index_arrangement"),
    ]

    operations = [migrations.RunPython(satisfaction_view_give, satisfaction_view_take)]
