"""The policy version joins the columns the reports read through `relief_reported`: the ops
dashboard's Outcomes panel reads satisfaction by policy version (the `satisfaction` report),
and stays an index-only scan. The index is built again with the column added."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0009_trigram_search_indexes"),
        ("relief", "0019_reported_columns_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reliefapplication", name="relief_reported"),
        migrations.AddIndex(
            model_name="reliefapplication",
            index=models.Index(
                fields=[
                    "created_at",
                    "status",
                    "bucket_at_submission",
                    "reason",
                    "decided_at",
                    "sla_due",
                    "sla_escalated_at",
                    "suggested_percent",
                    "decided_percent",
                    "decided_amount",
                    "waived_amount",
                    "repaid_on",
                    "policy_version",
                    "decided_by",
                    "first_approver",
                    "loan",
                    "id",
                ],
                name="relief_reported",
            ),
        ),
    ]
