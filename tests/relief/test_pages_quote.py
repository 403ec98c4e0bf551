"""The quote page: the estimate in plain words, the reason picker, refusals."""

from datetime import timedelta

import pytest
from django.urls import reverse

from relief.models import ReliefPolicy
from tests.factories import overdue_loan
from tests.relief.page_helpers import submitted

pytestmark = pytest.mark.django_db


def quote_page(client, loan, **params):
    return client.get(reverse("loan-quote", args=[loan.pk]), params)


def test_owner_sees_the_worked_example_with_each_factor_in_words(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    response = quote_page(alice_client, loan, reason="serious_illness")
    body = response.content.decode()
    assert response.status_code == 200
    # No repayment history yet: 100% on time (+20); base 50; serious illness +20 = 90.
    assert "Base 50: 20 days overdue" in body
    assert "Repayment history +20: 100% paid on time" in body
    assert "Serious illness +20" in body
    assert "90%" in body and "¥23.94" in body and "¥26.60" in body


def test_the_quote_says_what_would_raise_it(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = quote_page(alice_client, loan, reason="serious_illness").content.decode()
    assert "What would raise it" in body
    assert "+10 with evidence a reviewer verifies" in body


def test_the_reason_picker_changes_the_estimate(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    other = quote_page(alice_client, loan, reason="other").content.decode()
    income = quote_page(alice_client, loan, reason="income_drop").content.decode()
    assert 'class="percent">70%' in other
    assert 'class="percent">75%' in income
    assert '<option value="income_drop" selected>' in income


def test_the_picker_is_a_get_form_with_a_button_and_an_optional_script(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = quote_page(alice_client, loan).content.decode()
    assert 'method="get"' in body and 'name="reason"' in body
    assert '<label for="id_reason">' in body
    assert 'type="submit"' in body
    assert "js/autosubmit.js" in body


def test_without_a_reason_the_page_asks_for_one_and_still_estimates(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = quote_page(alice_client, loan).content.decode()
    assert "Choose a reason" in body
    assert 'class="percent">70%' in body


def test_the_chosen_reasons_evidence_hint_is_shown(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = quote_page(alice_client, loan, reason="unemployment").content.decode()
    assert "A termination letter or proof of unemployment registration." in body
    # Every reason's hint is listed too.
    assert "A hospital record or a doctor&#x27;s certificate." in body


def test_an_unknown_reason_is_a_form_error_not_a_500(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    response = quote_page(alice_client, loan, reason="../../etc")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_loan_without_penalty_says_why_it_is_not_eligible(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=2)  # still in the grace days
    body = quote_page(alice_client, loan, reason="accident").content.decode()
    assert "This loan cannot get relief now" in body
    assert "There is no penalty outstanding on this loan." in body
    assert "Apply for relief" not in body


def test_a_loan_with_an_open_application_links_to_it(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = submitted(alice, loan)
    body = quote_page(alice_client, loan, reason="accident").content.decode()
    assert "An application for this loan is already open." in body
    assert reverse("application-detail", args=[application.pk]) in body


def test_a_written_off_loan_is_not_eligible(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20, status="written_off")
    body = quote_page(alice_client, loan, reason="accident").content.decode()
    assert "This loan has been written off." in body


def test_without_an_active_policy_the_page_says_so(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    ReliefPolicy.objects.update(status=ReliefPolicy.Status.RETIRED)
    response = quote_page(alice_client, loan, reason="accident")
    assert response.status_code == 200
    assert "Estimates are not available right now" in response.content.decode()


def test_other_borrower_gets_404_on_the_quote(client, alice, bob, today):
    loan = overdue_loan(alice, today=today)
    client.force_login(bob.user)
    assert quote_page(client, loan).status_code == 404


def test_anonymous_visitor_is_sent_to_login_from_the_quote(client, alice, today):
    loan = overdue_loan(alice, today=today)
    response = quote_page(client, loan)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_quote_links_to_the_application_form_with_the_reason(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = quote_page(alice_client, loan, reason="accident").content.decode()
    assert f"{reverse('loan-apply', args=[loan.pk])}?reason=accident" in body


def test_grace_days_loan_due_yesterday_is_shown_without_error(alice_client, alice, today):
    loan = overdue_loan(alice, today=today + timedelta(days=0), days=1)
    assert quote_page(alice_client, loan).status_code == 200
