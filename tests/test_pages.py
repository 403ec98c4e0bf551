from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, overdue_loan

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
    assert "M1" in body


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
