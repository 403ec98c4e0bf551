"""Kept pages and API answers (core.pagecache): served again in one query, and never once
what they show has changed, for someone else, or for a session that no longer signs in."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import PageStamp
from core.page_stamps import ACCRUAL_COLUMNS
from loans.models import Installment, LoanProduct
from loans.services import ACCRUAL_FIELDS, penalties_accrue
from relief.services import repayment_post
from relief.services.notifications import notify
from tests.factories import overdue_loan
from tests.relief.page_helpers import submitted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason="the page stamps are kept by PostgreSQL triggers",
    ),
]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_page_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def read(client, url: str, **extra) -> tuple[str, int]:
    """The page's text (it must answer 200) and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(queries)


def without_tokens(page: str) -> str:
    return CSRF.sub("", page)


def stamp_of(user) -> int | None:
    return PageStamp.objects.filter(key=user.pk).values_list("version", flat=True).first()


@pytest.fixture
def alice_signed_in(client, alice):
    client.force_login(alice.user)
    return client


# --- served again ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/", "/loans/{loan}/", "/applications/", "/notifications/"])
def test_a_page_read_again_is_the_same_page_from_one_query(alice_signed_in, alice, today, page):
    loan = overdue_loan(alice, today=today)
    submitted(alice, loan)
    url = page.format(loan=loan.pk)
    first, _ = read(alice_signed_in, url)
    again, queries = read(alice_signed_in, url)
    assert without_tokens(again) == without_tokens(first)
    assert queries == 1  # the session, its user and their stamps


def test_an_api_answer_read_again_takes_one_query(alice, today):
    application = submitted(alice, overdue_loan(alice, today=today))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice.user).key}")
    url = f"/api/v1/relief-applications/{application.pk}/"
    first, _ = read(api, url)
    again, queries = read(api, url)
    assert again == first
    assert queries == 1  # the token, its user and their stamps


# --- never stale ----------------------------------------------------------------------------


def test_a_repayment_shows_at_once_on_a_page_read_before(alice_signed_in, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    assert "¥26.60" in read(alice_signed_in, "/")[0]
    repayment_post(loan=loan, amount=Decimal("26.60"), paid_on=today, reference="R-1")
    page = read(alice_signed_in, "/")[0]
    assert "¥26.60" not in page
    assert "¥0.00" in page


def test_a_new_notification_shows_in_the_unread_count_at_once(alice_signed_in, alice, today):
    overdue_loan(alice, today=today)
    assert "unread-count" not in read(alice_signed_in, "/")[0]
    notify(
        recipient=alice.user,
        kind="installment_due",
        language="en",
        channel_preference=None,
        context={"loan": "L-1", "amount": "10.00", "due_date": today.isoformat()},
    )
    assert "unread-count" in read(alice_signed_in, "/")[0]


def test_a_renamed_product_shows_at_once_on_every_borrowers_page(
    alice_signed_in, alice, bob, today
):
    loan = overdue_loan(alice, today=today)
    read(alice_signed_in, "/")
    LoanProduct.objects.filter(pk=loan.product_id).update(name="Renamed cash loan")
    assert "Renamed cash loan" in read(alice_signed_in, "/")[0]


def test_a_withdrawal_shows_at_once_in_an_api_answer_read_before(alice, today):
    application = submitted(alice, overdue_loan(alice, today=today))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice.user).key}")
    url = f"/api/v1/relief-applications/{application.pk}/"
    assert api.get(url).json()["status"] == "submitted"
    assert api.post(f"{url}withdraw/", {}, format="json").status_code == 200
    assert api.get(url).json()["status"] == "withdrawn"


def test_the_nightly_accrual_moves_no_stamp_and_the_penalty_shown_stays_exact(
    alice_signed_in, alice, today
):
    overdue_loan(alice, today=today, days=20)
    before = read(alice_signed_in, "/")[0]
    stamp = stamp_of(alice.user)
    assert penalties_accrue(day=today) == 1
    assert stamp_of(alice.user) == stamp
    after, queries = read(alice_signed_in, "/")
    assert queries == 1
    assert "¥26.60" in after
    caches["pages"].clear()
    assert without_tokens(read(alice_signed_in, "/")[0]) == without_tokens(before)


def test_the_next_day_shows_the_next_days_penalty(alice_signed_in, alice, today, monkeypatch):
    overdue_loan(alice, today=today, days=20)
    assert "¥26.60" in read(alice_signed_in, "/")[0]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today + timedelta(1))
    assert "¥27.93" in read(alice_signed_in, "/")[0]  # 21 days of 1.33


def test_english_and_chinese_pages_are_kept_apart(alice_signed_in, alice, today):
    overdue_loan(alice, today=today)
    assert "我的贷款" in read(alice_signed_in, "/")[0]
    assert "My loans" in read(alice_signed_in, "/", HTTP_ACCEPT_LANGUAGE="en")[0]
    assert "我的贷款" in read(alice_signed_in, "/")[0]


