"""The options page (/loans/<id>/options/): every arrangement side by side with what she pays
each month, until when and in total, what it does to her credit record, what her income can
carry, and applying for one from there.

The loan is the worked example's (domain.md §9): 2,000.00 overdue 20 days, 26.60 of penalty,
86% on time; serious illness makes 80% relief (21.28), so a 6-period plan is six payments of
334.22. Its next installment (2,000.00) falls due in ten days and stays as scheduled: with it a
month costs 2,334.22.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from loans.models import Arrangement
from relief.models import ReliefApplication
from relief.rules import plan_due_dates
from tests.factories import overdue_loan, paid_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(alice, today):
    paid_history(alice, today=today)
    return overdue_loan(alice, today=today, days=20)


def options_page(client, loan, **params):
    return client.get(reverse("loan-options", args=[loan.pk]), params)


def apply_for(client, loan, **data):
    fields = {"reason": "serious_illness", "monthly_income": "", "relief": "yes", **data}
    return client.post(reverse("loan-options", args=[loan.pk]), fields)


def option_card(body: str, value: str) -> str:
    """The HTML of one option's card ("plan-6", "deferral-1")."""
    match = re.search(rf'<article [^>]*data-testid="option-{value}".*?</article>', body, re.S)
    assert match, f"no option {value} on the page"
    return match.group(0)


def field_error_after(body: str, field_id: str) -> str:
    """The text of the first field error after the control `field_id`."""
    after = body.split(f'id="{field_id}"', 1)[1]
    match = re.search(r'class="field-error"[^>]*>([^<]*)<', after)
    assert match, f"no error after {field_id}"
    return match.group(1)


# --- the options ------------------------------------------------------------------------------


def test_each_plan_says_what_she_pays_each_month_until_when_and_in_total(alice_client, loan, today):
    body = options_page(alice_client, loan, reason="serious_illness").content.decode()
    dates = plan_due_dates(today, loan.installments.get(seq=1).due_date.day, 6)
    six = option_card(body, "plan-6")
    assert "A plan of 6 monthly installments" in six
    assert "¥334.22</strong> a month" in six
    assert dates[0].isoformat() in six and dates[-1].isoformat() in six
    assert "¥2,005.32" in six  # in total: 2,000.00 + 26.60 − 21.28
    assert "¥2,334.22" in six  # with the regular installment still due
    assert "¥167.11" in option_card(body, "plan-12")
    # The relief is waived first, and the page says so.
    assert "With relief: 80% of your ¥26.60 penalty, ¥21.28, is waived first" in body


def test_a_deferral_says_when_the_next_payment_falls_and_the_interest_it_adds(alice_client, loan):
    body = options_page(alice_client, loan, reason="serious_illness").content.decode()
    one = option_card(body, "deferral-1")
    assert "Every payment moves 1 month later" in one
    # 3,750.00 unpaid principal at 18% for a month; the next payment carries it and the
    # penalty left after relief: 2,000.00 + 56.25 + 5.32.
    assert "¥56.25" in one and "¥2,061.57" in one


def test_the_page_says_in_plain_words_what_changes_on_her_credit_record(alice_client, loan):
    body = options_page(alice_client, loan, reason="serious_illness").content.decode()
    assert "Your credit record (征信):" in body
    assert "the loan is marked restructured for 12 months" in body
    assert "a payment 30 days late ends the plan" in body


def test_her_income_marks_what_is_affordable_with_the_figures(alice_client, loan):
    body = options_page(
        alice_client, loan, reason="serious_illness", monthly_income="5000"
    ).content.decode()
    assert "With ¥5,000.00 a month, you can afford up to ¥2,500.00 a month" in body
    three, six = option_card(body, "plan-3"), option_card(body, "plan-6")
    assert "Not affordable: ¥2,668.44 a month is more than ¥2,500.00, your limit." in three
    assert "Affordable: ¥2,334.22 a month is within ¥2,500.00, your limit." in six
    # What her income cannot carry cannot be chosen; what it can, can.
    assert 'value="plan:3"' not in three and "cannot be chosen" in three
    assert 'name="option" value="plan:6"' in six


def test_without_an_income_nothing_is_marked_and_every_option_can_be_chosen(alice_client, loan):
    body = options_page(alice_client, loan, reason="serious_illness").content.decode()
    assert "Affordable" not in body and "Not affordable" not in body
    assert body.count('name="option"') == 9  # plans of 3, 6, 12, 24, 36, 60; 1–3 months


def test_without_relief_the_plan_carries_the_whole_penalty(alice_client, loan):
    body = options_page(alice_client, loan, reason="serious_illness", relief="no").content.decode()
    six = option_card(body, "plan-6")
    assert "¥337.76</strong> a month" in six and "¥2,026.60" in six  # 2,000.00 + 26.60
    assert "is waived first" not in body
    assert '<input type="hidden" name="relief" value="no">' in body


def test_an_income_that_is_not_a_number_is_an_error_next_to_the_field(alice_client, loan):
    response = options_page(alice_client, loan, reason="serious_illness", monthly_income="lots")
    body = response.content.decode()
    assert response.status_code == 200
    assert field_error_after(body, "id_monthly_income") == "Enter a number."
    assert 'aria-invalid="true"' in body.split('id="id_monthly_income"', 1)[1].split(">", 1)[0]
    # The options are still shown, without an income.
    assert "¥334.22" in body


