"""Accepting freezes the figure (domain.md §7): the amount an accepted offer asks for never
grows until its deadline; repaying it (at once or in parts) fulfils the offer; an offer that
expires owes the frozen days as if they had never been frozen."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from loans.models import Installment
from loans.services import penalties_accrue
from relief import selectors
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import (
    offers_expire,
    relief_application_accept,
    relief_application_approve,
    repayment_post,
)
from tests.factories import BorrowerFactory, overdue_loan
from tests.relief.flows import submit

pytestmark = pytest.mark.django_db
D = Decimal
S = ApplicationStatus
# domain.md §8's loan: 2,000.00 due 20 days ago, penalty 26.60; relief 80% = 21.28; the
# next installment of 2,000.00 falls due 10 days from now, inside the offer's 15 days.
FIXED = D("2005.32")


def on_day(today, days):
    """Travel to `today + days` (the services read the local date)."""
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def accepted_offer(borrower, today, reviewer):
    loan = overdue_loan(borrower, today=today, days=20)
    application = submit(loan)
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    relief_application_accept(application_id=application.pk, user=borrower.user)
    return loan, ReliefApplication.objects.get(pk=application.pk)


def installment(loan, seq):
    return Installment.objects.get(loan=loan, seq=seq)


def test_accepting_stores_the_amount_to_repay_and_freezes_the_overdue_installment(
    alice, today, reviewer
):
    loan, application = accepted_offer(alice, today, reviewer)
    assert application.status == S.ACCEPTED
    assert application.repay_to_fulfil_at_acceptance == FIXED
    assert application.accepted_on == today
    first, second = installment(loan, 1), installment(loan, 2)
    assert (first.frozen_from, first.frozen_until) == (today, today + timedelta(days=15))
    assert first.penalty_accrued == D("26.60")
    assert second.frozen_until is None  # not yet due at acceptance
    event = application.events.get(to_status=S.ACCEPTED)
    assert event.data["repay_to_fulfil"] == "2005.32"


def test_the_amount_does_not_grow_to_the_deadline_and_paying_exactly_it_fulfils(
    alice, today, reviewer
):
    loan, application = accepted_offer(alice, today, reviewer)
    for day in range(1, 16):
        penalties_accrue(day=today + timedelta(days=day))
        with on_day(today, day):
            application.refresh_from_db()
            assert selectors.repay_to_fulfil(application) == FIXED, f"day {day}"
    assert installment(loan, 1).penalty_accrued == D("26.60")
    assert installment(loan, 1).penalty_frozen == D("19.95")  # 15 days × 1.33, not owed
    with on_day(today, 15):
        repayment = repayment_post(
            loan=loan, amount=FIXED, paid_on=today + timedelta(days=15), reference="R1"
        )
    application.refresh_from_db()
    assert application.status == S.FULFILLED
    assert repayment.waiver_posted == D("21.28")
    first = installment(loan, 1)
    assert first.paid_off_on == today + timedelta(days=15)
    assert first.penalty_outstanding == 0 and first.base_outstanding == 0
    assert first.penalty_frozen == 0 and first.frozen_until is None


def test_paying_the_amount_in_two_parts_fulfils_the_offer(alice, today, reviewer):
    loan, application = accepted_offer(alice, today, reviewer)
    penalties_accrue(day=today + timedelta(days=3))
    with on_day(today, 3):
        repayment_post(
            loan=loan, amount=D("1000.00"), paid_on=today + timedelta(days=3), reference="R1"
        )
        application.refresh_from_db()
        assert application.status == S.ACCEPTED
        # The part of the penalty the waiver is to cover is left alone: 5.32 penalty, then
        # interest and principal.
        assert installment(loan, 1).penalty_paid == D("5.32")
        assert selectors.repay_to_fulfil(application) == D("1005.32")
    penalties_accrue(day=today + timedelta(days=12))
    with on_day(today, 12):
        application.refresh_from_db()
        assert selectors.repay_to_fulfil(application) == D("1005.32")
        repayment_post(
            loan=loan, amount=D("1005.32"), paid_on=today + timedelta(days=12), reference="R2"
        )
    application.refresh_from_db()
    assert application.status == S.FULFILLED
    assert application.waived_amount == D("21.28")
    first = installment(loan, 1)
    assert first.base_outstanding == 0 and first.penalty_outstanding == 0


def twin_of(loan, today):
    """The same loan for another borrower, with no offer on it."""
    return overdue_loan(BorrowerFactory(), today=today, days=20)


@pytest.mark.parametrize("expiry_first", [False, True], ids=["accrual-first", "expiry-first"])
def test_an_expired_offer_owes_the_never_frozen_penalty_to_the_fen(
    alice, today, reviewer, expiry_first
):
    loan, application = accepted_offer(alice, today, reviewer)
    twin = twin_of(loan, today)
    for day in range(1, 16):
        penalties_accrue(day=today + timedelta(days=day))
    after = today + timedelta(days=16)
    if expiry_first:
        assert offers_expire(today=after) == 1
        penalties_accrue(day=after)
    else:
        penalties_accrue(day=after)
        assert offers_expire(today=after) == 1
    application.refresh_from_db()
    assert application.status == S.EXPIRED
    for seq in (1, 2):
        mine, theirs = installment(loan, seq), installment(twin, seq)
        assert mine.penalty_accrued == theirs.penalty_accrued, f"installment {seq}"
        assert mine.penalty_frozen == 0 and mine.frozen_until is None
    # 36 days × 1.33 on the first; the second 6 days late (past its 3 grace days).
    assert installment(loan, 1).penalty_accrued == D("47.88")
    assert installment(loan, 2).penalty_accrued == D("7.98")


def test_the_page_figures_owe_the_frozen_days_once_the_deadline_passes(alice, today, reviewer):
    """Between midnight and the nightly expiry the loan already shows the never-frozen
    penalty: the freeze is over."""
    from loans.selectors import loan_state

    loan, _application = accepted_offer(alice, today, reviewer)
    twin = twin_of(loan, today)
    later = today + timedelta(days=16)
    assert (
        loan_state(loan, today=later).penalty_outstanding
        == loan_state(twin, today=later).penalty_outstanding
    )
    during = today + timedelta(days=5)
    assert loan_state(loan, today=during).penalty_outstanding == D("26.60")


def test_an_installment_falling_due_after_acceptance_accrues_normally(alice, today, reviewer):
    loan, application = accepted_offer(alice, today, reviewer)
    twin = twin_of(loan, today)
    for day in range(1, 16):
        penalties_accrue(day=today + timedelta(days=day))
    second = installment(loan, 2)
    assert second.frozen_until is None
    assert second.penalty_accrued == installment(twin, 2).penalty_accrued == D("6.65")
    with on_day(today, 15):
        application.refresh_from_db()
        # Not part of the fixed amount: the offer still asks for the same figure.
        assert selectors.repay_to_fulfil(application) == FIXED


def test_paying_everything_after_the_deadline_leaves_no_frozen_penalty_behind(
    alice, today, reviewer
):
    """Before the nightly expiry has run, a repayment after the deadline already owes the
    frozen days: paying all that is owed closes the loan with nothing left to unfreeze."""
    loan, application = accepted_offer(alice, today, reviewer)
    twin = twin_of(loan, today)
    after = today + timedelta(days=16)
    penalties_accrue(day=after)
    with on_day(today, 16):
        from loans.selectors import loan_state

        owed = sum(
            (i.installment.base_outstanding + i.penalty_outstanding)
            for i in loan_state(loan).installments
        )
        assert owed == sum(
            (i.installment.base_outstanding + i.penalty_outstanding)
            for i in loan_state(twin).installments
        )
        repayment_post(loan=loan, amount=owed, paid_on=after, reference="R-ALL")
    loan.refresh_from_db()
    assert loan.status == "closed"
    assert offers_expire(today=after) == 1
    assert all(
        i.penalty_frozen == 0 and i.penalty_outstanding == 0 for i in loan.installments.all()
    )


def test_an_offer_accepted_before_figures_were_fixed_keeps_the_earlier_rule(alice, today, reviewer):
    """Offers accepted before this release have no fixed figure and no freeze stored."""
    loan, application = accepted_offer(alice, today, reviewer)
    ReliefApplication.objects.filter(pk=application.pk).update(
        accepted_on=None, repay_to_fulfil_at_acceptance=None
    )
    Installment.objects.filter(loan=loan).update(frozen_from=None, frozen_until=None)
    application.refresh_from_db()
    assert selectors.repay_to_fulfil(application) == FIXED
    repayment_post(loan=loan, amount=D("5.00"), paid_on=today, reference="R-SMALL")
    application.refresh_from_db()
    assert application.status == S.ACCEPTED  # a small repayment fulfils nothing
    repayment = repayment_post(loan=loan, amount=D("2000.32"), paid_on=today, reference="R-REST")
    application.refresh_from_db()
    assert application.status == S.FULFILLED
    assert repayment.waiver_posted == D("21.28")
