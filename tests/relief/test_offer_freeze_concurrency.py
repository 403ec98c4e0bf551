"""Accepting an offer and a repayment that completes it, at the same moment: both lock the
loan's rows before the application's, so neither deadlocks and the waiver posts once."""

from decimal import Decimal

import pytest
from django.conf import settings

from core.errors import ConflictError
from loans.selectors import local_today
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import (
    relief_application_accept,
    relief_application_approve,
    repayment_post,
)
from tests.factories import BorrowerFactory, UserFactory, overdue_loan
from tests.relief.flows import submit
from tests.support import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason="row locks need PostgreSQL",
    ),
]


@pytest.mark.parametrize("attempt", range(4))
def test_accepting_while_the_completing_repayment_arrives_posts_the_waiver_once(policy_v1, attempt):
    today = local_today()
    reviewer = UserFactory(groups=["Reviewer"], is_staff=True)
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=today, days=20)
    application = submit(loan)
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)

    accepted, repaid = run_at_once(
        lambda: relief_application_accept(application_id=application.pk, user=borrower.user),
        lambda: repayment_post(
            loan=loan, amount=Decimal("2005.32"), paid_on=today, reference=f"R-{attempt}"
        ),
    )

    # Whichever came first, no deadlock: the repayment is recorded and fulfils the offer;
    # an acceptance that came second finds it fulfilled and is refused.
    assert not isinstance(repaid, Exception), repaid
    assert repaid.waiver_posted == Decimal("21.28")
    assert isinstance(accepted, ReliefApplication | ConflictError), accepted
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FULFILLED
    assert application.waived_amount == Decimal("21.28")
    first = loan.installments.get(seq=1)
    assert first.base_outstanding == 0 and first.penalty_outstanding == 0
    assert first.frozen_until is None and first.penalty_frozen == 0
