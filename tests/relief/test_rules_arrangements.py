"""The arrangement rules against figures worked out by hand from domain.md §9.

Policy version 2 as shipped: deferral of 1, 2 or 3 months, no interest discount; plans of 3,
6, 12, 24, 36 or 60 periods at 0%, broken 30 days after a due date; affordable up to 50% of
the income; a plan needs 500.00 overdue and 1 day past due, a deferral at most 90 days past
due; one deferral in 12 months, no plan for 12 months after one broke; automatic up to a
12-period plan or a 1-month deferral and 5,000.00, none in the last 12 months; four eyes
over 50,000.00 or 36 periods.
"""

import copy
from datetime import date
from decimal import Decimal

import pytest

from relief.rules import (
    DEFAULT_POLICY_DOCUMENT,
    POLICY_V2_DOCUMENT,
    ArrangementCase,
    add_months,
    arrangement_needs_second_approval,
    arrangement_quote,
    default_policy,
    deferral_dates,
    deferral_interest,
    parse_policy,
    plan_due_dates,
    plan_first_due,
    plan_interest,
    plan_split,
    policy_v2,
)

D = Decimal
START = date(2025, 6, 10)


def make_case(**overrides) -> ArrangementCase:
    """domain.md §8's loan on 10 June 2025: 2,000.00 (1,875.00 principal, 125.00 interest)
    due 21 May, 20 days ago, penalty 26.60; the next 2,000.00 due 20 June; 18% a year."""
    values = {
        "start": START,
        "days_overdue": 20,
        "overdue_principal": D("1875.00"),
        "overdue_interest": D("125.00"),
        "penalty_outstanding": D("26.60"),
        "unpaid_principal": D("3750.00"),
        "unpaid_amount": D("4000.00"),
        "first_unpaid_amount": D("2000.00"),
        "unpaid_due_dates": (date(2025, 5, 21), date(2025, 6, 20)),
        "regular_installment": D("2000.00"),
        "annual_rate": D("0.18"),
        "day_of_month": 21,
        "reason": "serious_illness",
    }
    values.update(overrides)
    return ArrangementCase(**values)


def policy_with(edit, version: int = 2):
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    edit(document["arrangements"])
    return parse_policy(document, version=version)


def options(quote, kind=None):
    return {(o.kind, o.term): o for o in quote.options if kind is None or o.kind == kind}


# --- §9's worked example -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "each", "last"),
    [(6, "334.22", "334.22"), (12, "167.11", "167.11"), (3, "668.44", "668.44")],
    ids=["six_of_334_22", "twelve_of_167_11", "three_of_668_44"],
)
def test_worked_example_with_relief_80_percent(periods, each, last):
    quote = arrangement_quote(make_case(relief=D("21.28")), policy_v2())

    option = quote.option("plan", periods)
    assert option.moved == D("2005.32")
    assert option.total == D("2005.32")
    assert option.installment_amount == D(each)
    assert option.last_installment_amount == D(last)
    assert option.extra_interest == D("0.00")
    assert option.first_due_date == date(2025, 7, 21)
    assert plan_split(option.total, periods) == (D(each),) * (periods - 1) + (D(last),)


def test_worked_example_without_relief_moves_the_whole_penalty():
    option = arrangement_quote(make_case(), policy_v2()).option("plan", 6)

    assert option.interest_waived == D("0.00")
    assert (option.kind, option.periods, option.months, option.term) == ("plan", 6, None, 6)
    assert option.total == D("2026.60")
    assert option.installment_amount == D("337.76")
    assert option.last_installment_amount == D("337.80")


def test_plan_of_24_puts_the_remainder_on_the_last_installment():
    option = arrangement_quote(make_case(relief=D("21.28")), policy_v2()).option("plan", 24)

    assert option.installment_amount == D("83.55")
    assert option.last_installment_amount == D("83.67")
    assert option.last_due_date == date(2027, 6, 21)


def test_deferral_of_one_month_on_1700_principal_at_18_percent_adds_25_50():
    assert deferral_interest(D("1700.00"), D("0.18"), 1).charged == D("25.50")

    quote = arrangement_quote(make_case(unpaid_principal=D("1700.00")), policy_v2())
    option = quote.option("deferral", 1)
    assert option.extra_interest == D("25.50")
    assert option.interest_waived == D("0.00")


