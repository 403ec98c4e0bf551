"""The case page of an application asking for an arrangement: the reviewer sees every
option with its affordability and what the proposed one does to the schedule, and may
approve another option."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from tests.factories import overdue_loan
from tests.relief.arrangement_flows import apply, plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def case_url(application) -> str:
    return reverse("admin:relief_reliefapplication_change", args=[application.pk])


@pytest.fixture
def case(alice, reviewer, today):
    loan = overdue_loan(alice, today=today, days=20)
    return apply(loan, arrangement=plan(6), monthly_income="5000.00")


def test_the_case_page_shows_the_options_affordability_and_the_effect_on_the_schedule(
    client, reviewer, case, today
):
    client.force_login(reviewer)

    page = client.get(case_url(case)).content.decode()

    assert 'id="arrangement"' in page
    assert "A plan of 6 monthly installments" in page
    # Relief at the suggested 90% (23.94) waived first: 2,002.66 in six.
    assert "6 monthly payments of ¥333.77" in page
    # Monthly: 333.81 (the last) + the regular 2,000.00 = 2,333.81 against 2,500.00.
    assert "Affordable: ¥2,333.81 a month is within ¥2,500.00, your limit." in page
    assert "Not affordable: ¥2,667.56 a month is more than ¥2,500.00, your limit." in page
    assert 'id="arrangement-effect"' in page
    assert "moved into the plan" in page
    assert date_format(today - timedelta(days=20)) in page
    assert 'name="arrangement"' in page
    assert '<option value="plan:6" selected>' in page


def test_the_reviewer_approves_another_option_from_the_case_page(client, reviewer, case):
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:relief_reliefapplication_decide", args=[case.pk]),
        {"action": "approve", "version": case.version, "percent": "80", "arrangement": "plan:12"},
        follow=True,
    )

    case.refresh_from_db()
    case.arrangement.refresh_from_db()
    assert case.status == "approved"
    assert (case.arrangement.periods, case.arrangement.asked_term) == (12, 6)
    assert any("A plan of 12 monthly installments" in str(m) for m in response.context["messages"])


def test_an_option_not_offered_is_refused_with_a_message_and_nothing_changes(
    client, reviewer, case
):
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:relief_reliefapplication_decide", args=[case.pk]),
        {"action": "approve", "version": case.version, "percent": "80", "arrangement": "plan:7"},
    )

    assert response.status_code == 400
    assert "not offered" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "in_review"
