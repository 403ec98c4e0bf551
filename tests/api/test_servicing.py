"""The servicing system: loans created or replaced, repayments posted (and offers fulfilled)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from loans.models import Installment, Loan, LoanProduct, Repayment
from relief.models import ReliefApplication
from tests.api.conftest import approve, client_for, error_of, submit

pytestmark = pytest.mark.django_db


def loan_body(today, *, username="carol", external_id="B-900", installments=None, **fields):
    if installments is None:
        installments = [
            {
                "seq": 1,
                "due_date": (today - timedelta(days=20)).isoformat(),
                "principal_due": "1875.00",
                "interest_due": "125.00",
            },
            {
                "seq": 2,
                "due_date": (today + timedelta(days=10)).isoformat(),
                "principal_due": "1875.00",
                "interest_due": "125.00",
            },
        ]
    body = {
        "borrower": {
            "external_id": external_id,
            "username": username,
            "name": "Carol",
            "phone": "13900000000",
            "language": "en",
        },
        "product": "CASH18",
        "principal": "3750.00",
        "disbursed_on": (today - timedelta(days=50)).isoformat(),
        "installments": installments,
    }
    return {**body, **fields}


def put_loan(client, external_id, body):
    return client.put(f"/api/v1/servicing/loans/{external_id}/", body, format="json")


def repay(client, amount, paid_on, reference, loan="L-900"):
    return client.post(
        "/api/v1/servicing/repayments/",
        {
            "loan_external_id": loan,
            "amount": amount,
            "paid_on": paid_on.isoformat(),
            "reference": reference,
        },
        format="json",
    )


@pytest.fixture
def products(db):
    from tests.factories import product

    product("CASH18")
    product("CARD24")


def test_put_creates_the_loan_and_a_borrower_without_password(servicing_client, products, today):
    response = put_loan(servicing_client, "L-900", loan_body(today))
    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "L-900"
    assert body["product"] == "CASH18"
    assert body["penalty_rate"] == "0.240000"
    assert (body["dpd"], body["bucket"], body["overdue_amount"]) == (20, "M1", "2000.00")
    assert body["penalty_outstanding"] == "26.60"
    assert body["borrower"] == {
        "external_id": "B-900",
        "username": "carol",
        "name": "Carol",
        "language": "en",
    }
    assert [i["seq"] for i in body["installments"]] == [1, 2]
    user = get_user_model().objects.get(username="carol")
    assert not user.has_usable_password()
    assert user.borrower.phone == "13900000000"


def test_put_again_unchanged_is_200_and_changes_nothing(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    response = put_loan(servicing_client, "L-900", loan_body(today))
    assert response.status_code == 200
    assert Loan.objects.count() == 1 and Installment.objects.count() == 2


def test_put_replaces_future_installments(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    body = loan_body(today, principal="3750.00")
    body["installments"][1:] = [
        {
            "seq": 2,
            "due_date": (today + timedelta(days=15)).isoformat(),
            "principal_due": "875.00",
            "interest_due": "60.00",
        },
        {
            "seq": 3,
            "due_date": (today + timedelta(days=45)).isoformat(),
            "principal_due": "1000.00",
            "interest_due": "70.00",
        },
    ]
    body["borrower"]["name"] = "Carol Chen"
    response = put_loan(servicing_client, "L-900", body)
    assert response.status_code == 200
    schedule = response.json()["installments"]
    assert [(i["seq"], i["principal_due"]) for i in schedule] == [
        (1, "1875.00"),
        (2, "875.00"),
        (3, "1000.00"),
    ]
    assert response.json()["borrower"]["name"] == "Carol Chen"
    assert Installment.objects.get(seq=2).daily_penalty > 0


def test_put_cannot_change_an_installment_that_fell_due(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    body = loan_body(today, principal="3700.00")
    body["installments"][0]["principal_due"] = "1825.00"
    response = put_loan(servicing_client, "L-900", body)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "installment_locked" and error["seq"] == 1
    assert Installment.objects.get(seq=1).principal_due == 1875


def test_put_cannot_change_an_installment_with_payments(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    repay(servicing_client, "2026.60", today, "P-1")
    # Prepay part of installment 2 (not yet due): it has money on it now.
    repay(servicing_client, "100.00", today, "P-2")
    body = loan_body(today)
    body["installments"][1]["due_date"] = (today + timedelta(days=40)).isoformat()
    response = put_loan(servicing_client, "L-900", body)
    assert response.status_code == 409
    assert error_of(response)["seq"] == 2


def test_put_cannot_change_the_product(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    response = put_loan(servicing_client, "L-900", loan_body(today, product="CARD24"))
    assert response.status_code == 409
    assert error_of(response)["code"] == "contract_fixed"


def test_put_a_loan_of_another_borrower_is_409(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    other = loan_body(today, username="dave", external_id="B-901")
    response = put_loan(servicing_client, "L-900", other)
    assert response.status_code == 409
    assert error_of(response)["code"] == "loan_of_other_borrower"


def test_put_with_a_taken_username_is_409(servicing_client, products, alice, today):
    response = put_loan(servicing_client, "L-900", loan_body(today, username="alice"))
    assert response.status_code == 409
    assert error_of(response)["code"] == "username_taken"
    assert not Loan.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"product": "NOPE"},
        {"principal": "3000.00"},
        {"principal": "-1"},
        {"principal": "1e400"},
        {"disbursed_on": "2020-02-30"},
        {"disbursed_on": "9999-12-31"},
        {"installments": []},
        {
            "installments": [
                {
                    "seq": 1,
                    "due_date": "9999-12-31",
                    "principal_due": "3750.00",
                    "interest_due": "0",
                }
            ]
        },
        {
            "installments": [
                {
                    "seq": 1,
                    "due_date": "2020-01-01",
                    "principal_due": "3750.00",
                    "interest_due": "-5.00",
                }
            ]
        },
        {"borrower": {"external_id": "B", "username": "has space", "name": "C"}},
        {"borrower": {"external_id": "B", "username": "c", "name": "C", "language": "fr"}},
        {"surprise": True},
    ],
)
def test_bad_loans_are_400(servicing_client, products, today, change):
    response = put_loan(servicing_client, "L-900", loan_body(today, **change))
    assert response.status_code == 400, response.json()
    assert error_of(response)["code"] in ("invalid",)
    assert not Loan.objects.exists()


def test_servicing_endpoints_need_the_servicing_group(alice_client, reviewer_client, today):
    for client in (alice_client, reviewer_client):
        assert put_loan(client, "L-900", loan_body(today)).status_code == 403
        assert repay(client, "10.00", today, "P-1").status_code == 403


def test_repayment_is_allocated_and_idempotent_by_reference(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    response = repay(servicing_client, "100.00", today, "P-1")
    assert response.status_code == 201
    body = response.json()
    assert body["allocation"] == [
        {"seq": 1, "penalty": "26.60", "interest": "73.40", "principal": "0.00"}
    ]
    assert body["waiver_posted"] == "0.00"
    again = repay(servicing_client, "100.00", today, "P-1")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Repayment.objects.count() == 1
    clash = repay(servicing_client, "200.00", today, "P-1")
    assert clash.status_code == 409
    assert error_of(clash)["code"] == "duplicate_reference"


@pytest.mark.parametrize(
    ("amount", "paid_on_days", "loan"),
    [
        ("0", 0, "L-900"),
        ("abc", 0, "L-900"),
        ("1.001", 0, "L-900"),
        ("99999999.00", 0, "L-900"),
        ("10.00", 5, "L-900"),
        ("10.00", 0, "L-404"),
    ],
)
def test_bad_repayments_are_400(servicing_client, products, today, amount, paid_on_days, loan):
    put_loan(servicing_client, "L-900", loan_body(today))
    response = repay(servicing_client, amount, today + timedelta(days=paid_on_days), "P", loan)
    assert response.status_code == 400
    error_of(response)
    assert not Repayment.objects.exists()


def test_servicing_flow_end_to_end_fulfils_an_offer(
    servicing_client, alice_client, products, reviewer, today
):
    """Load a loan, its borrower applies, a reviewer approves, the core system posts the
    rest: the waiver posts first and the money pays the rest."""
    put_loan(servicing_client, "L-900", loan_body(today))
    carol = get_user_model().objects.get(username="carol")
    loan = Loan.objects.get(external_id="L-900")
    application = submit(loan, carol)
    approve(application, reviewer, percent=80)
    carol_client = client_for(carol)
    detail = carol_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert detail["decided_amount"] == "21.28"
    assert detail["repay_to_fulfil"] == "2005.32"

    short = repay(servicing_client, "5.00", today, "P-1")
    assert short.json()["waiver_posted"] == "0.00"
    detail = carol_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert detail["status"] == "approved" and detail["repay_to_fulfil"] == "2000.32"

    response = repay(servicing_client, "2000.32", today, "P-2")
    assert response.status_code == 201
    body = response.json()
    assert body["waiver_posted"] == "21.28"
    assert body["allocation"][0] == {
        "seq": 1,
        "penalty": "0.32",
        "interest": "125.00",
        "principal": "1875.00",
    }
    detail = carol_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert detail["status"] == "fulfilled"
    assert detail["repay_to_fulfil"] == "0.00"
    loan_view = carol_client.get(f"/api/v1/loans/{loan.pk}/").json()
    assert loan_view["dpd"] == 0 and loan_view["penalty_outstanding"] == "0.00"
    assert loan_view["installments"][0]["penalty_waived"] == "21.28"
    assert ReliefApplication.objects.get().waived_amount == Decimal("21.28")


@pytest.mark.django_db(transaction=True)
def test_the_same_repayment_sent_twice_at_once_is_recorded_once(servicing, products, today):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL)")
    put_loan(client_for(servicing), "L-900", loan_body(today))
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        try:
            barrier.wait()
            statuses.append(repay(client_for(servicing), "100.00", today, "P-1").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert Repayment.objects.count() == 1
    assert Installment.objects.get(seq=1).interest_paid == Decimal("73.40")


def test_put_cannot_add_an_installment_in_the_past(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    first, second = loan_body(today)["installments"]
    back_dated = {**second, "due_date": (today - timedelta(days=1)).isoformat()}
    body = loan_body(today, installments=[first, back_dated, {**second, "seq": 3}])
    body["principal"] = "5625.00"
    response = put_loan(servicing_client, "L-900", body)
    assert response.status_code == 409
    assert error_of(response)["code"] == "installment_locked"
    assert Installment.objects.count() == 2


def test_put_a_change_to_a_closed_loan_is_409(servicing_client, products, today):
    put_loan(servicing_client, "L-900", loan_body(today))
    Loan.objects.filter(external_id="L-900").update(status=Loan.Status.CLOSED)
    assert put_loan(servicing_client, "L-900", loan_body(today)).status_code == 200
    body = loan_body(today)
    body["installments"][1]["interest_due"] = "100.00"
    response = put_loan(servicing_client, "L-900", body)
    assert response.status_code == 409
    assert error_of(response)["code"] == "loan_not_active"


@pytest.mark.django_db(transaction=True)
def test_the_same_new_loan_sent_twice_at_once_is_created_once(servicing, products, today):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL)")
    barrier = threading.Barrier(3)
    statuses = []

    def send():
        try:
            barrier.wait()
            statuses.append(put_loan(client_for(servicing), "L-900", loan_body(today)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 201]
    assert Loan.objects.count() == 1 and Installment.objects.count() == 2
    assert get_user_model().objects.filter(username="carol").count() == 1


def test_a_loan_of_a_365_day_product_counts_its_penalty_on_365_days(
    servicing_client, products, today
):
    LoanProduct.objects.filter(code="CASH18").update(day_count_basis=365)
    response = put_loan(servicing_client, "L-900", loan_body(today))
    assert response.status_code == 201
    # The worked example on a 365-day year: 2,000.00 × 0.24 / 365 = 1.32 a day, 20 days.
    assert response.json()["penalty_outstanding"] == "26.40"
    assert Loan.objects.get(external_id="L-900").day_count_basis == 365
