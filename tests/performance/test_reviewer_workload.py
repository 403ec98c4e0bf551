"""Triage gives a case to the reviewer with the fewest undecided cases (ties: the earliest
account), counted from the cases themselves as they are handed over, decided and withdrawn."""

import pytest

from relief.services import (
    relief_application_approve,
    relief_application_assign,
    relief_application_reject,
    relief_application_withdraw,
)
from relief.services.review import reviewer_with_fewest_open_cases
from tests.factories import BorrowerFactory
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return [staff_user(f"reviewer{number}", "Reviewer") for number in range(3)]


def test_triage_gives_the_case_to_the_reviewer_with_the_fewest_then_the_earliest(today, team):
    first, second, third = team
    for _ in range(2):
        submitted_application(BorrowerFactory(), today=today, assign_to=first)
    submitted_application(BorrowerFactory(), today=today, assign_to=second)
    assert reviewer_with_fewest_open_cases() == third
    case = submitted_application(BorrowerFactory(), today=today)
    assert case.assigned_to == third
    assert reviewer_with_fewest_open_cases() == second


def test_decided_withdrawn_and_handed_over_cases_stop_counting_for_their_reviewer(today, team):
    first, second, third = team
    cases = [submitted_application(BorrowerFactory(), today=today) for _ in range(6)]
    assert [case.assigned_to for case in cases] == [first, second, third] * 2

    relief_application_approve(application_id=cases[0].pk, reviewer=first, percent=50)
    relief_application_reject(application_id=cases[3].pk, reviewer=first, reason_code="other")
    assert reviewer_with_fewest_open_cases() == first  # 0 open, against 2 and 2
    withdrawn = cases[1]
    relief_application_withdraw(application_id=withdrawn.pk, user=withdrawn.borrower.user)
    relief_application_assign(application_id=cases[4].pk, reviewer=second, assignee=third)
    relief_application_assign(application_id=cases[2].pk, reviewer=third, assignee=first)
    # first 1; second 0 (one withdrawn, one handed over); third 2
    assert reviewer_with_fewest_open_cases() == second