def test_deferral_option_figures():
    quote = arrangement_quote(make_case(relief=D("21.28")), policy_v2())

    option = quote.option("deferral", 2)
    # 3,750.00 × 18% × 60 / 360 = 112.50; first payment: 2,000.00 + 112.50 + 5.32.
    assert option.extra_interest == D("112.50")
    assert option.installment_amount == D("2117.82")
    assert option.monthly_payment == D("2117.82")
    assert option.total == D("4117.82")
    assert option.moved == D("4000.00")
    assert option.first_due_date == date(2025, 7, 21)
    assert option.last_due_date == date(2025, 8, 20)


def test_deferral_interest_discount_waives_its_share_rounded_half_up():
    interest = deferral_interest(D("1700.60"), D("0.18"), 1, discount_percent=50)

    # 1,700.60 × 0.18 / 12 = 25.509 → 25.51; half of it 12.755 → 12.76 waived.
    assert interest.full == D("25.51")
    assert interest.waived == D("12.76")
    assert interest.charged == D("12.75")


def test_deferral_discount_rounds_half_up_even_after_an_even_fen():
    interest = deferral_interest(D("16.67"), D("0.18"), 1, discount_percent=50)

    # 16.67 × 0.015 = 0.25005 → 0.25; half of it 0.125 → 0.13 (not 0.12).
    assert (interest.full, interest.waived, interest.charged) == (
        D("0.25"),
        D("0.13"),
        D("0.12"),
    )


def test_deferral_discount_from_the_policy_shows_on_the_option():
    policy = policy_with(lambda a: a["deferral"].update(interest_discount_percent=100))

    option = arrangement_quote(make_case(unpaid_principal=D("1700.00")), policy).option(
        "deferral", 1
    )

    assert option.extra_interest == D("0.00")
    assert option.interest_waived == D("25.50")


@pytest.mark.parametrize(
    ("principal", "rate", "months", "charged"),
    [
        ("1700.00", "0.18", 3, "76.50"),
        ("0.00", "0.18", 1, "0.00"),
        ("100.03", "0.24", 1, "2.00"),
        ("100.02", "0.24", 1, "2.00"),
        ("102.50", "0.24", 1, "2.05"),
        ("0.25", "0.24", 1, "0.01"),
        ("0.20", "0.24", 1, "0.00"),
    ],
    ids=["three_months", "no_principal", "round_down", "round_down_2", "exact", "half_up", "down"],
)
def test_deferral_interest_rounds_half_up_to_the_fen(principal, rate, months, charged):
    assert deferral_interest(D(principal), D(rate), months).charged == D(charged)


# --- plan arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "periods", "expected"),
    [
        ("100.00", 3, ("33.33", "33.33", "33.34")),
        ("100.00", 4, ("25.00", "25.00", "25.00", "25.00")),
        ("0.05", 3, ("0.01", "0.01", "0.03")),
        ("10.00", 1, ("10.00",)),
        ("2005.32", 6, ("334.22",) * 6),
        ("1.99", 2, ("0.99", "1.00")),
    ],
)
def test_plan_split_floors_each_and_puts_the_remainder_last(total, periods, expected):
    assert plan_split(D(total), periods) == tuple(D(e) for e in expected)


@pytest.mark.parametrize("periods", [0, -1, True, 2.0])
def test_plan_split_refuses_periods_that_are_not_a_positive_whole_number(periods):
    with pytest.raises(ValueError, match="periods"):
        plan_split(D("100.00"), periods)


@pytest.mark.parametrize(
    ("moved", "rate", "periods", "interest"),
    [
        ("1000.00", "0.12", 6, "35.00"),
        ("1000.00", "0", 6, "0.00"),
        ("1000.00", "0.12", 1, "10.00"),
        ("100.00", "0.01", 1, "0.08"),
        ("100.00", "0.03", 2, "0.38"),
        ("100.00", "0.01", 2, "0.13"),
    ],
    ids=["six_at_12", "zero_rate", "one_period", "rounds_down", "rounds_half_up", "half_even_up"],
)
def test_plan_interest_on_the_declining_balance(moved, rate, periods, interest):
    assert plan_interest(D(moved), D(rate), periods) == D(interest)


