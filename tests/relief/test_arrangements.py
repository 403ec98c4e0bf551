"""Repayment arrangements on applications (domain.md §9): asked for with or without relief,
decided in the same queue, started when the borrower accepts, kept, broken or completed."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from loans.models import Arrangement, InstallmentMovement
from relief.arrangement_selectors import loan_arrangement_quote
from relief.models import ApplicationEvent, Notification
from relief.rules import add_months, plan_due_dates
from tests.factories import overdue_loan, paid_history
from tests.relief.arrangement_flows import (
    accepted,
    apply,
    approved,
    both_overdue_loan,
    deferral,
    owed,
    plan,
    plan_installments,
    reviewer_user,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_worked_example_relief_and_a_six_period_plan(alice, today):
    paid_history(alice, today=today)
    loan = overdue_loan(alice, today=today, days=20)

    application = apply(loan, arrangement=plan(6))
    assert application.status == "in_review"
    application = approved(application, percent=80)
    assert application.status == "approved"
    assert application.decided_amount == D("21.28")
    application = accepted(application)

    assert application.status == "fulfilled"
    assert application.waived_amount == D("21.28")
    arrangement = application.arrangement
    assert arrangement.status == Arrangement.Status.ACTIVE
    assert arrangement.total == D("2005.32")
    installments = plan_installments(loan)
    assert [i.principal_due + i.interest_due + i.penalty_accrued for i in installments] == [
        D("334.22")
    ] * 6
    source = loan.installments.get(seq=1)
    assert (source.principal_moved, source.interest_moved, source.penalty_moved) == (
        D("1875.00"),
        D("125.00"),
        D("5.32"),
    )
    assert source.base_outstanding == 0 and source.penalty_outstanding == 0
    assert source.paid_off_on == today
    assert Notification.objects.filter(kind="arrangement_started", channel="in_app").count() == 1


def test_twelve_periods_make_twelve_of_167_11(alice, today):
    paid_history(alice, today=today)
    loan = overdue_loan(alice, today=today, days=20)

    application = accepted(approved(apply(loan, arrangement=plan(12)), percent=80))

    installments = plan_installments(loan)
    assert len(installments) == 12
    assert {i.principal_due + i.interest_due + i.penalty_accrued for i in installments} == {
        D("167.11")
    }
    # The moved penalty first, then interest, then principal: the order a repayment pays.
    first = installments[0]
    assert (first.penalty_accrued, first.interest_due, first.principal_due) == (
        D("5.32"),
        D("125.00"),
        D("36.79"),
    )
    # Monthly on the loan's usual day, the first at least a month after the start.
    usual_day = loan.installments.get(seq=1).due_date.day
    assert [i.due_date for i in installments] == list(plan_due_dates(today, usual_day, 12))
    assert installments[0].due_date >= add_months(today, 1)
    assert application.arrangement.first_due_date == installments[0].due_date
    assert application.arrangement.last_due_date == installments[-1].due_date


def test_every_moved_amount_is_a_recorded_movement(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = accepted(approved(apply(loan, arrangement=plan(6)), percent=80))

    moves = InstallmentMovement.objects.filter(arrangement=application.arrangement)
    for part in ("principal", "interest", "penalty"):
        out = sum(m.amount for m in moves if m.kind == "plan_out" and m.part == part)
        into = sum(m.amount for m in moves if m.kind == "plan_in" and m.part == part)
        assert out == into > 0
    source = loan.installments.get(seq=1)
    assert source.principal_due == D("1875.00")  # the contract's figure stays


def test_the_next_scheduled_installment_continues_as_scheduled(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    before = loan.installments.get(seq=2)

    accepted(approved(apply(loan, arrangement=plan(6)), percent=80))

    after = loan.installments.get(seq=2)
    assert (after.due_date, after.principal_due, after.interest_due) == (
        before.due_date,
        before.principal_due,
        before.interest_due,
    )
    assert after.principal_moved == after.interest_moved == 0
    assert after.arrangement_id is None


def test_a_kept_plan_owes_no_penalty_and_the_loan_is_not_overdue(alice, today):
    from loans.selectors import loan_state
    from loans.services import penalties_accrue

    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    first = plan_installments(loan)[0]
    moved_penalty = first.penalty_accrued

    # Twenty days after the first plan installment fell due, unpaid: late, but within the
    # 30 days before the plan breaks, the plan carries no penalty.
    penalties_accrue(day=first.due_date + timedelta(days=20))

    first.refresh_from_db()
    assert first.penalty_accrued == moved_penalty > 0  # only what moved into it
    assert first.accrued_through is None
    state = loan_state(loan, today=first.due_date + timedelta(days=20))
    assert state.dpd == 20
    row = next(r for r in state.installments if r.installment.pk == first.pk)
    assert row.penalty_accrued == moved_penalty
    assert loan_state(loan, today=today).overdue_amount == 0


# --- deferral ---------------------------------------------------------------------------------


def test_a_deferral_of_one_month_on_1700_principal_at_18_percent_adds_25_50(alice, today):
    from tests.factories import make_loan

    # 1,700.00 principal unpaid: an installment of 1,000.00 + 50.00 ten days late and one of
    # 700.00 + 30.00 due in twenty days.
    loan = make_loan(
        alice,
        schedule=[
            (today - timedelta(days=10), D("1000.00"), D("50.00")),
            (today + timedelta(days=20), D("700.00"), D("30.00")),
        ],
    )
    before = {i.seq: i.due_date for i in loan.installments.all()}

    application = accepted(approved(apply(loan, arrangement=deferral(1), relief=False)))

    arrangement = application.arrangement
    assert arrangement.status == "active"
    assert arrangement.extra_interest == D("25.50")
    first, second = loan.installments.order_by("seq")
    assert first.interest_due == D("75.50")
    assert first.due_date == add_months(before[1], 1)
    assert second.due_date == add_months(before[2], 1)
    assert first.grace_ends_on == first.due_date + timedelta(days=loan.grace_days)
    moves = InstallmentMovement.objects.filter(arrangement=arrangement)
    assert {(m.kind, m.installment_id) for m in moves} == {
        ("rescheduled", first.pk),
        ("rescheduled", second.pk),
        ("deferral_interest", first.pk),
    }
    assert moves.get(kind="rescheduled", installment=first).due_date_before == before[1]


def test_a_deferral_keeps_the_penalty_accrued_and_adds_none_until_the_new_due_date(alice, today):
    from loans.selectors import loan_state
    from loans.services import penalties_accrue

    loan = overdue_loan(alice, today=today, days=20)
    accepted(approved(apply(loan, arrangement=deferral(1), relief=False)))
    first = loan.installments.get(seq=1)
    assert first.penalty_outstanding == D("26.60")

    # Nightly accruals up to the new due date add nothing.
    penalties_accrue(day=first.due_date)
    first.refresh_from_db()
    assert first.penalty_accrued == D("26.60")
    assert loan_state(loan, today=today).dpd == 0
    assert loan_state(loan, today=first.due_date).penalty_outstanding == D("26.60")
    # After the new due date and its grace days, penalty runs again by the usual rule.
    later = first.due_date + timedelta(days=loan.grace_days + 2)
    state = loan_state(loan, today=later)
    assert state.dpd == loan.grace_days + 2
    assert state.penalty_outstanding == D("26.60") + first.daily_penalty * (loan.grace_days + 2)


# --- a broken plan --------------------------------------------------------------------------


def test_a_plan_installment_30_days_unpaid_breaks_the_plan_and_penalty_runs_from_that_day(
    alice, today
):
    from loans.services import penalties_accrue
    from relief.services.arrangements import arrangements_nightly

    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    installments = plan_installments(loan)
    first_due = installments[0].due_date

    assert arrangements_nightly(today=first_due + timedelta(days=29)) == {
        "broken": 0,
        "completed": 0,
    }
    assert arrangements_nightly(today=first_due + timedelta(days=30)) == {
        "broken": 1,
        "completed": 0,
    }

    arrangement = Arrangement.objects.get(pk=application.arrangement_id)
    broken_on = first_due + timedelta(days=30)
    assert (arrangement.status, arrangement.broken_on) == ("broken", broken_on)
    moved_penalty = {i.pk: i.penalty_accrued for i in installments}
    # Five days on: penalty on the late installment from the break, on the others too (due
    # that day, counted from the day after once their grace days pass).
    penalties_accrue(day=broken_on + timedelta(days=5))
    for installment in plan_installments(loan):
        assert installment.accrues_penalty
        assert installment.due_date == min(installment.due_date, broken_on)
        daily = loan.daily_penalty_on(installment.base_outstanding)
        assert installment.daily_penalty == daily
        assert installment.penalty_accrued == moved_penalty[installment.pk] + daily * 5
    assert plan_installments(loan)[1].due_date == broken_on
    assert plan_installments(loan)[0].due_date == first_due  # its lateness is kept
    told = Notification.objects.get(kind="arrangement_broken", channel="in_app")
    assert str(broken_on) in told.body
    event = ApplicationEvent.objects.filter(application=application).last()
    assert event.data["arrangement_status"] == "broken"
    # Run again the same night: nothing more.
    assert arrangements_nightly(today=broken_on) == {"broken": 0, "completed": 0}


def test_a_broken_plan_keeps_a_new_plan_away_for_12_months(alice, today):
    from relief.services.arrangements import arrangements_nightly

    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    arrangements_nightly(today=plan_installments(loan)[0].due_date + timedelta(days=30))

    with pytest.raises(DomainError) as caught:
        apply(loan, arrangement=plan(6), relief=False)
    assert "plan_broken_recently" in caught.value.extra["not_eligible_reasons"]


# --- repayments during a plan -----------------------------------------------------------------


def test_a_repayment_during_a_plan_pays_the_oldest_plan_installment(alice, today):
    from relief.services import repayment_post

    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    first, second, *_ = plan_installments(loan)

    repayment = repayment_post(loan=loan, amount=D("100.00"), paid_on=today, reference="P-1")

    first.refresh_from_db()
    second.refresh_from_db()
    assert [part["seq"] for part in repayment.allocation] == [first.seq]
    # Penalty first, then interest, then principal, within it.
    assert first.penalty_paid == min(first.penalty_accrued, D("100.00"))
    assert second.penalty_paid == second.principal_paid == second.interest_paid == 0


def test_a_repayment_during_a_plan_pays_a_scheduled_installment_due_before_it_first(alice, today):
    from relief.services import repayment_post

    loan = overdue_loan(alice, today=today, days=20)
    accepted(approved(apply(loan, arrangement=plan(6)), percent=80))

    repayment = repayment_post(loan=loan, amount=D("2100.00"), paid_on=today, reference="P-2")

    assert [part["seq"] for part in repayment.allocation] == [2, plan_installments(loan)[0].seq]
    assert loan.installments.get(seq=2).paid_off_on == today


def test_paying_the_last_plan_installment_completes_the_plan_at_once(alice, today):
    from relief.services import repayment_post

    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(3), relief=False)))

    repayment_post(loan=loan, amount=owed(loan), paid_on=today, reference="P-ALL")

    arrangement = Arrangement.objects.get(pk=application.arrangement_id)
    assert (arrangement.status, arrangement.completed_on) == ("completed", today)
    assert Notification.objects.filter(kind="arrangement_completed", channel="in_app").count() == 1
    loan.refresh_from_db()
    assert loan.status == "closed"


def test_the_nightly_job_completes_a_plan_paid_off(alice, today):
    from loans.models import Installment
    from relief.services.arrangements import arrangements_nightly

    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(3), relief=False)))
    # Paid off outside the repayment service (a correction by the core system's data).
    Installment.objects.filter(loan=loan, kind="plan").update(paid_off_on=today)

    assert arrangements_nightly(today=today) == {"broken": 0, "completed": 1}

    assert Arrangement.objects.get(pk=application.arrangement_id).status == "completed"


# --- one application, three asks ---------------------------------------------------------------


def test_an_arrangement_only_application_within_the_limits_is_approved_at_once(alice, today):
    loan = both_overdue_loan(alice, today=today)

    application = apply(loan, arrangement=plan(6), relief=False)

    assert application.status == "approved"
    assert application.decided_percent is None and application.decided_amount is None
    application = accepted(application)
    assert application.status == "fulfilled"
    assert application.waived_amount == 0
    assert application.arrangement.status == "active"


def test_relief_only_has_no_arrangement_and_works_as_before(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    application = apply(loan)

    assert application.arrangement is None
    assert application.asks_relief


def test_an_application_must_ask_for_something(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    with pytest.raises(DomainError) as caught:
        apply(loan, relief=False)

    assert caught.value.code == "nothing_asked"
    assert "arrangement" in caught.value.fields


def test_an_arrangement_on_a_loan_with_an_active_one_is_a_conflict(alice, today):
    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))

    with pytest.raises(ConflictError) as caught:
        apply(loan, arrangement=deferral(1), relief=False)

    assert caught.value.status == 409
    assert caught.value.code == "active_arrangement"


def test_an_unaffordable_option_cannot_be_chosen(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    with pytest.raises(DomainError) as caught:
        apply(loan, arrangement=plan(3), monthly_income="2000.00")

    assert caught.value.code == "not_affordable"
    assert "¥1,000.00" in caught.value.fields["arrangement"][0]
    assert not Arrangement.objects.exists()


def test_an_option_the_policy_does_not_offer_is_refused_at_its_field(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    with pytest.raises(DomainError) as caught:
        apply(loan, arrangement=plan(7))

    assert caught.value.code == "option_not_offered"
    assert "7" in caught.value.fields["arrangement"][0]


@pytest.mark.parametrize(
    "bad",
    [{"kind": "plan"}, {"kind": "loan", "periods": 6}, {"kind": "plan", "periods": 0}, "plan", 6],
)
def test_a_malformed_arrangement_is_refused_at_its_field(alice, today, bad):
    loan = overdue_loan(alice, today=today, days=20)

    with pytest.raises(DomainError) as caught:
        apply(loan, arrangement=bad)

    assert "arrangement" in caught.value.fields


def test_reason_other_with_an_arrangement_needs_a_description(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    with pytest.raises(DomainError) as caught:
        apply(loan, arrangement=plan(6), reason="other")

    assert "description" in caught.value.fields
    assert apply(loan, arrangement=plan(6), reason="other", description="Shop closed").pk


# --- review: another option, four eyes ----------------------------------------------------------


def test_a_reviewer_approving_12_periods_where_6_were_asked_the_borrower_accepts(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = apply(loan, arrangement=plan(6))

    application = approved(application, percent=80, arrangement=plan(12))

    arrangement = application.arrangement
    assert (arrangement.kind, arrangement.periods) == ("plan", 12)
    assert (arrangement.asked_kind, arrangement.asked_term) == ("plan", 6)
    assert arrangement.installment_amount == D("167.11")
    event = application.events.get(to_status="approved")
    assert event.data["arrangement_changed"] is True
    application = accepted(application)
    assert len(plan_installments(loan)) == 12


def test_a_reviewer_approving_another_option_the_borrower_declines(alice, today):
    from relief.services import relief_application_decline

    loan = overdue_loan(alice, today=today, days=20)
    application = approved(apply(loan, arrangement=plan(6)), percent=80, arrangement=deferral(1))
    assert (application.arrangement.kind, application.arrangement.months) == ("deferral", 1)

    relief_application_decline(application_id=application.pk, user=alice.user)

    application.arrangement.refresh_from_db()
    assert application.arrangement.status == "cancelled"
    assert not plan_installments(loan)
    assert loan.installments.get(seq=1).due_date == today - timedelta(days=20)


def test_a_rejected_application_cancels_its_arrangement(alice, today):
    from relief.services import relief_application_reject

    loan = overdue_loan(alice, today=today, days=20)
    application = apply(loan, arrangement=plan(6))

    relief_application_reject(
        application_id=application.pk, reviewer=reviewer_user(), reason_code="other"
    )

    application.arrangement.refresh_from_db()
    assert application.arrangement.status == "cancelled"
    assert application.arrangement.cancelled_on == today


def test_a_plan_of_more_than_36_periods_needs_a_second_approval(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    application = approved(apply(loan, arrangement=plan(60)), percent=50)

    assert application.status == "pending_second_approval"


def test_triage_records_why_the_arrangement_was_not_automatic(alice, today):
    loan = overdue_loan(alice, today=today, days=20)

    application = apply(loan, arrangement=plan(24), relief=False)

    assert application.status == "in_review"
    event = application.events.get(to_status="in_review")
    assert event.data["arrangement_blockers"] == ["plan_periods_over_limit"]
    assert event.data["auto_approval_blockers"] == []


def test_the_option_that_no_longer_fits_cannot_start(alice, today):
    from relief.services import repayment_post

    loan = overdue_loan(alice, today=today, days=20)
    application = approved(apply(loan, arrangement=plan(6)), percent=80)
    # She pays most of it before accepting: too little is left for a plan.
    repayment_post(loan=loan, amount=D("1900.00"), paid_on=today, reference="EARLY")

    with pytest.raises(ConflictError) as caught:
        accepted(application)

    assert caught.value.code == "arrangement_not_offered"


# --- money conserved ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_money_is_conserved_to_the_fen_over_random_loans(seed, today):
    import random

    from tests.factories import BorrowerFactory, make_loan

    chance = random.Random(seed)
    borrower = BorrowerFactory()
    count = chance.randint(2, 8)
    first_due = today - timedelta(days=chance.randint(5, 80))
    schedule = [
        (
            first_due + timedelta(days=30 * n),
            D(chance.randint(20_000, 900_000)).scaleb(-2),
            D(chance.randint(0, 90_000)).scaleb(-2),
        )
        for n in range(count)
    ]
    loan = make_loan(borrower, schedule=schedule, code=chance.choice(["CASH18", "CARD24"]))
    from loans.selectors import loan_state

    before = loan_state(loan, today=today)
    owed_before = sum(
        (s.installment.base_outstanding + s.penalty_outstanding for s in before.installments),
        D("0.00"),
    )
    with_relief = chance.random() < 0.5
    offered = loan_arrangement_quote(loan, reason="serious_illness", with_relief=with_relief)
    option = chance.choice(offered.quote.options)
    kind = option.kind
    ask = plan(option.periods) if kind == "plan" else deferral(option.months)
    application = accepted(
        approved(apply(loan, arrangement=ask, relief=with_relief), percent=50, second=True)
    )

    arrangement = application.arrangement
    after = owed(loan)
    assert after == owed_before - application.waived_amount + arrangement.extra_interest
    moves = InstallmentMovement.objects.filter(arrangement=arrangement)
    for part in ("principal", "interest", "penalty"):
        out = sum((m.amount for m in moves if m.kind == "plan_out" and m.part == part), D(0))
        into = sum((m.amount for m in moves if m.kind == "plan_in" and m.part == part), D(0))
        assert out == into
    if kind == "plan":
        amounts = [
            i.principal_due + i.interest_due + i.penalty_accrued for i in plan_installments(loan)
        ]
        assert sum(amounts) == arrangement.total
        assert len(set(amounts[:-1])) <= 1 and amounts[-1] >= amounts[0]


# --- the borrower's existing pages keep working ---------------------------------------------


def test_the_borrowers_pages_show_a_loan_on_a_plan_and_its_application(client, alice, today):
    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    client.force_login(alice.user)

    for url in ("/", f"/loans/{loan.pk}/", "/applications/", f"/applications/{application.pk}/"):
        assert client.get(url).status_code == 200, url


def test_an_arrangement_alone_is_not_a_prior_relief(alice, today):
    from relief.selectors import loan_quote

    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    other = overdue_loan(alice, today=today, days=20)

    case = loan_quote(other, reason="serious_illness").case

    assert case.prior_reliefs_12m == 0