def test_a_loan_that_cannot_have_an_arrangement_says_why_in_plain_words(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20, legal_proceedings=True)
    body = options_page(alice_client, loan, reason="accident").content.decode()
    assert "This loan cannot have a repayment arrangement now:" in body
    assert "This loan is in legal proceedings." in body
    assert 'name="option"' not in body


def test_an_open_application_is_linked_from_the_options_page(alice_client, loan):
    from tests.relief.page_helpers import submitted

    application = submitted(loan.borrower, loan)
    body = options_page(alice_client, loan).content.decode()
    assert "An application for this loan is already open." in body
    assert reverse("application-detail", args=[application.pk]) in body


# --- applying ---------------------------------------------------------------------------------


def test_applying_creates_the_application_with_the_chosen_option(alice_client, loan):
    response = apply_for(alice_client, loan, option="plan:6", monthly_income="5000")

    application = ReliefApplication.objects.get(loan=loan)
    assert response.status_code == 302
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    assert application.asks_relief and application.reason == "serious_illness"
    assert application.monthly_income == 5000
    arrangement = application.arrangement
    assert (arrangement.kind, arrangement.periods, arrangement.status) == ("plan", 6, "proposed")
    assert arrangement.installment_amount == Decimal("334.22")
    page = alice_client.get(response["Location"]).content.decode()
    assert f"We received your application #{application.pk}." in page
    assert "A plan of 6 monthly installments, with penalty relief" in page


def test_applying_for_an_arrangement_only(alice_client, loan):
    apply_for(alice_client, loan, option="deferral:1", relief="no")
    application = ReliefApplication.objects.get(loan=loan)
    assert not application.asks_relief
    assert (application.arrangement.kind, application.arrangement.months) == ("deferral", 1)


def test_applying_without_choosing_an_option_says_so_next_to_the_options(alice_client, loan):
    response = apply_for(alice_client, loan)
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="option-error"[^>]*>Choose one of the options\.<', body)
    assert not ReliefApplication.objects.exists()


def test_an_option_her_income_cannot_carry_is_refused_next_to_the_options(alice_client, loan):
    # The page offers no radio for it; a hand-made form is refused by the service.
    response = apply_for(alice_client, loan, option="plan:3", monthly_income="5000")
    body = response.content.decode()
    error = re.search(r'id="option-error"[^>]*>([^<]*)<', body).group(1)
    assert error.startswith("A plan of 3 monthly installments is not affordable: ¥2,668.44")
    assert not ReliefApplication.objects.exists()
    # What she entered is kept.
    assert 'value="5000"' in body and '<option value="serious_illness" selected>' in body


def test_an_option_not_offered_is_refused_next_to_the_options(alice_client, loan):
    body = apply_for(alice_client, loan, option="plan:7").content.decode()
    error = re.search(r'id="option-error"[^>]*>([^<]*)<', body).group(1)
    assert "A plan of 7 monthly installments is not offered for this loan now." in error
    assert not ReliefApplication.objects.exists()


def test_without_a_reason_the_error_is_next_to_the_reason(alice_client, loan):
    body = apply_for(alice_client, loan, option="plan:6", reason="").content.decode()
    assert field_error_after(body, "id_reason") == "Choose a reason"
    assert not ReliefApplication.objects.exists()


def test_the_reason_other_needs_a_description_next_to_its_field(alice_client, loan):
    body = apply_for(alice_client, loan, option="plan:6", reason="other").content.decode()
    assert field_error_after(body, "id_description") == (
        "With the reason “Other”, please describe your situation."
    )
    assert not ReliefApplication.objects.exists()


def test_a_loan_not_eligible_refuses_the_application_with_the_reasons(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20, fraud_flag=True)
    body = apply_for(alice_client, loan, option="plan:6", relief="no").content.decode()
    assert "This loan is under a fraud review." in body
    assert not ReliefApplication.objects.exists()


def test_sending_the_form_twice_makes_one_application(alice_client, loan):
    page = options_page(alice_client, loan, reason="serious_illness").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    first = apply_for(alice_client, loan, option="plan:6", token=token)
    again = apply_for(alice_client, loan, option="plan:6", token=token)
    assert first["Location"] == again["Location"]
    assert ReliefApplication.objects.filter(loan=loan).count() == 1
    assert Arrangement.objects.filter(loan=loan).count() == 1


# --- whose page -------------------------------------------------------------------------------


def test_another_borrower_gets_404_on_the_options_page(client, bob, loan):
    client.force_login(bob.user)
    assert options_page(client, loan).status_code == 404
    assert apply_for(client, loan, option="plan:6").status_code == 404
    assert not ReliefApplication.objects.exists()


def test_signing_in_is_needed(client, loan):
    response = options_page(client, loan)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_loan_and_quote_pages_link_to_the_options(alice_client, loan):
    options = reverse("loan-options", args=[loan.pk])
    assert options in alice_client.get(reverse("loan-detail", args=[loan.pk])).content.decode()
    quote = alice_client.get(reverse("loan-quote", args=[loan.pk]), {"reason": "accident"})
    assert f"{options}?reason=accident" in quote.content.decode()


def test_the_dashboard_links_an_overdue_loan_to_its_options(alice_client, loan):
    body = alice_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("loan-options", args=[loan.pk])}">Your options to repay</a>' in body
