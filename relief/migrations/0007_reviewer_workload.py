"""Each reviewer's undecided cases, counted by the database as they change (PostgreSQL).

Triage gives a case to the reviewer with the fewest undecided cases. Counting them for every
case made triage slower as the queue grew, even in the partial index of 0006: 15 ms a case
with 13,000 open when the table has not been vacuumed (docs/benchmarks.md, "The review
queue"). A trigger on relief_reliefapplication now keeps the counts in
relief_reviewerworkload: a case counts for its reviewer while it is assigned and undecided.
Whatever changes a case (a service, the admin, a data fix in SQL) goes through it; TRUNCATE
empties the counts. SQLite (development) counts in the query instead. The index of 0006 has
no reader left and goes.
"""

from django.conf import settings
from django.db import migrations, models

from core.migrations_sql import postgresql_only

UNDECIDED = "('submitted', 'in_review', 'needs_info', 'pending_second_approval')"

CREATE = """
CREATE OR REPLACE FUNCTION relief_reviewer_workload() RETURNS trigger AS $$
DECLARE
    counted_for integer;  -- the reviewer the case counted for before the change, if any
    counts_for integer;   -- and after it
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.assigned_to_id IS NOT NULL AND OLD.status IN UNDECIDED_STATUSES THEN
        counted_for := OLD.assigned_to_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.assigned_to_id IS NOT NULL AND NEW.status IN UNDECIDED_STATUSES THEN
        counts_for := NEW.assigned_to_id;
    END IF;
    IF counted_for IS NOT DISTINCT FROM counts_for THEN
        RETURN NULL;
    END IF;
    -- Lower user id first, so that two cases handed over in opposite directions at once
    -- cannot deadlock on the two counters.
    IF counted_for IS NOT NULL AND (counts_for IS NULL OR counted_for < counts_for) THEN
        UPDATE relief_reviewerworkload SET open_cases = open_cases - 1
            WHERE user_id = counted_for;
        counted_for := NULL;
    END IF;
    IF counts_for IS NOT NULL THEN
        INSERT INTO relief_reviewerworkload (user_id, open_cases) VALUES (counts_for, 1)
            ON CONFLICT (user_id)
            DO UPDATE SET open_cases = relief_reviewerworkload.open_cases + 1;
    END IF;
    IF counted_for IS NOT NULL THEN
        UPDATE relief_reviewerworkload SET open_cases = open_cases - 1
            WHERE user_id = counted_for;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION relief_reviewer_workload_truncate() RETURNS trigger AS $$
BEGIN
    DELETE FROM relief_reviewerworkload;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS relief_reviewer_workload ON relief_reliefapplication;
CREATE TRIGGER relief_reviewer_workload
    AFTER INSERT OR DELETE OR UPDATE OF status, assigned_to_id ON relief_reliefapplication
    FOR EACH ROW EXECUTE FUNCTION relief_reviewer_workload();

DROP TRIGGER IF EXISTS relief_reviewer_workload_truncate ON relief_reliefapplication;
CREATE TRIGGER relief_reviewer_workload_truncate
    AFTER TRUNCATE ON relief_reliefapplication
    FOR EACH STATEMENT EXECUTE FUNCTION relief_reviewer_workload_truncate();

INSERT INTO relief_reviewerworkload (user_id, open_cases)
    SELECT assigned_to_id, count(*) FROM relief_reliefapplication
    WHERE assigned_to_id IS NOT NULL AND status IN UNDECIDED_STATUSES
    GROUP BY assigned_to_id
    ON CONFLICT (user_id) DO UPDATE SET open_cases = EXCLUDED.open_cases;
"""# The statuses are a constant of this module: nothing from outside reaches this SQL.
CREATE = CREATE.replace("UNDECIDED_STATUSES", UNDECIDED)

DROP = """
DROP TRIGGER IF EXISTS relief_reviewer_workload ON relief_reliefapplication;
DROP TRIGGER IF EXISTS relief_reviewer_workload_truncate ON relief_reliefapplication;
DROP FUNCTION IF EXISTS relief_reviewer_workload();
DROP FUNCTION IF EXISTS relief_reviewer_workload_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0006_undecided_by_assignee"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="reliefapplication",
            name="relief_undecided_by_assignee",
        ),
        migrations.CreateModel(
            name="ReviewerWorkload",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="relief_workload",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("open_cases", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "reviewer workload",
                "verbose_name_plural": "reviewer workloads",
            },
        ),
        postgresql_only(CREATE, DROP),
    ]
