"""Promises the arrangement rules keep for any case, under the shipped policy and any valid
arrangements section (domain.md §9)."""

import copy
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from relief.rules import (
    HARDSHIP_REASONS,
    POLICY_V2_DOCUMENT,
    ArrangementCase,
    add_months,
    arrangement_quote,
    deferral_dates,
    parse_policy,
    plan_due_dates,
    plan_split,
    policy_v2,
)

fen = st.integers(min_value=0, max_value=100_000_000).map(lambda n: Decimal(n).scaleb(-2))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@st.composite
def cases(draw) -> ArrangementCase:
    start = draw(days)
    due_dates = sorted(
        draw(st.lists(st.integers(-200, 900).map(lambda n: start + timedelta(days=n)), max_size=6))
    )
    overdue_dates = [d for d in due_dates if d < start]
    return ArrangementCase(
        start=start,
        days_overdue=(start - overdue_dates[0]).days if overdue_dates else 0,
        overdue_principal=draw(fen),
        overdue_interest=draw(fen),
        penalty_outstanding=draw(fen),
        relief=draw(fen),
        unpaid_principal=draw(fen),
        unpaid_amount=draw(fen),
        first_unpaid_amount=draw(fen),
        unpaid_due_dates=tuple(due_dates),
        regular_installment=draw(fen),
        annual_rate=draw(st.integers(0, 360_000).map(lambda n: Decimal(n).scaleb(-6))),
        day_of_month=draw(st.integers(1, 31)),
        reason=draw(st.sampled_from(HARDSHIP_REASONS)),
        monthly_income=draw(st.none() | fen),
        description_given=draw(st.booleans()),
        written_off=draw(st.booleans()),
        legal_proceedings=draw(st.booleans()),
        fraud_flag=draw(st.booleans()),
        has_open_application=draw(st.booleans()),
        has_active_arrangement=draw(st.booleans()),
        last_deferral_on=draw(st.none() | days),
        plan_broken_on=draw(st.none() | days),
        arrangements_12m=draw(st.integers(0, 3)),
        risk_flag=draw(st.booleans()),
    )


@st.composite
def policies(draw):
    """A valid policy: random options, rates, shares and limits within what validation allows."""
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    section = document["arrangements"]
    months = sorted(draw(st.sets(st.integers(1, 12), max_size=4)))
    periods = sorted(draw(st.sets(st.integers(2, 60), min_size=0 if months else 1, max_size=6)))
    section["deferral"] = {
        "months": months,
        "interest_discount_percent": draw(st.integers(0, 100)),
    }
    section["plan"] = {
        "periods": periods,
        "annual_rate": str(Decimal(draw(st.integers(0, 1_000_000))).scaleb(-6)),
        "break_after_days": draw(st.integers(1, 365)),
    }
    section["affordability"] = {
        "max_share": str(Decimal(draw(st.integers(100, 10_000))).scaleb(-4))
    }
    section["eligibility"] = {
        "plan_min_overdue": str(draw(fen)),
        "plan_min_dpd": draw(st.integers(1, 400)),
        "deferral_max_dpd": draw(st.integers(0, 400)),
        "months_between_deferrals": draw(st.integers(0, 120)),
        "months_after_broken_plan": draw(st.integers(0, 120)),
    }
    over = draw(fen)
    periods_over = draw(st.integers(0, 60))
    section["four_eyes"] = {"amount_over": str(over), "plan_periods_over": periods_over}
    section["auto_approval"] = {
        "max_plan_periods": draw(st.integers(0, periods_over)),
        "max_deferral_months": draw(st.integers(0, 12)),
        "max_amount": str(draw(fen.filter(lambda amount: amount <= over))),
        "max_arrangements_12m": draw(st.integers(0, 3)),
    }
    return parse_policy(document, version=draw(st.integers(2, 50)))


any_policy = st.just(policy_v2()) | policies()


