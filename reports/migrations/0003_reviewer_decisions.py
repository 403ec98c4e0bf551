"""The reviewers report's view: one row per reviewer taking part in a decision
(reports.models.ReviewerDecision). Its id is the application's, doubled (+1 for a second
approval), so that every row has its own."""

from django.db import migrations, models

VIEW = """
CREATE VIEW reports_reviewerdecision AS
SELECT a.id * 2 AS id, a.id AS application_id,
       COALESCE(a.first_approver_id, a.decided_by_id) AS reviewer_id, 'own' AS role,
       a.loan_id, a.created_at, a.decided_at, a.status, a.suggested_percent, a.decided_percent
FROM relief_reliefapplication AS a
WHERE a.decided_at IS NOT NULL AND a.decided_by_id IS NOT NULL
UNION ALL
SELECT a.id * 2 + 1, a.id, a.decided_by_id, 'second',
       a.loan_id, a.created_at, a.decided_at, a.status, a.suggested_percent, a.decided_percent
FROM relief_reliefapplication AS a
WHERE a.decided_at IS NOT NULL AND a.decided_by_id IS NOT NULL
  AND a.first_approver_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_ops_reports_permission"),
        ("relief", "0015_list_indexes"),
    ]

    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW reports_reviewerdecision"),
        migrations.CreateModel(
            name="ReviewerDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("own", "Own decision"), ("second", "Second approval")],
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField()),
                ("status", models.CharField(max_length=32)),
                ("suggested_percent", models.PositiveSmallIntegerField()),
                ("decided_percent", models.PositiveSmallIntegerField(null=True)),
            ],
            options={
                "db_table": "reports_reviewerdecision",
                "managed": False,
            },
        ),
    ]
