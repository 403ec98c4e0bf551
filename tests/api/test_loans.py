"""Borrower loans: list, detail with installments, and the relief quote."""

import pytest

from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def test_loan_list_shows_own_loans_with_state(alice_client, alice_loan, bob_loan):
    response = alice_client.get("/api/v1/loans/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (loan,) = body["results"]
    assert loan == {
        "id": alice_loan.pk,
        "external_id": alice_loan.external_id,
        "product": "CASH18",
        "principal": "3750.00",
        "disbursed_on": alice_loan.disbursed_on.isoformat(),
        "status": "active",
        "dpd": 20,
        "bucket": "M1",
        "overdue_amount": "2000.00",
        "penalty_outstanding": "26.60",
        "total_overdue": "2026.60",
        "restructured": False,
    }


def test_loan_detail_has_installments_and_penalty_rate(alice_client, alice_loan, today):
    response = alice_client.get(f"/api/v1/loans/{alice_loan.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["penalty_rate"] == "0.240000"
    first, second = body["installments"]
    assert first == {
        "seq": 1,
        "kind": "scheduled",
        "due_date": alice_loan.installments.get(seq=1).due_date.isoformat(),
        "principal_due": "1875.00",
        "interest_due": "125.00",
        "principal_paid": "0.00",
        "interest_paid": "0.00",
        "penalty_accrued": "26.60",
        "penalty_paid": "0.00",
        "penalty_waived": "0.00",
        "penalty_outstanding": "26.60",
        "days_overdue": 20,
        "paid_off_on": None,
        "penalty_frozen": "0.00",
        "penalty_frozen_until": None,
        "principal_moved": "0.00",
        "interest_moved": "0.00",
        "penalty_moved": "0.00",
    }
    assert (body["restructured"], body["arrangement"]) == (False, None)
    assert second["days_overdue"] == 0 and second["penalty_accrued"] == "0.00"


def test_other_borrowers_loan_is_404(alice_client, bob_loan):
    for path in (f"/api/v1/loans/{bob_loan.pk}/", f"/api/v1/loans/{bob_loan.pk}/relief-quote/"):
        response = alice_client.get(path, {"reason": "accident"})
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_quote_gives_percent_factors_and_hints(alice_client, alice_loan):
    response = alice_client.get(
        f"/api/v1/loans/{alice_loan.pk}/relief-quote/", {"reason": "serious_illness"}
    )
    assert response.status_code == 200
    quote = response.json()
    # No repayment history: on-time ratio 1.0 → +20; base 50; illness +20 → 90.
    assert quote["eligible"] is True
    assert quote["percent"] == 90
    assert quote["amount"] == "23.94"
    assert quote["penalty_outstanding"] == "26.60"
    assert [f["code"] for f in quote["factors"]] == ["base", "history", "hardship"]
    assert all({"code", "points", "label"} <= set(f) for f in quote["factors"])
    assert sum(f["points"] for f in quote["factors"]) == 90
    assert quote["hints"][0]["code"] == "verified_evidence"
    assert quote["hints"][0]["points"] == 10
    assert quote["not_eligible_reasons"] == []
    assert quote["auto_approvable"] is False
    assert quote["policy_version"] == 2  # the active version, with arrangements


def test_quote_with_verified_evidence_lifts_the_cap(alice_client, alice_loan):
    response = alice_client.get(
        f"/api/v1/loans/{alice_loan.pk}/relief-quote/",
        {"reason": "serious_illness", "evidence": "true"},
    )
    assert response.json()["percent"] == 100
    assert response.json()["hints"] == []


def test_quote_not_eligible_says_why(alice_client, alice, today):
    from tests.factories import overdue_loan

    loan = overdue_loan(alice, today=today, days=20, fraud_flag=True)
    quote = alice_client.get(f"/api/v1/loans/{loan.pk}/relief-quote/", {"reason": "other"}).json()
    assert quote["eligible"] is False and quote["percent"] == 0
    assert quote["not_eligible_reasons"][0]["code"] == "fraud_flag"
    assert quote["not_eligible_reasons"][0]["label"]


@pytest.mark.parametrize(
    "params", [{}, {"reason": "bored"}, {"reason": "accident", "evidence": "maybe"}]
)
def test_quote_with_bad_query_is_400(alice_client, alice_loan, params):
    response = alice_client.get(f"/api/v1/loans/{alice_loan.pk}/relief-quote/", params)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_loans_need_a_borrower(reviewer_client, anon_client, alice_loan):
    assert reviewer_client.get("/api/v1/loans/").status_code == 403
    response = anon_client.get("/api/v1/loans/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_session_authentication_works(alice, alice_loan):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(alice.user)
    assert client.get("/api/v1/loans/").status_code == 200


def test_huge_loan_id_is_404(alice_client):
    response = alice_client.get(f"/api/v1/loans/{10**30}/")
    assert response.status_code == 404
