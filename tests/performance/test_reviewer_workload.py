"""Each reviewer's count of undecided cases, kept by the database (relief migration 0007),
always equals the cases counted one by one, whatever moves them; triage gives a case to the
reviewer with the fewest."""

import pytest
from django.db import connection
from django.db.models import Count

from relief.models import UNDECIDED_STATUSES, ReliefApplication, ReviewerWorkload
from relief.services import (
    relief_application_approve,
    relief_application_assign,
    relief_application_reject,
    relief_application_request_info,
    relief_application_withdraw,
)
from relief.services.review import reviewer_with_fewest_open_cases
from tests.factories import BorrowerFactory
from tests.relief.helpers import staff_user, submitted_application

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the counts are kept by a PostgreSQL trigger"
    ),
]


def kept() -> dict[int, int]:
    return {row.user_id: row.open_cases for row in ReviewerWorkload.objects.all() if row.open_cases}


def counted() -> dict[int, int]:
    return dict(
        ReliefApplication.objects.filter(status__in=UNDECIDED_STATUSES, assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(Count("pk"))
    )


@pytest.fixture
def team(db):
    return [staff_user(f"reviewer{number}", "Reviewer") for number in range(3)]


def test_counts_follow_triage_handovers_decisions_and_withdrawals(today, team):
    first, second, third = team
    cases = [submitted_application(BorrowerFactory(), today=today) for _ in range(6)]
    assert kept() == counted() == {first.pk: 2, second.pk: 2, third.pk: 2}

    relief_application_assign(application_id=cases[0].pk, reviewer=first, assignee=second)
    assert kept() == counted()
    relief_application_approve(application_id=cases[1].pk, reviewer=second, percent=50)
    relief_application_reject(application_id=cases[2].pk, reviewer=third, reason_code="other")
    relief_application_request_info(application_id=cases[3].pk, reviewer=first, question="?")
    assert kept() == counted()
    withdrawn = ReliefApplication.objects.get(pk=cases[4].pk)
    relief_application_withdraw(application_id=withdrawn.pk, user=withdrawn.borrower.user)
    assert kept() == counted()
    ReliefApplication.objects.filter(pk=cases[5].pk).update(assigned_to=None)
    assert kept() == counted()


def test_triage_gives_the_case_to_the_reviewer_with_the_fewest_then_the_earliest(today, team):
    first, second, third = team
    for _ in range(2):
        submitted_application(BorrowerFactory(), today=today, assign_to=first)
    submitted_application(BorrowerFactory(), today=today, assign_to=second)
    assert reviewer_with_fewest_open_cases() == third
    case = submitted_application(BorrowerFactory(), today=today)
    assert case.assigned_to == third
    assert reviewer_with_fewest_open_cases() == second


def test_truncating_the_applications_empties_the_counts(today, team):
    submitted_application(BorrowerFactory(), today=today)
    assert kept()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending checks
        cursor.execute("TRUNCATE relief_reliefapplication CASCADE")
    assert kept() == {}