def test_plan_interest_is_part_of_the_total_and_its_installments():
    policy = policy_with(lambda a: a["plan"].update(annual_rate="0.12"))

    option = arrangement_quote(make_case(relief=D("21.28")), policy).option("plan", 6)

    # 2,005.32 × 0.12 × 7 / 24 = 70.1862 → 70.19.
    assert option.extra_interest == D("70.19")
    assert option.total == D("2075.51")
    assert option.installment_amount == D("345.91")
    assert option.last_installment_amount == D("345.96")


@pytest.mark.parametrize(
    ("day", "months", "day_of_month", "expected"),
    [
        (date(2025, 1, 31), 1, None, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, None, date(2024, 2, 29)),
        (date(2025, 1, 31), 2, None, date(2025, 3, 31)),
        (date(2025, 3, 31), 1, None, date(2025, 4, 30)),
        (date(2025, 12, 15), 1, None, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, None, date(2026, 2, 28)),
        (date(2025, 1, 15), -1, None, date(2024, 12, 15)),
        (date(2025, 3, 31), -1, None, date(2025, 2, 28)),
        (date(2025, 2, 28), 1, 31, date(2025, 3, 31)),
        (date(2025, 2, 10), 0, 31, date(2025, 2, 28)),
        (date(2100, 1, 31), 1, None, date(2100, 2, 28)),
        (date(2000, 1, 31), 1, None, date(2000, 2, 29)),
        (date(2025, 5, 31), 1, None, date(2025, 6, 30)),
        (date(2025, 8, 31), 1, None, date(2025, 9, 30)),
        (date(2025, 10, 31), 1, None, date(2025, 11, 30)),
        (date(2025, 6, 30), 1, None, date(2025, 7, 30)),
        (date(2025, 7, 31), 1, None, date(2025, 8, 31)),
        (date(2025, 11, 30), 1, 31, date(2025, 12, 31)),
    ],
)
def test_add_months_keeps_the_day_clamped_to_the_month_end(day, months, day_of_month, expected):
    assert add_months(day, months, day_of_month) == expected


@pytest.mark.parametrize(
    ("start", "day_of_month", "first"),
    [
        (date(2025, 3, 10), 25, date(2025, 4, 25)),
        (date(2025, 3, 10), 10, date(2025, 4, 10)),
        (date(2025, 3, 10), 5, date(2025, 5, 5)),
        (date(2025, 1, 31), 31, date(2025, 2, 28)),
        (date(2025, 1, 30), 29, date(2025, 2, 28)),
        (date(2025, 12, 20), 1, date(2026, 2, 1)),
    ],
    ids=["later_that_month", "same_day", "next_month", "clamped", "clamped_later", "year_end"],
)
def test_plan_first_due_is_the_usual_day_at_least_a_month_after_the_start(
    start, day_of_month, first
):
    assert plan_first_due(start, day_of_month) == first


def test_a_plan_that_starts_in_a_short_month_keeps_the_usual_day_after_it():
    # The 31st: first due on 28 February, the next ones on 31 March and 30 April.
    assert plan_due_dates(date(2025, 1, 5), 31, 3) == (
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    )
    option = arrangement_quote(
        make_case(start=date(2025, 1, 5), day_of_month=31), policy_v2(), kinds=("plan",)
    ).option("plan", 3)
    assert (option.first_due_date, option.last_due_date) == (date(2025, 2, 28), date(2025, 4, 30))


def test_plan_due_dates_keep_the_usual_day_after_a_short_month():
    assert plan_due_dates(date(2024, 12, 31), 31, 4) == (
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    )


def test_deferral_dates_move_each_due_date_keeping_its_day():
    assert deferral_dates((date(2025, 1, 31), date(2025, 2, 28)), 1) == (
        date(2025, 2, 28),
        date(2025, 3, 28),
    )


