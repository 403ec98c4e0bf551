"""The backtest: scores as of a past day from what was known then, against what happened."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from core.errors import DomainError
from risk.models import RiskBacktest
from risk.selectors import active_risk_model, scorecard_of
from risk.services.backtest import backtest_figures, latest_as_of, risk_backtest_run
from tests.factories import BorrowerFactory, make_loan
from tests.risk.helpers import (
    PRINCIPAL,
    granted_application,
    installment_paid,
    loan_with_history,
    repayment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(today):
    return today - timedelta(days=60)


def monthly(day, offsets):
    return [day + timedelta(days=offset) for offset in offsets]


@pytest.fixture
def book(day):
    """As of `day`: a late payer 10 days past due who then missed the next installment too,
    a steady payer who paid the next on time, and one in between, paid 2 days late (in the
    grace days) before and 5 days late (a miss) in the window."""
    late_due = monthly(day, (-100, -70, -40, -10, 20))
    late = loan_with_history(
        BorrowerFactory(),
        due_dates=late_due,
        paid_on={n: late_due[n - 1] + timedelta(days=20) for n in (1, 2, 3)},
        disbursed_on=day - timedelta(days=130),
    )
    steady_due = monthly(day, (-400, -370, -340, 15))
    steady = loan_with_history(
        BorrowerFactory(),
        due_dates=steady_due,
        paid_on={1: steady_due[0], 2: steady_due[1], 3: steady_due[2], 4: steady_due[3]},
        disbursed_on=day - timedelta(days=430),
    )
    middle_due = monthly(day, (-300, -270, -240, 10))
    middle = loan_with_history(
        BorrowerFactory(),
        due_dates=middle_due,
        paid_on={
            1: middle_due[0] + timedelta(days=2),
            2: middle_due[1],
            3: middle_due[2],
            4: middle_due[3] + timedelta(days=5),
        },
        disbursed_on=day - timedelta(days=330),
    )
    return {"late": late, "steady": steady, "middle": middle}


def scores_and_figures(day):
    figures, scored = backtest_figures(day, 30, scorecard_of(active_risk_model()))
    return figures, sorted(scored)


def test_the_figures_are_computed_from_what_happened(book, day):
    figures, scored = scores_and_figures(day)
    by_loan = {loan_id: (score, missed) for loan_id, score, missed in scored}
    assert by_loan[book["late"].pk][1] is True
    assert by_loan[book["middle"].pk][1] is True
    assert by_loan[book["steady"].pk] == (0, False)
    assert (figures.loans, figures.missed) == (3, 2)
    assert figures.auc == Decimal("1.000")
    high = figures.levels[0]
    assert (high.level, high.loans, high.missed, high.precision) == ("high", 1, 1, Decimal("100.0"))
    assert high.recall == Decimal("50.0")


def test_no_row_written_after_the_day_changes_a_backtest_score(book, day, today):
    before = scores_and_figures(day)
    after_day = day + timedelta(days=1)
    late = book["late"]
    # The late payer's overdue installment paid after the day (still a miss: it was due
    # before the window), money, a relief and a new loan, all after the day.
    installment_paid(late.installments.get(seq=4), after_day)
    repayment(late, after_day)
    repayment(book["steady"], today)
    granted_application(book["steady"], after_day)
    make_loan(
        book["steady"].borrower,
        schedule=[(after_day + timedelta(days=3), PRINCIPAL, Decimal("1.00"))],
        disbursed_on=after_day,
    )
    assert scores_and_figures(day) == before


def test_a_backtest_is_stored_and_a_second_run_replaces_it(book, day):
    first = risk_backtest_run(as_of=day)
    again = risk_backtest_run(as_of=day)
    assert first.pk == again.pk
    assert RiskBacktest.objects.count() == 1
    assert again.lines.filter(kind="level").count() == 3
    assert again.lines.filter(kind="decile").count() == 3  # 3 loans: 3 deciles of one


def test_a_day_whose_outcome_is_not_known_yet_is_refused(today):
    with pytest.raises(DomainError) as refused:
        risk_backtest_run(as_of=today - timedelta(days=20))
    assert latest_as_of(30).isoformat() in str(refused.value.message)
    with translation.override("en"), pytest.raises(CommandError, match="not all known yet"):
        call_command("backtest_risk", "--as-of", (today - timedelta(days=20)).isoformat())


def test_the_command_prints_auc_levels_and_deciles(book, day, capsys):
    call_command("backtest_risk", "--as-of", day.isoformat(), "--horizon", "30")
    out = capsys.readouterr().out
    assert "Loans: 3, missed: 2 (66.7%). AUC: 1.000" in out
    assert "high" in out and "precision" in out
    assert "decile 1: the riskiest tenth" in out
