"""The nightly scoring: every eligible loan scored once per day, with its factors."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command

from risk.models import RiskModel, RiskScore
from risk.services import risk_scores_compute
from tests.factories import BorrowerFactory
from tests.risk.helpers import loan_with_history
from tests.support import run_together

pytestmark = pytest.mark.django_db


def late_payer(today, **kwargs):
    """A borrower whose last three installments were paid 20 days late, now 10 days past
    due on the next: high risk."""
    due = [today - timedelta(days=offset) for offset in (100, 70, 40, 10)] + [
        today + timedelta(days=20)
    ]
    return loan_with_history(
        BorrowerFactory(**kwargs),
        due_dates=due,
        paid_on={n: due[n - 1] + timedelta(days=20) for n in (1, 2, 3)},
        disbursed_on=today - timedelta(days=130),
    )


def reliable_payer(today):
    due = [today - timedelta(days=offset) for offset in (400, 370, 340)] + [
        today + timedelta(days=5)
    ]
    return loan_with_history(
        BorrowerFactory(),
        due_dates=due,
        paid_on={n: due[n - 1] for n in (1, 2, 3)},
        disbursed_on=today - timedelta(days=430),
    )


def test_scoring_stores_each_eligible_loan_with_its_level_and_factors(today):
    risky, steady = late_payer(today), reliable_payer(today)
    run = risk_scores_compute(day=today)
    assert (run.stored, run.by_level["high"], run.by_level["low"]) == (2, 1, 1)
    score = RiskScore.objects.get(loan=risky, as_of=today)
    assert score.level == "high" and score.score >= 70
    assert score.model == RiskModel.objects.get(status="active")
    codes = {factor["code"]: factor for factor in score.factors}
    assert codes["current_dpd"] == {"code": "current_dpd", "points": 25, "value": 10}
    assert codes["late_payments_6m"]["value"] == 4
    assert sum(factor["points"] for factor in score.factors) == score.score
    assert RiskScore.objects.get(loan=steady, as_of=today).score == 0


def test_scoring_again_the_same_day_adds_nothing(today):
    loan = late_payer(today)
    risk_scores_compute(day=today)
    first = RiskScore.objects.get(loan=loan)
    assert risk_scores_compute(day=today).stored == 0
    assert list(RiskScore.objects.filter(loan=loan)) == [first]
    # Another day is another score.
    assert risk_scores_compute(day=today + timedelta(days=1)).stored == 1


def test_the_command_scores_as_of_a_date_and_says_what_it_did(today, capsys):
    late_payer(today)
    call_command("score_risk", "--date", today.isoformat())
    out = capsys.readouterr().out
    assert f"Scored 1 loans as of {today.isoformat()} (risk model v1): high 1" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="row locks need PostgreSQL",
)
def test_two_scoring_runs_at_once_score_each_loan_once(today):
    from tests.relief.helpers import restore_seeded_data

    restore_seeded_data()
    loans = [late_payer(today) for _ in range(3)] + [reliable_payer(today)]
    outcomes = run_together(lambda: risk_scores_compute(day=today).stored)
    assert sorted(outcomes) == [0, 4]
    assert RiskScore.objects.filter(loan__in=loans).count() == 4
