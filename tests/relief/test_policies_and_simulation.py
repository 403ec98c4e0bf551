from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from loans.services import penalties_accrue
from relief.models import ReliefPolicy
from relief.rules import DEFAULT_POLICY_DOCUMENT, POLICY_V2_DOCUMENT
from relief.services.simulation import policy_simulate
from tests.factories import BorrowerFactory, overdue_loan, paid_history
from tests.relief.flows import submit

pytestmark = pytest.mark.django_db


def draft(version=3, **changes):
    document = {**POLICY_V2_DOCUMENT, **changes}
    return ReliefPolicy.objects.create(version=version, document=document)


def test_version_2_with_arrangements_is_active_and_version_1_kept_from_the_start():
    policy = ReliefPolicy.objects.get(status="active")
    assert policy.version == 2
    assert policy.document == POLICY_V2_DOCUMENT
    v1 = ReliefPolicy.objects.get(version=1)
    assert (v1.status, v1.document) == (ReliefPolicy.Status.RETIRED, DEFAULT_POLICY_DOCUMENT)


def test_the_database_allows_only_one_active_policy():
    policy = draft()
    policy.status = ReliefPolicy.Status.ACTIVE
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_application_records_the_policy_version_it_was_scored_with(alice, today):
    application = submit(overdue_loan(alice, today=today), triage=False)
    assert application.policy_version == 2
    assert application.quote["policy_version"] == 2


@pytest.fixture
def known_cases(today):
    """Three applications: worked example (80%), an 'other' case (60%), a late one (40%)."""
    alice = BorrowerFactory()
    paid_history(alice, today=today)
    submit(overdue_loan(alice, today=today, days=20), triage=False)
    bob = BorrowerFactory()
    paid_history(bob, today=today)
    submit(overdue_loan(bob, today=today, days=20), reason="other", triage=False)
    carol = BorrowerFactory()
    submit(overdue_loan(carol, today=today, days=200), reason="other", triage=False)


def test_simulating_the_active_policy_changes_nothing(known_cases):
    result = policy_simulate(version=2)
    assert result.cases == 3
    assert result.total["active"].amount == result.total["draft"].amount
    assert result.biggest_changes == []


def test_simulation_reports_totals_by_bucket_and_reason_and_the_biggest_changes(known_cases):
    draft(hardship_points={**DEFAULT_POLICY_DOCUMENT["hardship_points"], "other": 20})
    result = policy_simulate(version=3)
    active, proposed = result.total["active"], result.total["draft"]
    # Active: 80% and 60% of 26.60, and 40% of the late loan's 492.10 (two installments,
    # 200 and 170 days late at 1.33 a day): 21.28 + 15.96 + 196.84.
    assert active.amount == Decimal("234.08")
    assert (active.eligible, active.auto_approvable, active.mean_percent) == (3, 1, Decimal("60.0"))
    # Draft: "other" +20 → 80% and 60%: 21.28 + 21.28 + 295.26; the 60% case is not automatic.
    assert proposed.amount == Decimal("337.82")
    assert (proposed.auto_approvable, proposed.mean_percent) == (0, Decimal("73.3"))
    assert sorted(result.by_bucket) == ["M1", "M4+"]
    assert result.by_reason["other"]["draft"].mean_percent == Decimal("70.0")
    assert [c.delta for c in result.biggest_changes] == [20, 20]


def test_simulation_without_applications_scores_loans_overdue_today(today):
    overdue_loan(BorrowerFactory(), today=today, days=20)
    overdue_loan(BorrowerFactory(), today=today, days=2)  # in grace: nothing owed
    penalties_accrue(day=today)
    result = policy_simulate(version=2)
    assert result.source == "overdue_loans"
    assert result.cases == 2
    assert result.total["active"].eligible == 1


def test_simulate_policy_command_prints_the_comparison(known_cases, capsys):
    draft(hardship_points={**DEFAULT_POLICY_DOCUMENT["hardship_points"], "other": 20})
    call_command("simulate_policy", "3")
    out = capsys.readouterr().out
    assert "Policy v3 against active v2: 3 cases" in out
    assert "234.08" in out and "337.82" in out
    assert "reason:other" in out