@given(total=fen, periods=st.integers(1, 60))
def test_a_plans_installments_add_up_to_the_total_exactly(total, periods):
    parts = plan_split(total, periods)

    assert len(parts) == periods
    assert sum(parts, Decimal("0.00")) == total
    assert all(part == parts[0] for part in parts[:-1])
    # Each is rounded down, so the last takes what is left: less than a fen per installment.
    assert parts[0] <= parts[-1] < parts[0] + Decimal("0.01") * periods
    assert all(part.as_tuple().exponent == -2 for part in parts)


@given(case=cases(), policy=any_policy)
def test_every_plan_option_splits_into_installments_that_add_up(case, policy):
    for option in arrangement_quote(case, policy).options:
        if option.kind != "plan":
            continue
        parts = plan_split(option.total, option.periods)
        assert parts[0] == option.installment_amount > 0
        assert parts[-1] == option.last_installment_amount
        assert option.total == option.moved + option.extra_interest
        assert option.moved == case.overdue + case.penalty_after_relief


@given(case=cases(), policy=any_policy)
def test_no_option_is_affordable_that_breaks_the_share(case, policy):
    quote = arrangement_quote(case, policy)

    for option in quote.options:
        if case.monthly_income is None:
            assert option.affordable is None
            continue
        share = case.monthly_income * policy.arrangements.max_share
        assert option.affordable is (option.monthly_payment <= option.affordable_limit)
        if option.affordable:
            assert option.monthly_payment <= share
        else:
            assert "not_affordable" in option.auto_approval_blockers


@given(day=days, months=st.integers(1, 120))
def test_moving_a_date_by_months_never_moves_it_earlier(day, months):
    later = add_months(day, months)

    assert later > day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day and (later + timedelta(days=1)).day == 1


@given(due_dates=st.lists(days, max_size=8).map(sorted), months=st.integers(1, 12))
def test_deferral_never_moves_a_date_earlier_and_keeps_their_order(due_dates, months):
    moved = deferral_dates(tuple(due_dates), months)

    assert all(new > old for old, new in zip(due_dates, moved, strict=True))
    assert list(moved) == sorted(moved)


@given(case=cases(), policy=any_policy)
def test_a_deferral_option_moves_the_loan_past_the_start(case, policy):
    for option in arrangement_quote(case, policy, kinds=("deferral",)).options:
        assert option.first_due_date > case.start
        assert option.first_due_date > case.unpaid_due_dates[0]
        assert option.last_due_date >= option.first_due_date


@given(start=days, day_of_month=st.integers(1, 31), periods=st.integers(1, 60))
def test_plan_dates_come_a_month_apart_on_the_usual_day(start, day_of_month, periods):
    dates = plan_due_dates(start, day_of_month, periods)

    assert dates[0] >= add_months(start, 1)
    assert dates[0] <= add_months(start, 2, day_of_month)
    for before, after in zip(dates, dates[1:], strict=False):
        assert (after.year * 12 + after.month) - (before.year * 12 + before.month) == 1
    assert all(d.day == day_of_month or d.day < day_of_month for d in dates)


@given(case=cases(), policy=any_policy)
def test_an_eligible_case_always_has_an_option_and_an_ineligible_one_a_reason(case, policy):
    quote = arrangement_quote(case, policy)

    assert quote.eligible is bool(quote.options)
    if not quote.eligible:
        assert quote.not_eligible_reasons
    assert quote.policy_version == policy.version


@given(case=cases(), policy=any_policy)
def test_every_option_is_one_the_policy_offers_and_carries_its_decision_marks(case, policy):
    terms = policy.arrangements
    for option in arrangement_quote(case, policy).options:
        offered = terms.plan.periods if option.kind == "plan" else terms.deferral.months
        assert option.term in offered
        assert option.total >= 0 and option.extra_interest >= 0
        if option.needs_second_approval:
            assert (
                option.total > terms.four_eyes.amount_over
                or option.term > terms.four_eyes.plan_periods_over
            )
        if option.auto_approvable:
            assert not option.needs_second_approval
