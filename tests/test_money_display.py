"""Amounts on the borrower's pages: two places, thousands grouped, in both languages."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from core.templatetags.money import money
from tests.factories import overdue_loan


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("12345.67"), "12,345.67"),
        (Decimal("12345.675"), "12,345.68"),  # half up, never half even
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("2000"), "2,000.00"),
        (Decimal("0.5"), "0.50"),
        ("21.28", "21.28"),  # the quote's document keeps amounts as text
        (None, ""),
    ],
)
def test_amounts_have_two_places_and_grouped_thousands(amount, shown):
    assert money(amount) == shown


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_borrower_reads_grouped_amounts_on_her_loans(client, alice, today, language):
    loan = overdue_loan(alice, today=today, days=20)
    client.force_login(alice.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    dashboard = client.get(reverse("dashboard")).content.decode()
    detail = client.get(reverse("loan-detail", args=[loan.pk])).content.decode()
    quote = client.get(reverse("loan-quote", args=[loan.pk])).content.decode()
    for body in (dashboard, detail, quote):
        assert "¥2,000.00" in body  # the overdue amount
        assert "¥2000.00" not in body
    assert "¥1,875.00" in detail  # an installment's principal
