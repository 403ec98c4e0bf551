from datetime import date, timedelta
from decimal import Decimal

import pytest

from loans import calculations as calc
from loans.calculations import Accrual, Owed

D = Decimal
DUE = date(2026, 3, 1)
ZERO_ACCRUAL = Accrual(D("0.00"), D("0.00"), None)


@pytest.mark.parametrize(
    ("annual", "markup", "cap", "expected"),
    [
        (D("0.18"), D("0.50"), D("0.24"), D("0.24")),  # 27% capped at 24%
        (D("0.12"), D("0.50"), D("0.24"), D("0.18")),  # under the cap
        (D("0.24"), D("0.30"), D("0.24"), D("0.24")),  # CARD24
        (D("0.16"), D("0.50"), D("0.24"), D("0.24")),  # exactly at the cap
    ],
)
def test_penalty_rate_is_contract_rate_plus_markup_never_above_cap(annual, markup, cap, expected):
    assert calc.penalty_rate(annual, markup, cap) == expected


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        (D("2000.00"), D("0.24"), D("1.33")),  # 1.3333 rounds down
        (D("1000.00"), D("0.18"), D("0.50")),
        (D("1012.50"), D("0.24"), D("0.68")),  # 0.675 rounds half up
        (D("0.01"), D("0.24"), D("0.00")),
        (D("0.00"), D("0.24"), D("0.00")),
    ],
)
def test_daily_penalty_rounds_half_up_to_the_fen(base, rate, expected):
    assert calc.daily_penalty(base, rate) == expected


def test_money_rounds_half_up_not_to_even():
    assert calc.money(D("0.125")) == D("0.13")
    assert calc.money(D("2.675")) == D("2.68")


@pytest.mark.parametrize(
    ("basis", "daily", "twenty_days"),
    [
        # domain.md §8's installment: 2,000.00 × 24% a year, 20 days late.
        (360, D("1.33"), D("26.60")),  # 1.3333…
        (365, D("1.32"), D("26.40")),  # 1.3150…
    ],
)
def test_worked_example_penalty_on_each_day_count_basis(basis, daily, twenty_days):
    assert calc.daily_penalty(D("2000.00"), D("0.24"), basis) == daily
    accrual = calc.accrue_to(
        ZERO_ACCRUAL, day=DUE + timedelta(days=20), due_date=DUE, grace_days=3, daily=daily
    )
    assert accrual.penalty_accrued == twenty_days


@pytest.mark.parametrize("basis", [0, 364, 366, 1])
def test_daily_penalty_refuses_an_unknown_day_count_basis(basis):
    with pytest.raises(ValueError, match="day-count basis"):
        calc.daily_penalty(D("2000.00"), D("0.24"), basis)


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (0, "M0"),
        (1, "M1"),
        (30, "M1"),
        (31, "M2"),
        (60, "M2"),
        (61, "M3"),
        (90, "M3"),
        (91, "M4+"),
        (400, "M4+"),
    ],
)
def test_dpd_bucket_edges(dpd, bucket):
    assert calc.bucket(dpd) == bucket


def test_days_overdue_counts_from_the_day_after_the_due_date():
    assert calc.days_overdue(DUE, DUE) == 0
    assert calc.days_overdue(DUE, DUE + timedelta(days=20)) == 20
    assert calc.days_overdue(DUE, DUE - timedelta(days=5)) == 0


DAILY = D("1.33")


def accrue(accrual, days_after_due, daily=DAILY):
    return calc.accrue_to(
        accrual, day=DUE + timedelta(days=days_after_due), due_date=DUE, grace_days=3, daily=daily
    )


def test_worked_example_twenty_days_accrue_26_60():
    assert accrue(ZERO_ACCRUAL, 20) == Accrual(D("26.60"), D("0.00"), DUE + timedelta(days=20))


def test_penalty_during_grace_days_is_held_not_owed():
    held = accrue(ZERO_ACCRUAL, 3)
    assert held.penalty_accrued == 0
    assert held.penalty_held == D("3.99")


def test_first_day_after_grace_makes_every_day_since_due_date_owed():
    owed = accrue(accrue(ZERO_ACCRUAL, 3), 4)
    assert owed == Accrual(D("5.32"), D("0.00"), DUE + timedelta(days=4))


