"""A loan late but within its grace days: the quote says why there is nothing to relieve yet
and what happens after the grace days; the demo has loans past one grace day in the 1–3 days
band."""

from datetime import timedelta

import pytest
from django.urls import reverse

from loans.demo import Seeder
from loans.models import Loan
from relief.selectors import loan_quote
from tests.factories import overdue_loan

pytestmark = pytest.mark.django_db


def quote_page(client, loan) -> str:
    return client.get(reverse("loan-quote", args=[loan.pk])).content.decode()


def test_a_loan_in_its_grace_days_says_when_penalty_starts_and_how_to_avoid_it(
    alice_client, alice, today
):
    loan = overdue_loan(alice, today=today, days=2)  # three grace days (CASH18)
    due = today - timedelta(days=2)
    body = quote_page(alice_client, loan)
    assert "Why there is nothing to relieve yet" in body
    assert f"Your installment due on {due:%Y-%m-%d} is 2 days late" in body
    assert "The first 3 days after a due date are grace days" in body
    assert f"Pay ¥2,000.00 by {due + timedelta(days=3):%Y-%m-%d} and there is no penalty" in body
    # From the 4th day, every day since the due date: 4 × 1.33.
    assert f"still unpaid on {due + timedelta(days=4):%Y-%m-%d}" in body
    assert "¥5.32 on that day, then ¥1.33 more each day" in body


def test_the_grace_notice_is_in_chinese_too(client, alice, today):
    loan = overdue_loan(alice, today=today, days=1)
    client.force_login(alice.user)
    body = quote_page(client, loan)
    assert "为什么现在还没有可减免的罚息" in body
    assert "宽限期" in body


def test_a_loan_with_penalty_shows_no_grace_notice(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    assert "Why there is nothing to relieve yet" not in quote_page(alice_client, loan)


def test_the_demo_has_loans_past_one_grace_day_quoted_in_the_1_to_3_days_band(today):
    Seeder(today=today).run(borrowers=10)
    late = Loan.objects.filter(product__code="QUICK18")
    assert late.exists()
    for loan in late:
        quote = loan_quote(loan, reason="other").quote
        assert quote.eligible, loan.external_id
        assert quote.factors[0].points == 100, quote.factors


def test_the_demo_accounts_loans_keep_three_grace_days(today):
    Seeder(today=today).run(borrowers=0)
    alice_loan = Loan.objects.get(external_id="L-ALICE-1")
    assert (alice_loan.product.code, alice_loan.grace_days) == ("CASH18", 3)
    assert not Loan.objects.filter(product__code="QUICK18", borrower__user__username__in=[
        "alice", "bob"]).exists()  # fmt: skip
