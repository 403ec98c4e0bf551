"""The policy version and the arrangement an application started join the columns the reports
read through `relief_reported`: the ops dashboard's Outcomes panel reads satisfaction by policy
version (the `satisfaction` report) and the effectiveness report reads the arrangement to count
plan installments paid on time; both stay index-only scans. The index is built again with the
columns added."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0010_arrangements"),
        ("relief", "0021_application_arrangement"),
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
                    "arrangement",
                    "loan",
                    "id",
                ],
                name="relief_reported",
            ),
        ),
    ]
