"""The prevention reports: the backtests, and outreach against the holdout with a 95%
confidence interval of the difference."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from risk.models import Outreach
from risk.services import risk_backtest_run
from tests.factories import BorrowerFactory, make_loan
from tests.risk.helpers import INTEREST, PRINCIPAL, installment_paid, loan_with_history

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/{}/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def known_table(today):
    """Outreach 45 days ago: 100 installments contacted, 80 of them paid within the grace
    days; 50 held out, 30 paid on time. The others were paid 10 days late."""
    picked_on = today - timedelta(days=45)
    due = today - timedelta(days=40)
    loan = make_loan(BorrowerFactory(), schedule=[(due, PRINCIPAL, INTEREST)] * 150)
    rows = []
    for index, installment in enumerate(loan.installments.order_by("seq")):
        contacted = index < 100
        on_time = index < 80 if contacted else index < 130
        installment_paid(installment, due if on_time else due + timedelta(days=10))
        rows.append(
            Outreach(
                installment=installment,
                loan=loan,
                borrower=loan.borrower,
                model_version=1,
                day=picked_on,
                due_date=due,
                amount_due=PRINCIPAL + INTEREST,
                status="sent" if contacted else "held_out",
            )
        )
    Outreach.objects.bulk_create(rows)
    return picked_on


def test_the_confidence_interval_on_a_known_table_matches_the_hand_computation(ops, known_table):
    # p1 = 0.8, p2 = 0.6, d = 0.2; se = √(0.8 × 0.2 / 100 + 0.6 × 0.4 / 50) = √0.0064 = 0.08;
    # 95% CI = 0.2 ± 1.96 × 0.08 = [0.0432, 0.3568]: 20.0 points, from 4.3 to 35.7.
    day = known_table.isoformat()
    response = api(ops).get(URL.format("outreach-outcomes"), {"from": day, "to": day})
    assert response.status_code == 200
    import json

    (row,) = json.loads(body(response))["results"]
    assert row == {
        "model_version": 1,
        "contacted": 100,
        "contacted_on_time": 80,
        "contacted_on_time_pct": 80.0,
        "held_out": 50,
        "held_out_on_time": 30,
        "held_out_on_time_pct": 60.0,
        "difference_pts": 20.0,
        "ci_low_pts": 4.3,
        "ci_high_pts": 35.7,
    }


def test_the_outcomes_as_csv_carry_the_same_figures(ops, known_table):
    day = known_table.isoformat()
    response = api(ops).get(
        URL.format("outreach-outcomes"), {"from": day, "to": day, "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [(r["difference_pts"], r["ci_low_pts"], r["ci_high_pts"]) for r in rows] == [
        ("20.0", "4.3", "35.7")
    ]


def test_an_installment_still_in_its_grace_days_is_not_counted_yet(ops, today):
    loan = loan_with_history(BorrowerFactory(), due_dates=[today - timedelta(days=1)], paid_on={})
    Outreach.objects.create(
        installment=loan.installments.get(),
        loan=loan,
        borrower=loan.borrower,
        model_version=1,
        day=today - timedelta(days=6),
        due_date=today - timedelta(days=1),
        amount_due=Decimal("1100.00"),
        status="sent",
    )
    response = api(ops).get(URL.format("outreach-outcomes"))
    import json

    assert json.loads(body(response))["results"] == []


def test_the_backtest_report_lists_each_level_and_decile_with_auc_and_lift(ops, today):
    day = today - timedelta(days=60)
    due = [day - timedelta(days=10), day + timedelta(days=10)]
    for late in (True, False):
        loan_with_history(
            BorrowerFactory(),
            due_dates=due,
            paid_on={} if late else {1: due[0], 2: due[1]},
            disbursed_on=day - timedelta(days=400),
        )
    risk_backtest_run(as_of=day)
    response = api(ops).get(URL.format("risk-backtest"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [(r["row"], r["group"]) for r in rows] == [
        ("level", "high"),
        ("level", "medium"),
        ("level", "low"),
        ("decile", "1"),
        ("decile", "6"),  # 2 loans: the riskiest in the first tenth, the other in the sixth
    ]
    assert {r["auc"] for r in rows} == {"1.000"}
    assert rows[3]["lift"] == "2.000" and rows[3]["missed"] == "1"
    assert rows[0]["as_of"] == day.isoformat()
