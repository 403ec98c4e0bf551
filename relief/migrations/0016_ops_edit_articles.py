"""Ops write the education articles (learn.Article, domain.md §10): the Ops group gets
`learn.view_article`, `learn.add_article` and `learn.change_article`. Nobody deletes an
article (the admin refuses it); one is taken down by unpublishing it.

The group names live in relief's roles migrations, so this one is here and not in learn
(which knows no roles). `articles_permission_give` is importable so that tests that flush the
database can put the permissions back, like 0008's `roles_set`.
"""

from importlib import import_module

from django.db import migrations

ARTICLE_EDITING = ("view_article", "add_article", "change_article")
EDITING_ROLES = ("Ops",)


def articles_permission_give(apps, schema_editor) -> None:
    import_module("relief.migrations.0004_roles").ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="learn", codename__in=ARTICLE_EDITING
    )
    for name in EDITING_ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def articles_permission_take(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="learn", codename__in=ARTICLE_EDITING
    )
    for group in Group.objects.filter(name__in=EDITING_ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0015_list_indexes"),
        ("learn", "0001_articles"),
    ]

    operations = [migrations.RunPython(articles_permission_give, articles_permission_take)]
