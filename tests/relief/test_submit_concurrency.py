"""Two submissions on one loan at the same moment make one application (PostgreSQL row
lock, backed by the one-open-application index)."""

import threading

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.errors import ConflictError
from loans.selectors import local_today
from relief import services
from relief.models import ReliefApplication
from tests.factories import BorrowerFactory, overdue_loan
from tests.support import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason="row locks need PostgreSQL",
    ),
]


def test_two_concurrent_submissions_make_one_application(policy_v1):
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=local_today(), days=20)

    outcomes = run_together(
        lambda: services.relief_application_submit(
            loan=loan, reason="serious_illness", submitted_by=borrower.user
        )
    )

    created = [o for o in outcomes if isinstance(o, ReliefApplication)]
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "open_application"
    assert refused[0].extra["open_application"] == created[0].pk
    assert ReliefApplication.objects.filter(loan=loan).count() == 1


def test_a_double_click_on_the_form_makes_one_application(policy_v1):
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=local_today(), days=20)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(borrower.user)
    turn = iter(clients)
    lock = threading.Lock()

    def post():
        with lock:
            client = next(turn)
        return client.post(
            reverse("loan-apply", args=[loan.pk]), {"reason": "accident", "token": "same"}
        )

    responses = run_together(post)

    application = ReliefApplication.objects.get(loan=loan)
    detail = reverse("application-detail", args=[application.pk])
    assert [r.status_code for r in responses] == [302, 302], responses
    assert {r["Location"] for r in responses} == {detail}
