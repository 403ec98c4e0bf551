"""The one way an application moves: only inside a transaction, and the borrower's link."""

import pytest
from django.db.transaction import TransactionManagementError

from relief.models import ActorKind, ApplicationStatus, Notification, ReliefApplication
from relief.services.transitions import transition
from tests.factories import overdue_loan
from tests.relief.flows import submit


@pytest.mark.django_db(transaction=True)
def test_a_transition_outside_a_transaction_is_refused_and_changes_nothing(policy_v1, alice, today):
    application = submit(overdue_loan(alice, today=today))
    assert application.status == ApplicationStatus.IN_REVIEW
    with pytest.raises(TransactionManagementError):
        transition(application, "withdraw", actor_kind=ActorKind.BORROWER, actor=alice.user)
    assert ReliefApplication.objects.get(pk=application.pk).status == ApplicationStatus.IN_REVIEW


@pytest.mark.django_db
def test_the_borrowers_notification_links_to_the_application_page(alice, client, today):
    application = submit(overdue_loan(alice, today=today), triage=False)
    notification = Notification.objects.get(application=application, channel="in_app")
    assert notification.link == f"/applications/{application.pk}/"
    client.force_login(alice.user)
    assert client.get(notification.link).status_code == 200