# --- eligibility ---------------------------------------------------------------------------


def test_every_option_of_the_policy_is_quoted_for_the_worked_example():
    quote = arrangement_quote(make_case(), policy_v2())

    assert quote.eligible
    assert list(options(quote)) == [
        ("deferral", 1),
        ("deferral", 2),
        ("deferral", 3),
        ("plan", 3),
        ("plan", 6),
        ("plan", 12),
        ("plan", 24),
        ("plan", 36),
        ("plan", 60),
    ]
    assert quote.not_eligible_reasons == ()
    assert quote.policy_version == 2
    assert quote.option("plan", 7) is None


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        ({"written_off": True}, ("written_off",)),
        ({"legal_proceedings": True}, ("legal_proceedings",)),
        ({"fraud_flag": True}, ("fraud_flag",)),
        ({"has_open_application": True}, ("open_application",)),
        ({"has_active_arrangement": True}, ("active_arrangement",)),
        ({"reason": "other", "description_given": False}, ("description_required",)),
        (
            {"fraud_flag": True, "has_active_arrangement": True},
            ("fraud_flag", "active_arrangement"),
        ),
    ],
)
def test_a_loan_that_cannot_have_any_arrangement_gets_no_option(overrides, reasons):
    quote = arrangement_quote(make_case(**overrides), policy_v2())

    assert not quote.eligible
    assert quote.options == ()
    assert quote.not_eligible_reasons == reasons


def test_reason_other_with_a_description_is_eligible():
    assert arrangement_quote(
        make_case(reason="other", description_given=True), policy_v2()
    ).eligible


def test_a_policy_without_arrangements_offers_none():
    quote = arrangement_quote(make_case(relief=D("21.28")), default_policy())

    assert quote.relief == D("21.28")
    assert not quote.eligible
    assert quote.not_eligible_reasons == ("not_offered",)
    assert quote.policy_version == 1


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"days_overdue": 0}, "plan_not_overdue"),
        ({"overdue_principal": D("374.99")}, "plan_too_little_overdue"),
        ({"plan_broken_on": date(2024, 6, 11)}, "plan_broken_recently"),
    ],
)
def test_a_plan_needs_overdue_money_and_no_recent_broken_plan(overrides, reason):
    quote = arrangement_quote(make_case(**overrides), policy_v2(), kinds=("plan",))

    assert not quote.eligible
    assert quote.not_eligible_reasons == (reason,)


@pytest.mark.parametrize(
    "overrides",
    [
        {"days_overdue": 1},
        {"overdue_principal": D("375.00")},
        {"plan_broken_on": date(2024, 6, 10)},
    ],
    ids=["one_day_overdue", "exactly_500_overdue", "broke_12_months_ago"],
)
def test_a_plan_at_the_edges_of_eligibility(overrides):
    assert arrangement_quote(make_case(**overrides), policy_v2(), kinds=("plan",)).eligible


def test_the_penalty_does_not_count_towards_the_plans_minimum_overdue():
    case = make_case(
        overdue_principal=D("374.99"), overdue_interest=D("125.00"), penalty_outstanding=D("99")
    )

    quote = arrangement_quote(case, policy_v2(), kinds=("plan",))

    assert quote.not_eligible_reasons == ("plan_too_little_overdue",)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"days_overdue": 91}, "deferral_too_late"),
        ({"last_deferral_on": date(2024, 6, 11)}, "deferral_recently"),
        ({"unpaid_due_dates": ()}, "nothing_to_defer"),
        ({"unpaid_due_dates": (date(2025, 3, 10),)}, "deferral_too_short"),
    ],
)
def test_a_deferral_needs_a_recent_due_date_and_no_deferral_within_a_year(overrides, reason):
    quote = arrangement_quote(make_case(**overrides), policy_v2(), kinds=("deferral",))

    assert not quote.eligible
    assert quote.not_eligible_reasons == (reason,)


