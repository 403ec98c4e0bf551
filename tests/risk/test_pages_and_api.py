"""Where early warning shows: the high-risk borrower's dashboard, the scored loans API, the
ops dashboard's panels."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from risk.services import risk_backtest_run, risk_scores_compute
from tests.factories import BorrowerFactory
from tests.risk.helpers import (
    hardship_article,
    high_risk_loan,
    holdout_percent_set,
    loan_with_history,
)

pytestmark = pytest.mark.django_db

RISK_LOANS = "/api/v1/risk/loans/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def steady_loan(borrower, today):
    due = [today - timedelta(days=offset) for offset in (400, 370)] + [today + timedelta(days=9)]
    return loan_with_history(
        borrower,
        due_dates=due,
        paid_on={1: due[0], 2: due[1]},
        disbursed_on=today - timedelta(days=430),
    )


def test_a_high_risk_borrower_sees_a_gentle_offer_of_help_on_her_dashboard(
    client, alice, bob, today
):
    holdout_percent_set(0)
    hardship_article()
    loan = high_risk_loan(alice, today)
    steady_loan(bob, today)
    risk_scores_compute(day=today)
    client.force_login(alice.user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A payment coming up?" in page
    assert f'href="/loans/{loan.pk}/options/"' in page
    assert 'href="/learn/ask-early/"' in page and "Ask for help early" in page
    client.force_login(bob.user)
    assert "A payment coming up?" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_held_out_borrower_is_not_offered_help(client, today):
    from risk import rules

    holdout_percent_set(10)
    borrower = BorrowerFactory()
    while not rules.in_holdout(high_risk_loan(borrower, today).pk, 1, 10):
        borrower = BorrowerFactory()
    risk_scores_compute(day=today)
    client.force_login(borrower.user)
    assert "A payment coming up?" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_ops_list_the_scored_loans_by_level_with_their_factors(ops, alice, bob, today):
    holdout_percent_set(0)
    risky = high_risk_loan(alice, today)
    steady_loan(bob, today)
    risk_scores_compute(day=today)
    response = api(ops).get(RISK_LOANS, {"level": "high"})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["loan"], row["level"], row["as_of"], row["holdout"]) == (
        risky.pk,
        "high",
        today.isoformat(),
        False,
    )
    assert row["score"] == sum(f["points"] for f in row["factors"])
    labels = {f["code"]: f["label"] for f in row["factors"]}
    assert labels["current_dpd"] == "10 days past due now +25"
    assert labels["late_payments_6m"] == "4 late payments in 6 months +25"
    assert api(ops).get(RISK_LOANS, {"level": "medium"}).json()["results"] == []
    assert len(api(ops).get(RISK_LOANS).json()["results"]) == 2


@pytest.mark.parametrize(
    ("query", "field"), [({"level": "severe"}, "level"), ({"as_of": "yesterday"}, "as_of")]
)
def test_a_bad_filter_is_400_naming_the_field(ops, query, field):
    response = api(ops).get(RISK_LOANS, query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_borrowers_and_reviewers_cannot_list_scored_loans(alice, reviewer):
    assert api(alice.user).get(RISK_LOANS).status_code == 403
    assert api(reviewer).get(RISK_LOANS).status_code == 403
    assert APIClient().get(RISK_LOANS).status_code == 401


def test_the_ops_dashboard_shows_the_backtest_and_the_outreach_panels(client, ops, today):
    day = today - timedelta(days=60)
    high_risk_loan(BorrowerFactory(), day)
    risk_backtest_run(as_of=day)
    client.force_login(ops)
    page = client.get("/ops/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="risk-backtest"' in page and "AUC" in page
    assert 'id="outreach-outcomes"' in page
    assert "No outreach with a known outcome in this range" in page
