"""The arrangements API (api.md): the arrangement quote, applying for relief, an
arrangement or both, the reviewer's other option, and the loan's plan and restructured mark."""

from decimal import Decimal

import pytest

from relief.services import relief_application_triage
from tests.factories import overdue_loan, paid_history
from tests.relief.arrangement_flows import both_overdue_loan

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def alice_loan(alice, today):
    """domain.md §8: 2,000.00 due 20 days ago, 86% on time, penalty 26.60, relief 80%."""
    paid_history(alice, today=today)
    return overdue_loan(alice, today=today, days=20)


def quote_url(loan) -> str:
    return f"/api/v1/loans/{loan.pk}/arrangement-quote/"


def options_by_term(body) -> dict:
    return {(o["kind"], o["periods"] or o["months"]): o for o in body["options"]}


def test_the_quote_lists_every_option_with_relief_waived_first(alice_client, alice_loan):
    response = alice_client.get(
        quote_url(alice_loan), {"reason": "serious_illness"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is True
    assert body["relief"] == {"percent": 80, "amount": "21.28"}
    assert body["policy_version"] == 2
    options = options_by_term(body)
    assert set(options) == {
        ("deferral", 1),
        ("deferral", 2),
        ("deferral", 3),
        *{("plan", n) for n in (3, 6, 12, 24, 36, 60)},
    }
    six = options[("plan", 6)]
    assert (six["installment_amount"], six["total"], six["extra_interest"]) == (
        "334.22",
        "2005.32",
        "0.00",
    )
    assert options[("plan", 12)]["installment_amount"] == "167.11"
    assert six["affordable"] is None
    assert six["label"].startswith("6 monthly payments of ¥334.22 from ")
    assert set(six) >= {"kind", "periods", "months", "first_due_date", "affordable", "label"}


def test_the_quote_marks_what_the_monthly_income_cannot_carry(alice_client, alice_loan):
    response = alice_client.get(
        quote_url(alice_loan),
        {"reason": "serious_illness", "kind": "plan", "monthly_income": "4500.00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    options = options_by_term(response.json())
    assert {kind for kind, _ in options} == {"plan"}
    three, six = options[("plan", 3)], options[("plan", 6)]
    assert (three["affordable"], three["monthly_payment"], three["affordable_limit"]) == (
        False,
        "2668.44",
        "2250.00",
    )
    assert three["affordability_label"] == (
        "Not affordable: ¥2,668.44 a month is more than ¥2,250.00, your limit."
    )
    assert six["affordable"] is False and options[("plan", 12)]["affordable"] is True


def test_the_quote_without_relief_moves_the_whole_penalty(alice_client, alice_loan):
    body = alice_client.get(quote_url(alice_loan), {"relief": "false"}).json()

    assert body["relief"] is None
    assert options_by_term(body)[("plan", 6)]["total"] == "2026.60"


def test_a_loan_that_cannot_have_one_says_why(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20, fraud_flag=True)

    body = alice_client.get(quote_url(loan), HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["eligible"] is False and body["options"] == []
    assert body["not_eligible_reasons"] == [
        {"code": "fraud_flag", "label": "This loan is under a fraud review."}
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"monthly_income": "abc"},
        {"monthly_income": "-1"},
        {"monthly_income": "1e3"},
        {"kind": "loan"},
        {"relief": "maybe"},
        {"reason": "boredom"},
    ],
)
def test_bad_parameters_are_a_json_400(alice_client, alice_loan, params):
    response = alice_client.get(quote_url(alice_loan), params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == set(params)


def test_bob_gets_404_on_alices_loan(bob_client, alice_loan):
    response = bob_client.get(quote_url(alice_loan))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def apply(client, loan, **body):
    return client.post(
        "/api/v1/relief-applications/",
        {"loan": loan.pk, "reason": "serious_illness", **body},
        format="json",
    )


def triaged(client, created) -> dict:
    """The application after its triage (which runs after the commit the test never makes)."""
    relief_application_triage(application_id=created["id"])
    return client.get(f"/api/v1/relief-applications/{created['id']}/").json()


def test_applying_for_relief_and_a_plan(alice_client, alice_loan):
    response = apply(
        alice_client,
        alice_loan,
        arrangement={"kind": "plan", "periods": 6},
        monthly_income="8000.00",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["relief"] is True
    assert body["monthly_income"] == "8000.00"
    arrangement = body["arrangement"]
    assert (arrangement["kind"], arrangement["periods"], arrangement["months"]) == ("plan", 6, None)
    assert arrangement["status"] == "proposed"
    assert (arrangement["installment_amount"], arrangement["total"]) == ("334.22", "2005.32")
    assert arrangement["installments"] == []
    assert arrangement["asked"] == {"kind": "plan", "periods": 6, "months": None}
    assert body["arrangement_quote"]["eligible"] is True


def test_applying_for_a_deferral_only(alice_client, alice_loan):
    response = apply(
        alice_client, alice_loan, relief=False, arrangement={"kind": "deferral", "months": 1}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["relief"] is False
    assert body["arrangement"]["months"] == 1


def test_relief_only_still_works_without_the_new_fields(alice_client, alice_loan):
    response = apply(alice_client, alice_loan)

    assert response.status_code == 201
    assert response.json()["arrangement"] is None


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"relief": False}, "arrangement", "nothing_asked"),
        ({"arrangement": {"kind": "plan", "periods": 7}}, "arrangement", "option_not_offered"),
        ({"arrangement": {"kind": "plan"}}, "arrangement", "invalid"),
        ({"arrangement": {"kind": "plan", "periods": 6, "colour": 1}}, "arrangement", "invalid"),
        ({"arrangement": "plan"}, "arrangement", "invalid"),
        (
            {"arrangement": {"kind": "plan", "periods": 3}, "monthly_income": "2000.00"},
            "arrangement",
            "not_affordable",
        ),
        ({"monthly_income": "lots"}, "monthly_income", "invalid"),
    ],
)
def test_a_bad_arrangement_ask_is_a_400_at_its_field(alice_client, alice_loan, body, field, code):
    response = apply(alice_client, alice_loan, **body)

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == code
    assert any(name.startswith(field) for name in error["fields"])


def test_an_arrangement_on_a_loan_with_an_active_one_is_a_409(alice_client, alice, today):
    loan = both_overdue_loan(alice, today=today)
    created = apply(alice_client, loan, relief=False, arrangement={"kind": "plan", "periods": 6})
    assert triaged(alice_client, created.json())["status"] == "approved"  # automatic
    accepted = alice_client.post(f"/api/v1/relief-applications/{created.json()['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "fulfilled"

    response = apply(
        alice_client, loan, relief=False, arrangement={"kind": "deferral", "months": 2}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "active_arrangement"


def test_a_reviewer_approves_12_periods_where_6_were_asked_and_the_borrower_accepts(
    alice_client, reviewer_client, alice_loan, today
):
    created = apply(alice_client, alice_loan, arrangement={"kind": "plan", "periods": 6}).json()
    application = triaged(alice_client, created)
    assert application["status"] == "in_review"

    decided = reviewer_client.post(
        f"/api/v1/review/applications/{created['id']}/decide/",
        {
            "action": "approve",
            "percent": 80,
            "version": application["version"],
            "arrangement": {"kind": "plan", "periods": 12},
        },
        format="json",
    )
    assert decided.status_code == 200, decided.json()

    offer = alice_client.get(f"/api/v1/relief-applications/{created['id']}/").json()
    assert offer["status"] == "approved"
    assert offer["arrangement"]["periods"] == 12
    assert offer["arrangement"]["asked"] == {"kind": "plan", "periods": 6, "months": None}
    assert offer["arrangement"]["installment_amount"] == "167.11"
    assert "accept" in offer["allowed_actions"] and "decline" in offer["allowed_actions"]

    accepted = alice_client.post(f"/api/v1/relief-applications/{created['id']}/accept/").json()
    assert accepted["status"] == "fulfilled"
    assert accepted["waived_amount"] == "21.28"
    plan = accepted["arrangement"]
    assert plan["status"] == "active"
    assert len(plan["installments"]) == 12
    first = plan["installments"][0]
    assert (first["number"], first["amount"], first["paid"], first["status"]) == (
        1,
        "167.11",
        "0.00",
        "due",
    )

    loan = alice_client.get(f"/api/v1/loans/{alice_loan.pk}/").json()
    assert loan["restructured"] is True
    assert loan["arrangement"]["periods"] == 12
    kinds = [i["kind"] for i in loan["installments"]]
    assert kinds.count("plan") == 12 and kinds.count("scheduled") == 2
    assert loan["installments"][0]["principal_moved"] == "1875.00"
    listed = alice_client.get("/api/v1/loans/").json()["results"]
    assert [item["restructured"] for item in listed if item["id"] == alice_loan.pk] == [True]


def test_the_borrower_declines_the_other_option(alice_client, reviewer_client, alice_loan):
    created = apply(alice_client, alice_loan, arrangement={"kind": "plan", "periods": 6}).json()
    version = triaged(alice_client, created)["version"]
    reviewer_client.post(
        f"/api/v1/review/applications/{created['id']}/decide/",
        {
            "action": "approve",
            "percent": 80,
            "version": version,
            "arrangement": {"kind": "deferral", "months": 1},
        },
        format="json",
    )

    declined = alice_client.post(f"/api/v1/relief-applications/{created['id']}/decline/").json()

    assert declined["status"] == "declined"
    assert declined["arrangement"]["status"] == "cancelled"
    loan = alice_client.get(f"/api/v1/loans/{alice_loan.pk}/").json()
    assert loan["restructured"] is False and loan["arrangement"] is None


def test_the_schema_documents_the_arrangement_quote(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert "/api/v1/loans/{loan_id}/arrangement-quote/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert {"kind", "periods", "months", "affordable", "label"} <= set(
        components["ArrangementOption"]["properties"]
    )
    assert {"relief", "arrangement", "monthly_income"} <= set(
        components["ApplicationCreateRequest"]["properties"]
    )
    assert "restructured" in components["LoanDetail"]["properties"]
    assert "kind" in components["Installment"]["properties"]


def test_an_offer_with_an_arrangement_has_nothing_to_repay_first(
    alice_client, reviewer_client, alice_loan
):
    created = apply(alice_client, alice_loan, arrangement={"kind": "plan", "periods": 6}).json()
    version = triaged(alice_client, created)["version"]
    reviewer_client.post(
        f"/api/v1/review/applications/{created['id']}/decide/",
        {"action": "approve", "percent": 80, "version": version},
        format="json",
    )

    offer = alice_client.get(f"/api/v1/relief-applications/{created['id']}/").json()

    assert offer["status"] == "approved"
    assert offer["repay_to_fulfil"] == "0.00"