def test_accruing_to_the_same_day_twice_changes_nothing():
    once = accrue(ZERO_ACCRUAL, 20)
    assert accrue(once, 20) == once


def test_accrual_in_steps_equals_accrual_at_once():
    stepped = ZERO_ACCRUAL
    for day in range(1, 21):
        stepped = accrue(stepped, day)
    assert stepped == accrue(ZERO_ACCRUAL, 20)


def test_going_back_removes_the_later_days():
    assert accrue(accrue(ZERO_ACCRUAL, 20), 10) == accrue(ZERO_ACCRUAL, 10)
    assert accrue(accrue(ZERO_ACCRUAL, 20), 2) == accrue(ZERO_ACCRUAL, 2)
    assert accrue(accrue(ZERO_ACCRUAL, 3), 1) == accrue(ZERO_ACCRUAL, 1)


def test_allocation_pays_penalty_then_interest_then_principal_oldest_first():
    owed = [
        Owed(0, D("10.00"), D("100.00"), D("1000.00")),
        Owed(1, D("5.00"), D("100.00"), D("1000.00")),
    ]
    parts, leftover = calc.allocate(D("1150.00"), owed)
    assert [(p.key, p.penalty, p.interest, p.principal) for p in parts] == [
        (0, D("10.00"), D("100.00"), D("1000.00")),
        (1, D("5.00"), D("35.00"), D("0.00")),
    ]
    assert leftover == 0


def test_allocation_parts_sum_to_the_amount_and_leftover_is_reported():
    owed = [Owed(0, D("1.00"), D("2.00"), D("3.00"))]
    parts, leftover = calc.allocate(D("10.00"), owed)
    assert sum(p.total for p in parts) + leftover == D("10.00")
    assert leftover == D("4.00")


def test_waiver_is_spread_oldest_first_never_more_than_each_penalty():
    assert calc.spread_waiver(D("30.00"), [(1, D("20.00")), (2, D("15.00"))]) == [
        (1, D("20.00")),
        (2, D("10.00")),
    ]


def past(due, paid_after_days):
    return calc.PastInstallment(
        due, 3, None if paid_after_days is None else due + timedelta(days=paid_after_days)
    )


def test_history_counts_paid_within_grace_as_on_time_and_leaves_out_unpaid():
    today = date(2026, 11, 1)
    rows = [past(date(2026, m, 1), 0) for m in range(3, 9)]  # six on time
    rows.append(past(date(2026, 9, 1), 3))  # last grace day: on time
    rows.append(past(date(2026, 10, 1), 10))  # ten days late
    rows.append(past(date(2026, 10, 15), None))  # currently overdue: left out
    metrics = calc.history_metrics(rows, first_disbursed_on=date(2026, 2, 1), today=today)
    assert metrics.on_time_ratio == D("0.8750")
    assert metrics.max_past_dpd == 10
    assert metrics.months_on_book == 9
    assert metrics.installments_counted == 8


def test_history_ratio_rounds_down_so_no_one_is_lifted_into_a_better_tier():
    today = date(2026, 11, 1)
    rows = [past(date(2026, 10, 1) - timedelta(days=i), 0) for i in range(6)] + [
        past(date(2026, 1, 1), 9)
    ]
    metrics = calc.history_metrics(rows, first_disbursed_on=None, today=today)
    assert metrics.on_time_ratio == D("0.8571")


def test_history_without_installments_is_perfect():
    metrics = calc.history_metrics([], first_disbursed_on=None, today=date(2026, 1, 1))
    assert metrics.on_time_ratio == 1
    assert metrics.max_past_dpd == 0


def test_history_ignores_installments_older_than_24_months():
    today = date(2026, 11, 1)
    rows = [past(date(2024, 10, 1), 50), past(date(2026, 1, 1), 0)]
    assert calc.history_metrics(rows, first_disbursed_on=None, today=today).on_time_ratio == 1


def test_months_before_clamps_to_month_end():
    assert calc.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert calc.months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)


def test_daily_penalty_charges_a_base_under_one_yuan():
    # 0.90 at 400% a year is 0.01 a day: small bases are not rounded away before the rule.
    assert calc.daily_penalty(D("0.90"), D("4.00")) == D("0.01")


