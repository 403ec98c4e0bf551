"""Injection through numbers: every money field the servicing system sends (a repayment's
amount, a loan's principal and its installments' principal and interest) refuses what is not
an amount with a 400 that names the field, and records nothing."""

import pytest

from loans.models import Loan, Repayment
from tests.security.conftest import World, api_client

pytestmark = pytest.mark.django_db

# Not a number, or not written as an amount: the serializer names the exact field.
NOT_AMOUNTS = {
    "NaN": "NaN",
    "nan": "nan",
    "Infinity": "Infinity",
    "minus Infinity": "-Infinity",
    "1e308 as a number": 1e308,
    "1e308 as text": "1e308",
    "20 decimal places": "1.12345678901234567890",
    "20 decimal places as a number": 1.12345678901234567890,
    "3 decimal places": "10.005",
    "comma thousands": "1,000.00",
    "comma decimal": "10,50",
    "space thousands": "1 000.00",
    "underscore thousands": "1_000",
    "exponent": "1e3",
    "full-width digits": "１００.００",
    "arabic-indic digits": "٣.٥٠",
    "hex": "0x10",
    "currency sign": "¥10.00",
    "empty": "",
    "null": None,
    "true": True,
    "list": ["10.00"],
    "object": {"amount": "10.00"},
    "15 digits": "100000000000000",
}
# Numbers, but not a sum of money that can be paid or lent: the services refuse them.
NOT_POSITIVE = {"negative": "-1.00", "negative number": -5, "zero": "0.00"}


def repayment(world: World, amount) -> dict:
    return {
        "loan_external_id": world.bob_loan.external_id,
        "amount": amount,
        "paid_on": world.bob_loan.repayments.get().paid_on.isoformat(),
        "reference": "R-MONEY-1",
    }


def new_loan(today, *, principal="2000.00", principal_due="2000.00", interest_due="30.00"):
    due = today.replace(year=today.year + 1)
    return {
        "borrower": {"external_id": "B-MONEY", "username": "carol", "name": "Carol"},
        "product": "CASH18",
        "principal": principal,
        "disbursed_on": today.isoformat(),
        "installments": [
            {
                "seq": 1,
                "due_date": due.isoformat(),
                "principal_due": principal_due,
                "interest_due": interest_due,
            }
        ],
    }


def refused_naming(response, *path: str | int) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    fields = error["fields"]
    for key in path:
        assert str(key) in fields, (path, error)
        fields = fields[str(key)]
    assert isinstance(fields, list) and fields and all(isinstance(m, str) for m in fields)


@pytest.mark.parametrize(
    "value", [*NOT_AMOUNTS.values(), *NOT_POSITIVE.values()], ids=[*NOT_AMOUNTS, *NOT_POSITIVE]
)
def test_a_repayment_amount_that_is_not_an_amount_is_400(value, world: World, people):
    before = Repayment.objects.count()
    response = api_client(people["servicing"]).post(
        "/api/v1/servicing/repayments/", repayment(world, value), format="json"
    )
    refused_naming(response, "amount")
    assert Repayment.objects.count() == before


@pytest.mark.parametrize("value", NOT_AMOUNTS.values(), ids=NOT_AMOUNTS.keys())
@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("principal", ("principal",)),
        ("principal_due", ("installments", 0, "principal_due")),
        ("interest_due", ("installments", 0, "interest_due")),
    ],
)
def test_a_loan_amount_that_is_not_an_amount_is_400(
    value, field, path, world: World, people, today
):
    body = new_loan(today, **{field: value})
    response = api_client(people["servicing"]).put(
        "/api/v1/servicing/loans/L-MONEY-1/", body, format="json"
    )
    refused_naming(response, *path)
    assert not Loan.objects.filter(external_id="L-MONEY-1").exists()


# An installment may be all interest or all principal, so 0.00 is refused only as the
# loan's principal; the schedule's rules name the installment ("Installment 1: …").
BELOW_ZERO_CASES = [
    pytest.param(value, field, named, id=f"{field}-{case}")
    for field, named in (
        ("principal", "principal"),
        ("principal_due", "installments"),
        ("interest_due", "installments"),
    )
    for case, value in NOT_POSITIVE.items()
    if field == "principal" or value != "0.00"
]


@pytest.mark.parametrize(("value", "field", "named"), BELOW_ZERO_CASES)
def test_a_loan_amount_below_zero_is_400(value, field, named, world: World, people, today):
    response = api_client(people["servicing"]).put(
        "/api/v1/servicing/loans/L-MONEY-1/", new_loan(today, **{field: value}), format="json"
    )
    refused_naming(response, named)
    assert not Loan.objects.filter(external_id="L-MONEY-1").exists()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_bare_nan_or_infinity_is_not_json_and_is_400(literal, world: World, people):
    """JSON has no NaN: the body cannot be read, so the error is about the body."""
    client = api_client(people["servicing"])
    body = (
        f'{{"loan_external_id": "{world.bob_loan.external_id}", "amount": {literal}, '
        '"paid_on": "2026-01-01", "reference": "R-NAN"}'
    )
    response = client.generic(
        "POST", "/api/v1/servicing/repayments/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not Repayment.objects.filter(reference="R-NAN").exists()


@pytest.mark.parametrize("value", ["10.00", "10", 10, "10.5", 10.5, " 10.00 "])
def test_real_amounts_are_taken(value, world: World, people):
    response = api_client(people["servicing"]).post(
        "/api/v1/servicing/repayments/", repayment(world, value), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] in ("10.00", "10.50")