@pytest.mark.parametrize(
    "overrides",
    [
        {"days_overdue": 90},
        {"days_overdue": 0},
        {"last_deferral_on": date(2024, 6, 10)},
    ],
    ids=["90_days_overdue", "not_overdue", "deferred_12_months_ago"],
)
def test_a_deferral_at_the_edges_of_eligibility(overrides):
    assert arrangement_quote(make_case(**overrides), policy_v2(), kinds=("deferral",)).eligible


def test_a_deferral_that_would_leave_the_loan_overdue_is_not_offered():
    # 40 days overdue: one month later is still 9 days ago; two and three months help.
    quote = arrangement_quote(
        make_case(days_overdue=40, unpaid_due_dates=(date(2025, 5, 1),)),
        policy_v2(),
        kinds=("deferral",),
    )

    assert list(options(quote)) == [("deferral", 2), ("deferral", 3)]
    assert quote.option("deferral", 2).first_due_date == date(2025, 7, 1)


def test_a_deferral_landing_on_the_start_day_is_not_offered():
    quote = arrangement_quote(
        make_case(unpaid_due_dates=(date(2025, 5, 10),)), policy_v2(), kinds=("deferral",)
    )

    assert list(options(quote)) == [("deferral", 2), ("deferral", 3)]


def test_reasons_for_the_kind_not_offered_come_with_the_other_kinds_options():
    quote = arrangement_quote(make_case(days_overdue=91), policy_v2())

    assert quote.eligible
    assert {o.kind for o in quote.options} == {"plan"}
    assert quote.not_eligible_reasons == ("deferral_too_late",)


def test_only_the_kinds_asked_for_are_quoted():
    quote = arrangement_quote(make_case(days_overdue=91), policy_v2(), kinds=("deferral",))

    assert quote.options == ()
    assert quote.not_eligible_reasons == ("deferral_too_late",)


def test_a_kind_with_no_options_in_the_policy_is_not_offered():
    policy = policy_with(lambda a: a["plan"].update(periods=[]))

    quote = arrangement_quote(make_case(), policy)

    assert {o.kind for o in quote.options} == {"deferral"}
    assert quote.not_eligible_reasons == ("plan_not_offered",)

    policy = policy_with(lambda a: a["deferral"].update(months=[]))
    quote = arrangement_quote(make_case(), policy)
    assert {o.kind for o in quote.options} == {"plan"}
    assert quote.not_eligible_reasons == ("deferral_not_offered",)


def test_a_plan_of_less_than_a_fen_an_installment_is_not_offered():
    policy = policy_with(lambda a: a["eligibility"].update(plan_min_overdue="0.00"))
    case = make_case(
        overdue_principal=D("0.03"), overdue_interest=D("0.00"), penalty_outstanding=D("0.00")
    )

    quote = arrangement_quote(case, policy, kinds=("plan",))

    assert list(options(quote)) == [("plan", 3)]
    assert quote.option("plan", 3).installment_amount == D("0.01")


# --- affordability -------------------------------------------------------------------------


def test_affordability_compares_the_largest_monthly_payment_with_half_the_income():
    # Plan of 24: last installment 83.67 + the regular 2,000.00 = 2,083.67.
    quote = arrangement_quote(
        make_case(relief=D("21.28"), monthly_income=D("4167.35")), policy_v2(), kinds=("plan",)
    )

    option = quote.option("plan", 24)
    assert option.monthly_payment == D("2083.67")
    assert option.affordable_limit == D("2083.67")  # 4,167.35 × 0.50 = 2,083.675, down
    assert option.affordable is True
    assert quote.option("plan", 12).affordable is False
    assert quote.option("plan", 12).monthly_payment == D("2167.11")
    assert quote.option("plan", 36).affordable is True


def test_one_fen_over_the_share_is_not_affordable_and_not_automatic():
    quote = arrangement_quote(
        make_case(relief=D("21.28"), monthly_income=D("4167.32")), policy_v2(), kinds=("plan",)
    )

    option = quote.option("plan", 24)
    assert option.affordable_limit == D("2083.66")
    assert option.affordable is False
    assert "not_affordable" in option.auto_approval_blockers


def test_without_an_income_affordability_is_not_known():
    option = arrangement_quote(make_case(), policy_v2()).option("plan", 6)

    assert option.affordable is None
    assert option.affordable_limit is None
    assert "not_affordable" not in option.auto_approval_blockers