def test_repayment_back_dated_to_the_last_grace_day_holds_the_penalty_again():
    # Accrued through day 10 (owed), then a repayment dated the last grace day (day 3):
    # the three days are held again, as if the accrual had stopped there.
    back = accrue(accrue(ZERO_ACCRUAL, 10), 3)
    assert back == Accrual(D("0.00"), D("3.99"), DUE + timedelta(days=3))
    assert back == accrue(ZERO_ACCRUAL, 3)


def test_repayment_back_dated_to_the_day_after_grace_keeps_the_penalty_owed():
    back = accrue(accrue(ZERO_ACCRUAL, 10), 4)
    assert back == Accrual(D("5.32"), D("0.00"), DUE + timedelta(days=4))


def test_payment_running_out_mid_installment_leaves_the_later_ones_untouched():
    owed = [
        Owed(0, D("0.00"), D("0.00"), D("100.00")),
        Owed(1, D("1.00"), D("2.00"), D("100.00")),
        Owed(2, D("1.00"), D("2.00"), D("100.00")),
    ]
    parts, leftover = calc.allocate(D("100.50"), owed)
    assert [(p.key, p.penalty, p.interest, p.principal) for p in parts] == [
        (0, D("0.00"), D("0.00"), D("100.00")),
        (1, D("0.50"), D("0.00"), D("0.00")),
    ]
    assert leftover == D("0.00")


def test_waiver_smaller_than_a_yuan_still_reaches_the_next_installment():
    assert calc.spread_waiver(D("20.50"), [(1, D("20.00")), (2, D("15.00"))]) == [
        (1, D("20.00")),
        (2, D("0.50")),
    ]


def test_waiver_skips_installments_with_no_penalty_and_stops_when_spent():
    penalties = [(1, D("0.00")), (2, D("0.40")), (3, D("-1.00")), (4, D("5.00")), (5, D("5.00"))]
    assert calc.spread_waiver(D("3.00"), penalties) == [(2, D("0.40")), (4, D("2.60"))]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 15), date(2026, 1, 15), 0),
        (date(2026, 1, 15), date(2026, 2, 14), 0),  # a day short of a month
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2024, 1, 15), date(2026, 3, 14), 25),  # across years, a day short
        (date(2024, 1, 15), date(2026, 3, 15), 26),
        (date(2026, 3, 1), date(2026, 1, 1), 0),  # end before start
    ],
)
def test_months_between_counts_whole_calendar_months(start, end, months):
    assert calc.months_between(start, end) == months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 31), 1, date(2026, 4, 30)),  # 30-day month
        (date(2024, 3, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 31), -1, date(2026, 2, 28)),  # forward, as the demo schedules do
    ],
)
def test_months_before_keeps_the_day_or_the_month_end(day, months, expected):
    assert calc.months_before(day, months) == expected


TODAY = date(2026, 11, 1)
WINDOW_START = date(2024, 11, 1)  # 24 months before TODAY: the first day left out


@pytest.mark.parametrize(
    ("due", "counted"),
    [
        (WINDOW_START, False),
        (WINDOW_START + timedelta(days=1), True),
        (TODAY, True),
    ],
)
def test_history_window_is_the_24_months_up_to_today(due, counted):
    metrics = calc.history_metrics([past(due, 0)], first_disbursed_on=None, today=TODAY)
    assert metrics.installments_counted == (1 if counted else 0)


def test_history_counts_installments_after_one_left_out():
    rows = [past(date(2026, 10, 1), None), past(date(2026, 9, 1), 10)]
    metrics = calc.history_metrics(rows, first_disbursed_on=None, today=TODAY)
    assert (metrics.installments_counted, metrics.on_time_ratio) == (1, D("0.0000"))


def test_history_ratio_rounds_down_where_half_up_or_half_even_would_not():
    # 2 of 3 on time = 0.66666…: down 0.6666, not 0.6667.
    rows = [past(date(2026, m, 1), 0) for m in (7, 8)] + [past(date(2026, 9, 1), 10)]
    metrics = calc.history_metrics(rows, first_disbursed_on=None, today=TODAY)
    assert metrics.on_time_ratio == D("0.6666")