def test_a_message_waiting_is_shown_once_over_a_page_read_before(alice_signed_in, alice, today):
    application = submitted(alice, overdue_loan(alice, today=today))
    url = f"/applications/{application.pk}/"
    read(alice_signed_in, url)
    stale = alice_signed_in.post(f"{url}withdraw/", {"version": application.version + 5})
    assert stale.status_code == 302  # the page was out of date: nothing changed
    with_message = read(alice_signed_in, url)[0]
    assert 'class="messages"' in with_message
    assert 'class="messages"' not in read(alice_signed_in, url)[0]


# --- never for someone else -------------------------------------------------------------------


def test_another_borrower_gets_404_for_a_loan_whose_page_was_kept(client, alice, bob, today):
    loan = overdue_loan(alice, today=today)
    client.force_login(alice.user)
    read(client, f"/loans/{loan.pk}/")
    client.force_login(bob.user)
    assert client.get(f"/loans/{loan.pk}/").status_code == 404


def test_another_token_gets_404_for_an_answer_that_was_kept(alice, bob, today):
    application = submitted(alice, overdue_loan(alice, today=today))
    url = f"/api/v1/relief-applications/{application.pk}/"
    for borrower, status in ((alice, 200), (bob, 404)):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=borrower.user)}")
        assert api.get(url).status_code == status


def test_a_signed_out_browser_gets_the_login_page_not_the_kept_one(alice_signed_in, alice, today):
    overdue_loan(alice, today=today)
    read(alice_signed_in, "/")
    alice_signed_in.post("/accounts/logout/")
    assert alice_signed_in.get("/").status_code == 302


def test_a_deactivated_borrower_is_signed_out_of_a_kept_page(alice_signed_in, alice, today):
    overdue_loan(alice, today=today)
    read(alice_signed_in, "/")
    alice.user.is_active = False
    alice.user.save()
    assert alice_signed_in.get("/").status_code == 302


def test_a_new_password_signs_out_other_browsers_even_from_a_kept_page(client, alice, today):
    overdue_loan(alice, today=today)
    client.force_login(alice.user)
    read(client, "/")
    alice.user.set_password("a-new-password-9")
    alice.user.save()
    assert client.get("/").status_code == 302


def test_a_revoked_token_gets_401_even_after_its_answer_was_kept(alice, today):
    application = submitted(alice, overdue_loan(alice, today=today))
    token = Token.objects.create(user=alice.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/relief-applications/{application.pk}/"
    read(api, url)
    token.delete()
    assert api.get(url).status_code == 401


def test_the_forms_on_a_kept_page_carry_the_readers_own_csrf_token(alice, today):
    overdue_loan(alice, today=today)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(alice.user)
    read(first, "/")
    page, queries = read(second, "/")
    assert queries == 1  # the page kept for the first browser
    token = CSRF.search(page).group(1)
    assert second.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_kept_page_gives_a_browser_holding_the_csrf_cookie_a_fresh_token_that_works(alice, today):
    overdue_loan(alice, today=today)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    read(browser, "/")  # rendered: sets the CSRF cookie
    cookie = browser.cookies[settings.CSRF_COOKIE_NAME].value
    tokens = set()
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = browser.get("/")
        assert len(queries) == 1  # kept
        assert settings.CSRF_COOKIE_NAME not in response.cookies  # the cookie is not re-sent
        tokens.add(CSRF.search(response.content.decode()).group(1))
    assert len(tokens) == 3  # masked afresh each time, as Django does (BREACH)
    assert browser.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    token = tokens.pop()
    assert browser.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert browser.get("/").status_code == 302  # signed out


# --- the stamps -----------------------------------------------------------------------------


def test_every_installment_column_but_the_accruals_moves_the_stamp():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.attname FROM pg_trigger t
            JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = ANY(t.tgattr)
            WHERE t.tgname = 'core_pagestamp_update_row'
            """
        )
        watched = {name for (name,) in cursor.fetchall()}
    columns = {field.column for field in Installment._meta.concrete_fields}
    assert watched == columns - {"id", *ACCRUAL_COLUMNS}
    assert set(ACCRUAL_COLUMNS) == set(ACCRUAL_FIELDS)  # what the accrual sets


def test_a_stamp_never_takes_a_number_again_after_a_rollback(alice):
    alice.user.save()
    before = stamp_of(alice.user)
    with pytest.raises(RuntimeError), transaction.atomic():
        alice.user.save()
        rolled_back = stamp_of(alice.user)
        raise RuntimeError
    assert stamp_of(alice.user) == before
    alice.user.save()
    assert stamp_of(alice.user) not in (before, rolled_back)


def test_a_session_records_its_user_and_goes_with_them(client, ops):
    from core.models import Session

    client.force_login(ops)
    assert Session.objects.filter(user=ops).count() == 1
    ops.delete()
    assert not Session.objects.exists()


# --- what reaches the sign-in query -----------------------------------------------------------


def test_a_session_cookie_that_no_session_could_have_is_signed_out_not_an_error(client, alice):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 302


def test_a_token_with_a_nul_byte_is_401_not_an_error(alice):
    api = APIClient(raise_request_exception=False)
    response = api.get("/api/v1/loans/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