def test_simulate_policy_command_refuses_unknown_versions_and_bad_dates():
    with pytest.raises(CommandError, match="no relief policy version 9"):
        call_command("simulate_policy", "9")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("simulate_policy", "1", "--since", "yesterday")


def test_simulation_since_leaves_out_older_applications(known_cases, today):
    result = policy_simulate(version=2, since=today + timedelta(days=1))
    assert result.source == "overdue_loans"


def test_simulation_since_starts_at_local_midnight_and_reads_the_window_by_timestamp(
    known_cases, today
):
    """Cases submitted at 23:59 the evening before `since` (local time) are out, at 00:00 in;
    the window is a timestamp range the created_at index serves, not a date per row."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relief.models import ReliefApplication

    zone = ZoneInfo(settings.TIME_ZONE)
    since = today - timedelta(days=3)
    first, second, third = ReliefApplication.objects.order_by("id")
    ReliefApplication.objects.filter(pk=first.pk).update(
        created_at=datetime.combine(since - timedelta(days=1), time(23, 59), tzinfo=zone)
    )
    ReliefApplication.objects.filter(pk=second.pk).update(
        created_at=datetime.combine(since, time.min, tzinfo=zone)
    )
    with CaptureQueriesContext(connection) as captured:
        result = policy_simulate(version=2, since=since)
    assert result.cases == 2
    reads = [q["sql"] for q in captured.captured_queries if "relief_reliefapplication" in q["sql"]]
    assert reads and not any("AT TIME ZONE" in sql or "django_datetime" in sql for sql in reads)


def test_simulation_quotes_arrangements_for_the_loans_overdue_today(today):
    overdue_loan(BorrowerFactory(), today=today, days=20)  # a plan or a deferral
    overdue_loan(BorrowerFactory(), today=today, days=200)  # too late to defer: a plan
    penalties_accrue(day=today)
    only_deferral = draft(
        arrangements={
            **POLICY_V2_DOCUMENT["arrangements"],
            "plan": {**POLICY_V2_DOCUMENT["arrangements"]["plan"], "periods": []},
        }
    )

    result = policy_simulate(version=only_deferral.version)

    rows = {(row["group"], row["value"]): row for row in result.arrangement_rows()}
    assert list(rows) == [("all", ""), ("bucket", "M1"), ("bucket", "M4+")]
    every = rows[("all", "")]
    assert every["loans"] == 2
    assert (every["eligible_active"], every["eligible_draft"]) == (2, 1)
    assert (every["plan_active"], every["plan_draft"]) == (2, 0)
    assert (every["deferral_active"], every["deferral_draft"]) == (1, 1)
    # 4,000.00 on the late loan is within the automatic 5,000.00 by a plan of 3; the
    # 20-day loan's deferral of 1 month moves 4,000.00 and is automatic too.
    assert (every["automatic_active"], every["automatic_draft"]) == (2, 1)
    assert rows[("bucket", "M4+")]["eligible_draft"] == 0
    assert "Arrangements for the 2 loans overdue today" in result.text()


def test_simulation_of_versions_without_arrangements_leaves_them_out(today):
    overdue_loan(BorrowerFactory(), today=today, days=20)
    ReliefPolicy.objects.filter(status="active").update(status="retired")
    ReliefPolicy.objects.filter(version=1).update(status="active")

    result = policy_simulate(version=1)

    assert result.arrangements == {}
    assert "Arrangements" not in result.text()


def test_simulation_knows_the_loans_arrangements(today):
    from relief.services.arrangements import arrangements_nightly
    from tests.relief.arrangement_flows import (
        accepted,
        apply,
        approved,
        both_overdue_loan,
        plan,
        plan_installments,
    )

    loan = both_overdue_loan(BorrowerFactory(), today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    broken_on = plan_installments(loan)[0].due_date + timedelta(days=30)
    arrangements_nightly(today=broken_on)

    result = policy_simulate(version=2, today=broken_on)

    # Overdue on the day its plan broke: no new plan for 12 months, a deferral still.
    (row,) = [r for r in result.arrangement_rows() if r["group"] == "all"]
    assert (row["loans"], row["plan_active"], row["deferral_active"]) == (1, 0, 1)