def test_a_deferral_at_the_limit_is_affordable_and_one_fen_over_is_not():
    # 1 month: 2,000.00 + 56.25 + 26.60 = 2,082.85; half of 4,165.70 is exactly that.
    at_limit = arrangement_quote(
        make_case(monthly_income=D("4165.70")), policy_v2(), kinds=("deferral",)
    ).option("deferral", 1)
    over = arrangement_quote(
        make_case(monthly_income=D("4165.68")), policy_v2(), kinds=("deferral",)
    ).option("deferral", 1)

    assert (at_limit.affordable, at_limit.affordable_limit) == (True, D("2082.85"))
    assert "not_affordable" not in at_limit.auto_approval_blockers
    assert (over.affordable, over.affordable_limit) == (False, D("2082.84"))
    assert "not_affordable" in over.auto_approval_blockers


def test_a_deferral_is_affordable_by_its_first_payment():
    quote = arrangement_quote(
        make_case(monthly_income=D("4112.50")), policy_v2(), kinds=("deferral",)
    )

    # 1 month: 2,000.00 + 56.25 + 26.60 = 2,082.85 > 2,056.25.
    assert quote.option("deferral", 1).monthly_payment == D("2082.85")
    assert quote.option("deferral", 1).affordable is False


def test_the_loans_regular_installment_counts_towards_a_plans_monthly_payment():
    option = arrangement_quote(
        make_case(regular_installment=D("0.00")), policy_v2(), kinds=("plan",)
    ).option("plan", 3)

    assert option.monthly_payment == option.last_installment_amount


# --- decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "term", "overrides", "blockers"),
    [
        ("plan", 12, {}, ()),
        ("plan", 24, {}, ("plan_periods_over_limit",)),
        ("deferral", 1, {"unpaid_amount": D("2000.00")}, ()),
        ("deferral", 1, {"unpaid_amount": D("6000.00")}, ("amount_over_limit",)),
        ("deferral", 2, {"unpaid_amount": D("2000.00")}, ("deferral_months_over_limit",)),
        ("plan", 6, {"arrangements_12m": 1}, ("recent_arrangement",)),
        ("plan", 6, {"risk_flag": True}, ("risk_flag",)),
        ("plan", 6, {"overdue_principal": D("4848.40")}, ()),
        ("plan", 6, {"overdue_principal": D("4848.41")}, ("amount_over_limit",)),
    ],
    ids=[
        "plan_of_12",
        "plan_of_24",
        "deferral_of_1",
        "deferral_over_5000",
        "deferral_of_2",
        "recent_arrangement",
        "risk_flag",
        "amount_at_5000",
        "amount_over_5000",
    ],
)
def test_auto_approval_of_an_option(kind, term, overrides, blockers):
    option = arrangement_quote(make_case(**overrides), policy_v2()).option(kind, term)

    assert option.auto_approval_blockers == blockers
    assert option.auto_approvable is (not blockers)


def test_a_deferral_judged_by_its_total_not_its_first_payment():
    option = arrangement_quote(
        make_case(unpaid_amount=D("4943.74"), unpaid_principal=D("1000.00")), policy_v2()
    ).option("deferral", 1)

    # 4,943.74 + 15.00 + 26.60 = 4,985.34: within the automatic limit.
    assert option.total == D("4985.34")
    assert option.auto_approvable


@pytest.mark.parametrize(
    ("kind", "term", "total", "expected"),
    [
        ("plan", 36, "50000.00", False),
        ("plan", 60, "100.00", True),
        ("plan", 12, "50000.01", True),
        ("deferral", 60, "100.00", False),
        ("deferral", 3, "50000.01", True),
    ],
    ids=["plan_36_at_limit", "plan_60", "over_50000", "deferral_term_not_periods", "deferral"],
)
def test_four_eyes_over_50000_or_more_than_36_periods(kind, term, total, expected):
    assert (
        arrangement_needs_second_approval(policy_v2(), kind=kind, term=term, total=D(total))
        is expected
    )


