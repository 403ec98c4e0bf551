"""The demo data carries real signal for the early warning: lateness persists, and the
seeded backtest's figures are computed from it."""

from datetime import date

import pytest
from django.core.management import call_command

from loans.demo import borrower_plan
from risk.models import Outreach, RiskBacktest, RiskScore
from risk.rules.holdout import in_holdout
from risk.selectors import scorecard_of
from risk.services.backtest import backtest_figures


def test_a_demo_borrower_late_before_is_more_likely_to_be_late_again():
    after_late = [0, 0]  # [late, counted]
    after_on_time = [0, 0]
    for index in range(1, 3001):
        plan = borrower_plan(index, date(2026, 6, 15))
        for seq in range(2, plan.paid + 1):
            before = plan.days_late.get(seq - 1, 0) > 3
            entry = after_late if before else after_on_time
            entry[0] += plan.days_late.get(seq, 0) > 3
            entry[1] += 1
    rate_after_late = after_late[0] / after_late[1]
    rate_after_on_time = after_on_time[0] / after_on_time[1]
    assert rate_after_late > rate_after_on_time + 0.2


@pytest.mark.django_db
def test_seed_demo_scores_the_loans_and_backtests_them_from_the_data(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "300")
    assert RiskScore.objects.exists()
    backtest = RiskBacktest.objects.get()
    figures, _scored = backtest_figures(
        backtest.as_of, backtest.horizon_days, scorecard_of(backtest.model)
    )
    assert (backtest.loans, backtest.missed, backtest.auc) == (
        figures.loans,
        figures.missed,
        figures.auc,
    )
    assert backtest.auc > 0.7  # the scores foretell the misses: the demo has signal
    # The outreach history of the last weeks: contacted and held out, outcomes known.
    assert Outreach.objects.filter(status="sent").exists()
    # Which loans are held out is the hash's (loan, model version), so how many of a few
    # hundred demo loans fall in it depends on their ids: each row follows the rule.
    share = scorecard_of(backtest.model).holdout_percent
    for outreach in Outreach.objects.all():
        held = in_holdout(outreach.loan_id, outreach.model_version, share)
        assert (outreach.status == "held_out") == held, outreach.loan_id
    again = Outreach.objects.count()
    call_command("seed_demo", "--borrowers", "300")
    assert Outreach.objects.count() == again


@pytest.mark.django_db
def test_the_demos_carol_is_high_risk_and_outreach_writes_to_her(settings, today):
    from datetime import datetime, time

    from django.utils import timezone

    from relief.models import Notification
    from risk.services import outreach_send
    from tests.risk.helpers import holdout_percent_set

    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "0")
    score = RiskScore.objects.get(loan__external_id="L-CAROL-1", as_of=today)
    assert score.level == "high"
    holdout_percent_set(0)
    outreach_send(day=today, now=timezone.make_aware(datetime.combine(today, time(10))))
    message = Notification.objects.get(
        recipient__username="carol", kind="outreach", channel="email"
    )
    assert "2,000.00" in message.title
