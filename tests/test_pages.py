from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, make_loan, overdue_loan
from tests.relief.page_helpers import submitted

pytestmark = pytest.mark.django_db


def test_login_page_is_served_in_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_borrower_logs_in_and_sees_the_overdue_loan_and_penalty(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert loan.external_id in body
    assert "26.60" in body
    assert "逾期 1–30 天" in body  # the bucket (M1) in words


def test_loan_detail_shows_the_penalty_breakdown(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    client.force_login(alice.user)
    body = client.get(reverse("loan-detail", args=[loan.pk])).content.decode()
    assert "1.33" in body and "26.60" in body
    assert (today - timedelta(days=20)).isoformat() in body


def test_other_borrower_gets_404_on_a_loan(client, alice, bob, today):
    loan = overdue_loan(alice, today=today)
    client.force_login(bob.user)
    assert client.get(reverse("loan-detail", args=[loan.pk])).status_code == 404


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] in ("ok", "eager")


# --- relief on the loans pages --------------------------------------------------------------


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_each_overdue_loan_on_the_dashboard_calls_to_the_quote(client, alice, today):
    overdue = overdue_loan(alice, today=today, days=20)
    current = make_loan(
        alice, schedule=[(today + timedelta(days=10), Decimal("100.00"), Decimal("5.00"))]
    )
    body = english(client, alice.user).get("/").content.decode()
    assert reverse("loan-quote", args=[overdue.pk]) in body
    assert reverse("loan-quote", args=[current.pk]) not in body
    assert "See how much penalty could be waived" in body


def test_the_dashboard_links_an_open_application_instead(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = submitted(alice, loan)
    body = english(client, alice.user).get("/").content.decode()
    assert reverse("application-detail", args=[application.pk]) in body
    assert f"Application #{application.pk}: Submitted" in body


def test_the_dashboard_query_count_does_not_grow_with_loans(client, alice, today):
    english(client, alice.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    submitted(alice, overdue_loan(alice, today=today))
    one = queries()
    for _ in range(4):
        submitted(alice, overdue_loan(alice, today=today))
        overdue_loan(alice, today=today)
    assert queries() == one


def test_the_loan_detail_offers_a_quote_and_the_application_form(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = english(client, alice.user).get(reverse("loan-detail", args=[loan.pk])).content.decode()
    assert reverse("loan-quote", args=[loan.pk]) in body
    assert reverse("loan-apply", args=[loan.pk]) in body
    assert "Get a quote" in body and "Apply for relief" in body


def test_the_loan_detail_links_the_open_application(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = submitted(alice, loan)
    body = english(client, alice.user).get(reverse("loan-detail", args=[loan.pk])).content.decode()
    assert reverse("application-detail", args=[application.pk]) in body
    assert f"Your application #{application.pk} is open: Submitted." in body
    assert reverse("loan-apply", args=[loan.pk]) not in body


def test_the_loan_detail_without_penalty_offers_no_relief(client, alice, today):
    loan = make_loan(
        alice, schedule=[(today + timedelta(days=10), Decimal("100.00"), Decimal("5.00"))]
    )
    body = english(client, alice.user).get(reverse("loan-detail", args=[loan.pk])).content.decode()
    assert "There is no penalty on this loan." in body
    assert reverse("loan-apply", args=[loan.pk]) not in body
