"""Loading loans from the core system without the API in front: the models' own rules judge
the data, and their errors name the fields the core system sent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from core.errors import ConflictError, DomainError
from loans.models import Borrower, Loan
from servicing.services import BorrowerData, InstallmentData, loan_upsert
from tests.factories import product

pytestmark = pytest.mark.django_db


def upsert(today, *, external_id="L-1", borrower=None, **changes):
    fields = {
        "external_id": external_id,
        "borrower": borrower or BorrowerData(external_id="B-1", username="carol", name="Carol"),
        "product_code": "CASH18",
        "principal": Decimal("1000.00"),
        "disbursed_on": today - timedelta(days=40),
        "installments": [
            InstallmentData(1, today - timedelta(days=10), Decimal("1000.00"), Decimal("50.00"))
        ],
        **changes,
    }
    return loan_upsert(**fields)


@pytest.fixture(autouse=True)
def cash18(db):
    product("CASH18")


@pytest.mark.parametrize(
    ("borrower", "field"),
    [
        (BorrowerData(external_id="", username="carol", name="Carol"), "borrower.external_id"),
        (
            BorrowerData(external_id="B" * 65, username="carol", name="Carol"),
            "borrower.external_id",
        ),
        (BorrowerData(external_id="B-1", username="has space", name="Carol"), "borrower.username"),
        (BorrowerData(external_id="B-1", username="   ", name="Carol"), "borrower.username"),
        (BorrowerData(external_id="B-1", username="carol", name=" "), "borrower.name"),
        (
            BorrowerData(external_id="B-1", username="carol", name="C", phone="1" * 33),
            "borrower.phone",
        ),
        (
            BorrowerData(external_id="B-1", username="carol", name="C", language="fr"),
            "borrower.language",
        ),
    ],
)
def test_bad_borrower_data_names_the_borrowers_field_and_saves_nothing(today, borrower, field):
    with pytest.raises(DomainError) as caught:
        upsert(today, borrower=borrower)
    error = caught.value
    assert (error.status, error.code) == (400, "invalid")
    assert list(error.fields) == [field]
    assert str(error.message) == error.fields[field][0]
    assert not Borrower.objects.exists() and not get_user_model().objects.exists()


@pytest.mark.parametrize("external_id", ["", "L" * 65])
def test_a_bad_loan_external_id_names_that_field(today, external_id):
    with pytest.raises(DomainError) as caught:
        upsert(today, external_id=external_id)
    assert list(caught.value.fields) == ["external_id"]
    assert not Loan.objects.exists()


def test_schedule_rules_name_the_installments(today):
    late_first = [InstallmentData(1, today - timedelta(days=50), Decimal("1000.00"), Decimal(0))]
    with pytest.raises(DomainError) as caught:
        upsert(today, installments=late_first)
    assert list(caught.value.fields) == ["installments"]


def test_a_borrower_sent_again_keeps_the_username_and_takes_the_new_name(today):
    upsert(today)
    renamed = BorrowerData(external_id="B-1", username="carol2", name="Carol Chen", phone="139")
    loan, created = upsert(today, borrower=renamed)
    assert not created
    borrower = Borrower.objects.get()
    assert (borrower.user.username, borrower.name, borrower.phone) == ("carol", "Carol Chen", "139")
    assert loan.borrower == borrower


def test_a_username_of_another_account_is_a_conflict_on_that_field(today):
    get_user_model().objects.create_user(username="carol")
    with pytest.raises(ConflictError) as caught:
        upsert(today)
    assert caught.value.code == "username_taken"
    assert list(caught.value.fields) == ["borrower.username"]
