"""Outreach before a due date: one message per installment of a high-risk loan, in the
borrower's language and channel, within the day's hours, at most 2 a week, never to who
opted out, never to the holdout, exactly once."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from loans.models import Borrower
from relief.models import Notification
from risk import rules
from risk.models import Outreach
from risk.services import outreach_send, risk_scores_compute
from tests.factories import BorrowerFactory
from tests.risk.helpers import (
    hardship_article,
    high_risk_loan,
    holdout_percent_set,
    installment_paid,
)
from tests.support import run_together

pytestmark = pytest.mark.django_db


def at(day, hour: int, minute: int = 0) -> datetime:
    """A local moment (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture(autouse=True)
def no_holdout(db):
    holdout_percent_set(0)


@pytest.fixture
def article(db):
    return hardship_article()


def messages_to(borrower: Borrower):
    return Notification.objects.filter(recipient=borrower.user, kind="outreach")


def test_a_high_risk_loan_gets_one_message_with_amount_date_options_and_article(today, article):
    borrower = BorrowerFactory(language="en", notification_channel="sms")
    loan = high_risk_loan(borrower, today, due_in=5)
    risk_scores_compute(day=today)
    run = outreach_send(day=today, now=at(today, 10))
    assert (run.picked["scheduled"], run.sent) == (1, 1)
    due = loan.installments.get(seq=5)
    outreach = Outreach.objects.get()
    assert (outreach.installment, outreach.status, outreach.article_slug) == (
        due,
        "sent",
        "ask-early",
    )
    channels = sorted(messages_to(borrower).values_list("channel", flat=True))
    assert channels == ["in_app", "sms"]
    sms = messages_to(borrower).get(channel="sms")
    assert sms.title == f"¥1,100.00 falls due on {due.due_date:%Y-%m-%d}"
    assert f"/loans/{loan.pk}/options/" in sms.body
    assert "Ask for help early" in sms.body and "/learn/ask-early/" in sms.body
    assert sms.link == f"/loans/{loan.pk}/options/"


def test_the_message_is_in_the_borrowers_language(today, article):
    borrower = BorrowerFactory(language="zh-hans", notification_channel="email")
    high_risk_loan(borrower, today)
    risk_scores_compute(day=today)
    outreach_send(day=today, now=at(today, 10))
    email = messages_to(borrower).get(channel="email")
    assert "到期" in email.title
    assert "尽早寻求帮助" in email.body
    # The app shows the reader's language of the moment.
    assert "falls due" in email.texts["en"]["title"]


def test_only_high_risk_loans_with_an_installment_due_in_3_to_7_days_are_picked(today):
    picked = [high_risk_loan(BorrowerFactory(), today, due_in=days) for days in (3, 7)]
    too_soon = high_risk_loan(BorrowerFactory(), today, due_in=2)
    too_late = high_risk_loan(BorrowerFactory(), today, due_in=8)
    risk_scores_compute(day=today)
    outreach_send(day=today, now=at(today, 10))
    loans = set(Outreach.objects.values_list("loan_id", flat=True))
    assert loans == {loan.pk for loan in picked}
    assert not loans & {too_soon.pk, too_late.pk}


def test_outreach_at_22_is_held_and_sent_at_8_the_next_morning(today):
    borrower = BorrowerFactory()
    high_risk_loan(borrower, today)
    risk_scores_compute(day=today)
    run = outreach_send(day=today, now=at(today, 22))
    outreach = Outreach.objects.get()
    assert (run.sent, outreach.status) == (0, "scheduled")
    assert outreach.send_after == at(today + timedelta(days=1), 8)
    assert not messages_to(borrower).exists()

    tomorrow = today + timedelta(days=1)
    outreach_send(day=tomorrow, now=at(tomorrow, 7, 59))
    assert not messages_to(borrower).exists()
    run = outreach_send(day=tomorrow, now=at(tomorrow, 8))
    outreach.refresh_from_db()
    assert (run.sent, outreach.status, outreach.sent_at) == (1, "sent", at(tomorrow, 8))
    assert messages_to(borrower).filter(channel="in_app").count() == 1


def test_an_installment_paid_before_8_is_not_sent(today):
    borrower = BorrowerFactory()
    loan = high_risk_loan(borrower, today)
    risk_scores_compute(day=today)
    outreach_send(day=today, now=at(today, 23))
    installment_paid(loan.installments.get(seq=5), today)
    tomorrow = today + timedelta(days=1)
    outreach_send(day=tomorrow, now=at(tomorrow, 8))
    outreach = Outreach.objects.get()
    assert (outreach.status, outreach.cancel_reason) == ("cancelled", "paid")
    assert not messages_to(borrower).exists()


def test_at_most_two_messages_per_borrower_in_seven_days(today):
    borrower = BorrowerFactory()
    loans = [high_risk_loan(borrower, today, due_in=days) for days in (3, 4, 5)]
    risk_scores_compute(day=today)
    run = outreach_send(day=today, now=at(today, 10))
    assert (run.picked["scheduled"], run.picked["capped"]) == (2, 1)
    assert messages_to(borrower).filter(channel="in_app").count() == 2
    # The next day the cap still holds for the third.
    tomorrow = today + timedelta(days=1)
    risk_scores_compute(day=tomorrow)
    run = outreach_send(day=tomorrow, now=at(tomorrow, 10))
    assert run.picked["capped"] == 1
    assert Outreach.objects.filter(borrower=borrower).count() == 2
    assert not Outreach.objects.filter(loan=loans[2]).exists()


def test_a_borrower_who_opted_out_gets_nothing(today):
    borrower = BorrowerFactory(outreach_opt_out=True)
    high_risk_loan(borrower, today)
    risk_scores_compute(day=today)
    outreach_send(day=today, now=at(today, 10))
    assert not Outreach.objects.exists()
    assert not messages_to(borrower).exists()


def test_opting_out_before_the_morning_cancels_a_held_message(today):
    borrower = BorrowerFactory()
    high_risk_loan(borrower, today)
    risk_scores_compute(day=today)
    outreach_send(day=today, now=at(today, 21, 30))
    Borrower.objects.filter(pk=borrower.pk).update(outreach_opt_out=True)
    tomorrow = today + timedelta(days=1)
    outreach_send(day=tomorrow, now=at(tomorrow, 8))
    outreach = Outreach.objects.get()
    assert (outreach.status, outreach.cancel_reason) == ("cancelled", "opted_out")
    assert not messages_to(borrower).exists()


def test_a_held_out_loan_is_recorded_and_gets_no_message(today):
    holdout_percent_set(10)
    held = sent = None
    while held is None or sent is None:
        borrower = BorrowerFactory()
        loan = high_risk_loan(borrower, today)
        if rules.in_holdout(loan.pk, 1, 10):
            held = held or borrower
        else:
            sent = sent or borrower
    risk_scores_compute(day=today)
    run = outreach_send(day=today, now=at(today, 10))
    assert run.picked["held_out"] >= 1
    assert Outreach.objects.get(borrower=held).status == "held_out"
    assert not messages_to(held).exists()
    assert messages_to(sent).exists()


def test_running_again_sends_nothing_more(today, capsys):
    borrower = BorrowerFactory()
    high_risk_loan(borrower, today)
    risk_scores_compute(day=today)
    outreach_send(day=today, now=at(today, 10))
    again = outreach_send(day=today, now=at(today, 11))
    assert (again.picked.total(), again.sent) == (0, 0)
    call_command("send_outreach", "--date", today.isoformat())
    assert "0 to send" in capsys.readouterr().out
    assert messages_to(borrower).count() == 2  # in-app and the SMS, once


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="row locks need PostgreSQL",
)
def test_two_runs_at_once_send_each_message_exactly_once(today):
    from tests.relief.helpers import restore_seeded_data

    restore_seeded_data()
    holdout_percent_set(0)
    borrowers = [BorrowerFactory() for _ in range(4)]
    for borrower in borrowers:
        for days in (3, 4, 5):  # three each: the cap lets two through
            high_risk_loan(borrower, today, due_in=days)
    risk_scores_compute(day=today)
    outcomes = run_together(lambda: outreach_send(day=today, now=at(today, 10)))
    assert all(
        isinstance(outcome, object) and not isinstance(outcome, Exception) for outcome in outcomes
    ), outcomes
    assert sum(run.sent for run in outcomes) == 8
    for borrower in borrowers:
        assert Outreach.objects.filter(borrower=borrower, status="sent").count() == 2
        assert messages_to(borrower).filter(channel="in_app").count() == 2
        assert messages_to(borrower).filter(channel="sms").count() == 2