def test_history_without_a_disbursal_date_has_no_months_on_book():
    metrics = calc.history_metrics([], first_disbursed_on=None, today=TODAY)
    assert metrics.months_on_book == 0


# An offer accepted 20 days after the due date, its deadline 15 days later (domain.md §7).
FREEZE = calc.Freeze(DUE + timedelta(days=20), DUE + timedelta(days=35))


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (0, 20, 0),  # before the freeze
        (20, 35, 15),  # exactly the freeze
        (10, 25, 5),  # into it
        (30, 40, 5),  # out of it
        (0, 50, 15),  # across it
        (35, 40, 0),  # after it
        (22, 24, 2),  # inside it
    ],
)
def test_frozen_days_are_the_days_of_the_range_inside_the_freeze(start, end, days):
    first, last = DUE + timedelta(days=start), DUE + timedelta(days=end)
    assert calc.frozen_days(first, last, FREEZE) == days
    assert calc.frozen_days(first, last, None) == 0


def test_days_inside_a_freeze_count_apart_and_are_not_owed():
    at_acceptance = accrue(ZERO_ACCRUAL, 20)
    at_deadline = calc.accrue_to(
        at_acceptance,
        day=DUE + timedelta(days=40),
        due_date=DUE,
        grace_days=3,
        daily=D("1.33"),
        freeze=FREEZE,
    )
    # 20 days before it and 5 after it are owed; its 15 days are frozen.
    assert at_deadline == Accrual(D("33.25"), D("0.00"), DUE + timedelta(days=40), D("19.95"))
    back = calc.accrue_to(
        at_deadline,
        day=DUE + timedelta(days=30),
        due_date=DUE,
        grace_days=3,
        daily=D("1.33"),
        freeze=FREEZE,
    )
    assert back == Accrual(D("26.60"), D("0.00"), DUE + timedelta(days=30), D("13.30"))


def test_unfreezing_owes_the_frozen_days_as_if_never_frozen():
    frozen = Accrual(D("26.60"), D("0.00"), DUE + timedelta(days=35), D("19.95"))
    assert calc.unfreeze(frozen, due_date=DUE, grace_days=3) == Accrual(
        D("46.55"), D("0.00"), DUE + timedelta(days=35)
    )
    never_frozen = accrue(ZERO_ACCRUAL, 35)
    assert never_frozen.penalty_accrued == D("46.55")


def test_unfreezing_within_the_grace_days_holds_the_penalty_again():
    frozen = Accrual(D("0.00"), D("0.00"), DUE + timedelta(days=2), D("2.66"))
    assert calc.unfreeze(frozen, due_date=DUE, grace_days=3) == Accrual(
        D("0.00"), D("2.66"), DUE + timedelta(days=2)
    )
    nothing_frozen = Accrual(D("1.00"), D("0.00"), DUE + timedelta(days=9))
    assert calc.unfreeze(nothing_frozen, due_date=DUE, grace_days=3) is nothing_frozen


# A freeze from the first day after the due date, inside the 3 grace days and beyond them.
EARLY_FREEZE = calc.Freeze(DUE + timedelta(days=1), DUE + timedelta(days=16))


def frozen_accrue(accrual, days_after_due, freeze):
    return calc.accrue_to(
        accrual,
        day=DUE + timedelta(days=days_after_due),
        due_date=DUE,
        grace_days=3,
        daily=DAILY,
        freeze=freeze,
    )