def test_four_eyes_under_a_policy_without_arrangements_is_never_needed():
    assert not arrangement_needs_second_approval(
        default_policy(), kind="plan", term=60, total=D("99999999.00")
    )


def test_options_carry_their_four_eyes_mark():
    quote = arrangement_quote(make_case(), policy_v2(), kinds=("plan",))

    assert [o.needs_second_approval for o in quote.options] == [
        False,
        False,
        False,
        False,
        False,
        True,
    ]


def test_the_quote_carries_the_relief_it_was_given():
    assert arrangement_quote(make_case(relief=D("21.28")), policy_v2()).relief == D("21.28")
    assert arrangement_quote(make_case(), policy_v2()).relief == D("0.00")


def test_relief_above_the_penalty_leaves_no_penalty_to_move():
    option = arrangement_quote(make_case(relief=D("30.00")), policy_v2()).option("plan", 3)

    assert option.moved == D("2000.00")


# --- the case -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": "boredom"}, "reason"),
        ({"days_overdue": -1}, "days_overdue"),
        ({"days_overdue": True}, "days_overdue"),
        ({"arrangements_12m": -1}, "arrangements_12m"),
        ({"day_of_month": 0}, "day_of_month"),
        ({"day_of_month": 32}, "day_of_month"),
        ({"day_of_month": True}, "day_of_month"),
        ({"overdue_principal": 10.0}, "overdue_principal"),
        ({"overdue_interest": D("-0.01")}, "overdue_interest"),
        ({"penalty_outstanding": D("NaN")}, "penalty_outstanding"),
        ({"unpaid_principal": None}, "unpaid_principal"),
        ({"unpaid_amount": D("-1")}, "unpaid_amount"),
        ({"first_unpaid_amount": D("Infinity")}, "first_unpaid_amount"),
        ({"regular_installment": 1}, "regular_installment"),
        ({"annual_rate": D("-0.1")}, "annual_rate"),
        ({"relief": D("-1")}, "relief"),
        ({"monthly_income": 5000.0}, "monthly_income"),
        ({"monthly_income": D("-1")}, "monthly_income"),
        ({"monthly_income": D("Infinity")}, "monthly_income"),
        ({"unpaid_due_dates": (date(2025, 6, 20), date(2025, 5, 21))}, "unpaid_due_dates"),
    ],
)
def test_case_refuses_values_the_rules_cannot_use(overrides, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        make_case(**overrides)


def test_case_names_the_reasons_it_takes():
    with pytest.raises(ValueError) as caught:
        make_case(reason="boredom")
    assert str(caught.value) == (
        "reason must be one of serious_illness, accident, natural_disaster, unemployment, "
        "income_drop, family_emergency, other"
    )


def test_a_deferral_option_has_one_payment_amount_and_its_four_eyes_mark():
    quote = arrangement_quote(
        make_case(unpaid_amount=D("60000.00")), policy_v2(), kinds=("deferral",)
    )

    one = quote.option("deferral", 1)
    assert one.last_installment_amount == one.installment_amount == D("2082.85")
    assert one.needs_second_approval is True  # 60,000.00 + 56.25 + 26.60 > 50,000.00
    assert (
        arrangement_quote(make_case(), policy_v2()).option("deferral", 3).needs_second_approval
        is False
    )


def test_case_takes_the_31st_as_a_usual_day():
    assert make_case(day_of_month=31).day_of_month == 31
    assert make_case(day_of_month=1).day_of_month == 1


def test_case_defaults():
    case = make_case()

    assert case.relief == D("0.00")
    assert case.monthly_income is None
    assert case.description_given
    assert not (
        case.written_off
        or case.legal_proceedings
        or case.fraud_flag
        or case.has_open_application
        or case.has_active_arrangement
        or case.risk_flag
    )
    assert case.last_deferral_on is None and case.plan_broken_on is None
    assert case.arrangements_12m == 0
    assert case.overdue == D("2000.00")
    assert case.penalty_after_relief == D("26.60")


def test_version_1_document_is_unchanged_by_the_arrangements():
    assert "arrangements" not in DEFAULT_POLICY_DOCUMENT
    assert default_policy().arrangements is None
