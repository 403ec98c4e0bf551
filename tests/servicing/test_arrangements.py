"""The core system sends a loan again after an arrangement changed its schedule: what the
arrangement made or moved stays as it is; the rest of the future may change as before."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from core.errors import ConflictError
from servicing.services import BorrowerData, InstallmentData, loan_upsert
from tests.factories import product
from tests.relief.arrangement_flows import accepted, apply, approved, deferral, plan

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sent(today):
    """What the core system sends: 2,000.00 (1,875.00 + 125.00) due 45 and 15 days ago, and
    one more due in 15 days."""
    product("CASH18")
    return [
        InstallmentData(1, today - timedelta(days=45), D("1875.00"), D("125.00")),
        InstallmentData(2, today - timedelta(days=15), D("1875.00"), D("125.00")),
        InstallmentData(3, today + timedelta(days=15), D("1875.00"), D("125.00")),
    ]


def upsert(today, installments):
    return loan_upsert(
        external_id="L-ARR",
        borrower=BorrowerData(external_id="B-ARR", username="carol", name="Carol"),
        product_code="CASH18",
        principal=sum((i.principal_due for i in installments), D("0.00")),
        disbursed_on=today - timedelta(days=80),
        installments=installments,
        today=today,
    )


def test_sending_the_schedule_again_keeps_the_plan_and_what_it_settled(today, sent, reviewer):
    loan, _ = upsert(today, sent)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    before = list(loan.installments.order_by("seq").values_list("seq", "kind", "due_date"))

    loan, created = upsert(today, sent)

    assert not created
    assert list(loan.installments.order_by("seq").values_list("seq", "kind", "due_date")) == before
    assert loan.installments.filter(kind="plan").count() == 6


def test_a_deferred_installment_sent_with_its_old_date_keeps_the_new_one(today, sent, reviewer):
    schedule = [sent[0], replace(sent[2], seq=2)]
    loan, _ = upsert(today, schedule)
    accepted(approved(apply(loan, arrangement=deferral(2), relief=False)))
    moved = {i.seq: i.due_date for i in loan.installments.all()}
    assert moved[1] > today

    loan, _ = upsert(today, schedule)

    assert {i.seq: i.due_date for i in loan.installments.all()} == moved


def test_the_core_system_cannot_number_an_installment_like_a_plans(today, sent, reviewer):
    loan, _ = upsert(today, sent)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    plan_seq = loan.installments.filter(kind="plan").order_by("seq").first().seq
    extra = InstallmentData(plan_seq, today + timedelta(days=45), D("0.00"), D("10.00"))

    with pytest.raises(ConflictError) as caught:
        upsert(today, [*sent, extra])

    assert caught.value.code == "installment_locked"
    assert caught.value.extra == {"seq": plan_seq}
