"""Count each reviewer's undecided cases in an index of the open queue only: triage asks for
the reviewer with the fewest on every case (docs/benchmarks.md, "queue")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0005_applicationevent_append_only"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reliefapplication",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["submitted", "in_review", "needs_info", "pending_second_approval"])
                ),
                fields=["assigned_to"],
                name="relief_undecided_by_assignee",
            ),
        ),
    ]