def test_a_freeze_accrued_in_two_steps_adds_up_as_in_one():
    inside = frozen_accrue(accrue(ZERO_ACCRUAL, 20), 25, FREEZE)
    assert inside.penalty_frozen == D("6.65")
    assert frozen_accrue(inside, 40, FREEZE) == Accrual(
        D("33.25"), D("0.00"), DUE + timedelta(days=40), D("19.95")
    )


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # Within the grace days: day 1 held, day 2 frozen.
        ((2,), Accrual(D("0.00"), D("1.33"), DUE + timedelta(days=2), D("1.33"))),
        # Back within the grace days: one frozen day of two taken off.
        ((3, 2), Accrual(D("0.00"), D("1.33"), DUE + timedelta(days=2), D("1.33"))),
        # Past the grace days: day 1 owed, days 2–10 frozen.
        ((10,), Accrual(D("1.33"), D("0.00"), DUE + timedelta(days=10), D("11.97"))),
        # Back inside the grace days from after them: day 1 held again, day 2 still frozen.
        ((10, 2), Accrual(D("0.00"), D("1.33"), DUE + timedelta(days=2), D("1.33"))),
    ],
)
def test_a_freeze_inside_the_grace_days_keeps_its_days_apart(steps, expected):
    accrual = ZERO_ACCRUAL
    for days in steps:
        accrual = frozen_accrue(accrual, days, EARLY_FREEZE)
    assert accrual == expected


def test_unfreezing_on_the_last_grace_day_holds_the_penalty():
    on_last_grace_day = Accrual(D("0.00"), D("2.66"), DUE + timedelta(days=3), D("1.33"))
    assert calc.unfreeze(on_last_grace_day, due_date=DUE, grace_days=3) == Accrual(
        D("0.00"), D("3.99"), DUE + timedelta(days=3)
    )


# --- arrangements (domain.md §9) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 6, 10), 12, date(2026, 6, 10)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
    ],
)
def test_months_after_keeps_the_day_clamped_to_the_month_end(day, months, expected):
    assert calc.months_after(day, months) == expected


def test_a_plan_installment_holds_the_moved_penalty_first_then_interest_then_principal():
    parts = calc.fill_in_order([D("334.22")] * 6, [D("5.32"), D("125.00"), D("0.00"), D("1875.00")])

    assert parts[0] == [D("5.32"), D("125.00"), D("0.00"), D("203.90")]
    assert parts[1:] == [[D("0.00"), D("0.00"), D("0.00"), D("334.22")]] * 5


def test_filling_crosses_from_one_part_into_the_next_inside_an_amount():
    parts = calc.fill_in_order([D("3.00"), D("4.00")], [D("2.50"), D("4.50")])

    assert parts == [[D("2.50"), D("0.50")], [D("0.00"), D("4.00")]]


def test_filling_skips_empty_parts_and_every_amount_adds_up():
    amounts = [D("0.01"), D("10.00"), D("0.99")]
    parts = calc.fill_in_order(amounts, [D("0.00"), D("5.00"), D("0.00"), D("6.00")])

    assert [sum(pieces) for pieces in parts] == amounts
    assert [sum(column) for column in zip(*parts, strict=True)] == [
        D("0.00"),
        D("5.00"),
        D("0.00"),
        D("6.00"),
    ]


@pytest.mark.parametrize(
    ("amounts", "parts", "message"),
    [
        ([D("1.00")], [D("0.99")], "must add up"),
        ([D("1.00"), D("-1.00")], [D("0.00")], "negative"),
        ([D("1.00")], [D("2.00"), D("-1.00")], "negative"),
    ],
)
def test_filling_refuses_amounts_that_do_not_add_up_to_the_parts(amounts, parts, message):
    with pytest.raises(ValueError, match=message):
        calc.fill_in_order(amounts, parts)


@pytest.mark.parametrize(
    ("amounts", "parts", "message"),
    [
        ([], [D("1.00")], "the amounts (0.00) must add up to the parts (1.00)"),
        ([D("1.00")], [], "the amounts (1.00) must add up to the parts (0.00)"),
        ([D("-1.00"), D("1.00")], [D("0.00")], "amounts and parts cannot be negative"),
    ],
)
def test_the_refusals_in_words(amounts, parts, message):
    with pytest.raises(ValueError) as caught:
        calc.fill_in_order(amounts, parts)
    assert str(caught.value) == message


def test_nothing_to_fill_gives_nothing():
    assert calc.fill_in_order([], []) == []
    assert calc.fill_in_order([D("0.00")], [D("0.00"), D("0.00")]) == [[D("0.00"), D("0.00")]]


def test_the_refusal_names_both_sums():
    with pytest.raises(
        ValueError, match=r"^the amounts \(1\.00\) must add up to the parts \(0\.99\)$"
    ):
        calc.fill_in_order([D("1.00")], [D("0.99")])
