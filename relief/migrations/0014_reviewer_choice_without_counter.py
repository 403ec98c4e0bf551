"""Triage chooses the reviewer with the fewest undecided cases by counting them, in the index of
the open queue, instead of reading counters a trigger kept (0007).

Every triage that assigned a case updated its reviewer's counter row inside the case's
transaction, so all triages choosing the same reviewer queued behind one row: one stuck triage
stalled them all for 36 s. Counting reads and locks nothing. The trigger, its functions and the
counters go; the partial index of 0006 comes back for the count. Its cost, measured on 13,120
open cases among 10 reviewers in 210,000 rows: 1 ms once the table is vacuumed (an index-only
scan), about 21 ms before (autovacuum keeps it the former in production).
"""

import importlib

from django.conf import settings
from django.db import migrations, models

from core.migrations_sql import postgresql_only

counters = importlib.import_module("relief.migrations.0007_reviewer_workload")


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0013_triage_claim"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Backwards, the counters are counted again from the cases (0007's SQL).
        postgresql_only(counters.DROP, counters.CREATE),
        migrations.DeleteModel(name="ReviewerWorkload"),
        migrations.AddIndex(
            model_name="reliefapplication",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("submitted", "in_review", "needs_info", "pending_second_approval"))
                ),
                fields=["assigned_to"],
                name="relief_undecided_by_assignee",
            ),
        ),
    ]
