"""The relief rules against figures worked out by hand from domain.md §6 and §8.

Default policy version 1: base by days overdue 1–3 / 4–30 / 31–90 / 91–180 / 181+ =
100 / 50 / 40 / 30 / 20; history ≥0.95 / ≥0.80 / ≥0.50 / below = +20 / +10 / 0 / −20;
−15 per prior relief; hardship serious_illness, accident +20, natural_disaster +25,
unemployment, family_emergency +10, income_drop +5, other 0; verified evidence +10;
cap 90 without verified evidence, 100 with it.
"""

import json
import pickle
from decimal import Decimal

import pytest

from relief.rules import (
    DEFAULT_POLICY_DOCUMENT,
    HARDSHIP_REASONS,
    POLICY_V1_PATH,
    Case,
    Factor,
    Hint,
    default_policy,
    needs_second_approval,
    parse_policy,
    policy_to_document,
    quote,
    relief_amount,
)


def make_case(**overrides) -> Case:
    """10 days overdue (M1, 50), on time 60% (0), reason other (0), penalty 100.00: 50%."""
    values = {
        "days_overdue": 10,
        "penalty_outstanding": Decimal("100.00"),
        "on_time_ratio": Decimal("0.60"),
        "reason": "other",
    }
    for name in ("penalty_outstanding", "on_time_ratio"):
        if isinstance(overrides.get(name), str):
            overrides[name] = Decimal(overrides[name])
    values.update(overrides)
    return Case(**values)


def golden(id_, case, percent, amount, not_eligible=(), blockers=()):
    return pytest.param(case, percent, Decimal(amount), not_eligible, blockers, id=id_)


DPD = ("dpd_and_percent",)

GOLDEN = [
    # Every band edge; on time 60% and reason other add nothing.
    golden("dpd_1_grace_100_capped_90", {"days_overdue": 1}, 90, "90.00"),
    golden("dpd_3_grace_100_capped_90", {"days_overdue": 3}, 90, "90.00"),
    golden("dpd_4_m1_50", {"days_overdue": 4}, 50, "50.00"),
    golden("dpd_30_m1_50", {"days_overdue": 30}, 50, "50.00"),
    golden("dpd_31_m2_m3_40", {"days_overdue": 31}, 40, "40.00"),
    golden("dpd_90_m2_m3_40", {"days_overdue": 90}, 40, "40.00"),
    golden("dpd_91_m4_30", {"days_overdue": 91}, 30, "30.00"),
    golden("dpd_180_m4_30", {"days_overdue": 180}, 30, "30.00"),
    golden("dpd_181_m4_late_20", {"days_overdue": 181}, 20, "20.00"),
    golden("dpd_1000_m4_late_20", {"days_overdue": 1000}, 20, "20.00"),
    # 0 days: no band, base 0; history +20, serious illness +20 = 40% of 10.00.
    golden(
        "dpd_0_no_band_base_0",
        {
            "days_overdue": 0,
            "penalty_outstanding": "10.00",
            "on_time_ratio": "0.95",
            "reason": "serious_illness",
        },
        40,
        "4.00",
    ),
    # Every history tier edge at 10 days (base 50).
    golden("history_1_plus_20", {"on_time_ratio": "1"}, 70, "70.00", blockers=DPD),
    golden("history_0_95_plus_20", {"on_time_ratio": "0.95"}, 70, "70.00", blockers=DPD),
    golden("history_0_9499_plus_10", {"on_time_ratio": "0.9499"}, 60, "60.00", blockers=DPD),
    golden("history_0_80_plus_10", {"on_time_ratio": "0.80"}, 60, "60.00", blockers=DPD),
    golden("history_0_7999_zero", {"on_time_ratio": "0.7999"}, 50, "50.00"),
    golden("history_0_50_zero", {"on_time_ratio": "0.50"}, 50, "50.00"),
    golden("history_0_4999_minus_20", {"on_time_ratio": "0.4999"}, 30, "30.00"),
    golden("history_0_minus_20", {"on_time_ratio": "0"}, 30, "30.00"),
    # Each hardship reason at 10 days, on time 60% (50 + reason).
    golden("serious_illness_plus_20", {"reason": "serious_illness"}, 70, "70.00", blockers=DPD),
    golden("accident_plus_20", {"reason": "accident"}, 70, "70.00", blockers=DPD),
    golden("natural_disaster_plus_25", {"reason": "natural_disaster"}, 75, "75.00", blockers=DPD),
    golden("unemployment_plus_10", {"reason": "unemployment"}, 60, "60.00", blockers=DPD),
    golden("family_emergency_plus_10", {"reason": "family_emergency"}, 60, "60.00", blockers=DPD),
    golden("income_drop_plus_5", {"reason": "income_drop"}, 55, "55.00", blockers=DPD),
    golden("other_plus_0", {"reason": "other"}, 50, "50.00"),
    # Prior reliefs: 0 nothing, 1 is −15 and stops auto-approval, 2 is not eligible.
    golden("prior_reliefs_0", {"prior_reliefs_12m": 0}, 50, "50.00"),
    golden(
        "prior_reliefs_1_minus_15",
        {"prior_reliefs_12m": 1},
        35,
        "35.00",
        blockers=("prior_relief",),
    ),
    golden(
        "prior_reliefs_1_in_grace_85",
        {"days_overdue": 2, "prior_reliefs_12m": 1},
        85,
        "85.00",
        blockers=("prior_relief",),
    ),
    golden(
        "prior_reliefs_2_not_eligible",
        {"prior_reliefs_12m": 2},
        0,
        "0.00",
        not_eligible=("too_many_prior_reliefs",),
        blockers=("not_eligible",),
    ),
    # Caps: 100 + 20 + 25 = 145 → 90 without verified evidence; 155 → 100 with it.
    golden(
        "cap_90_without_evidence",
        {"days_overdue": 2, "on_time_ratio": "0.95", "reason": "natural_disaster"},
        90,
        "90.00",
    ),
    golden(
        "cap_100_with_verified_evidence",
        {
            "days_overdue": 2,
            "on_time_ratio": "0.95",
            "reason": "natural_disaster",
            "evidence_verified": True,
        },
        100,
        "100.00",
    ),
    # 50 + 10 + 20 + 10 = 90, under the cap of 100 with evidence.
    golden(
        "evidence_plus_10_below_cap",
        {"on_time_ratio": "0.86", "reason": "serious_illness", "evidence_verified": True},
        90,
        "90.00",
        blockers=DPD,
    ),
    # 100 − 20 + 5 = 85, under the cap of 90.
    golden(
        "below_cap_without_evidence",
        {"days_overdue": 2, "on_time_ratio": "0.30", "reason": "income_drop"},
        85,
        "85.00",
    ),
    # 20 − 20 − 15 = −15 → 0: eligible, but nothing to offer automatically.
    golden(
        "negative_sum_floored_at_0",
        {"days_overdue": 200, "on_time_ratio": "0.30", "prior_reliefs_12m": 1},
        0,
        "0.00",
        blockers=("prior_relief", "zero_amount"),
    ),
    # Each reason not to be eligible.
    golden(
        "no_penalty_zero",
        {"penalty_outstanding": "0.00"},
        0,
        "0.00",
        not_eligible=("no_penalty",),
        blockers=("not_eligible",),
    ),
    golden(
        "no_penalty_negative",
        {"penalty_outstanding": "-5.00"},
        0,
        "0.00",
        not_eligible=("no_penalty",),
        blockers=("not_eligible",),
    ),
    golden(
        "open_application",
        {"has_open_application": True},
        0,
        "0.00",
        not_eligible=("open_application",),
        blockers=("not_eligible",),
    ),
    golden(
        "written_off",
        {"written_off": True},
        0,
        "0.00",
        not_eligible=("written_off",),
        blockers=("not_eligible",),
    ),
    golden(
        "legal_proceedings",
        {"legal_proceedings": True},
        0,
        "0.00",
        not_eligible=("legal_proceedings",),
        blockers=("not_eligible",),
    ),
    golden(
        "fraud_flag",
        {"fraud_flag": True},
        0,
        "0.00",
        not_eligible=("fraud_flag",),
        blockers=("not_eligible",),
    ),
    golden(
        "several_reasons_all_named",
        {"has_open_application": True, "written_off": True, "fraud_flag": True},
        0,
        "0.00",
        not_eligible=("open_application", "written_off", "fraud_flag"),
        blockers=("not_eligible",),
    ),
    # Auto-approval limits.
    golden("amount_exactly_500_auto", {"penalty_outstanding": "1000.00"}, 50, "500.00"),
    golden(
        "amount_500_01_over_limit",
        {"penalty_outstanding": "1000.02"},
        50,
        "500.01",
        blockers=("amount_over_limit",),
    ),
    golden(
        "amount_over_limit_and_full_relief",
        {
            "days_overdue": 2,
            "on_time_ratio": "0.95",
            "evidence_verified": True,
            "penalty_outstanding": "600.00",
        },
        100,
        "600.00",
        blockers=("amount_over_limit",),
    ),
    golden("risk_flag_blocks_auto", {"risk_flag": True}, 50, "50.00", blockers=("risk_flag",)),
    golden(
        "dpd_4_and_51_plus_percent_to_reviewer",
        {"days_overdue": 4, "reason": "income_drop"},
        55,
        "55.00",
        blockers=DPD,
    ),
    golden(
        "amount_rounds_to_zero",
        {"days_overdue": 91, "penalty_outstanding": "0.01"},
        30,
        "0.00",
        blockers=("zero_amount",),
    ),
    # Rounding half up to the fen.
    golden("half_fen_rounds_up", {"penalty_outstanding": "26.65"}, 50, "13.33"),
    golden(
        "amount_rounds_down_below_half",
        {"penalty_outstanding": "33.33", "reason": "income_drop"},
        55,
        "18.33",
        blockers=DPD,
    ),
    # domain.md §8: 50 + 10 + 20 = 80% of 26.60 = 21.28; DPD > 3 and > 50% → a reviewer.
    golden(
        "worked_example_domain_8",
        {
            "days_overdue": 20,
            "penalty_outstanding": "26.60",
            "on_time_ratio": "0.86",
            "reason": "serious_illness",
        },
        80,
        "21.28",
        blockers=DPD,
    ),
]


@pytest.mark.parametrize(("overrides", "percent", "amount", "not_eligible", "blockers"), GOLDEN)
def test_quote_matches_the_hand_computed_table(overrides, percent, amount, not_eligible, blockers):
    result = quote(make_case(**overrides), default_policy())

    assert result.percent == percent
    assert result.amount == amount
    assert str(result.amount) == str(amount)  # two places, always
    assert result.eligible is (not not_eligible)
    assert result.not_eligible_reasons == not_eligible
    assert result.auto_approval_blockers == blockers
    assert result.auto_approvable is (not blockers)
    assert result.policy_version == 1


def test_worked_example_explains_each_factor_and_the_evidence_hint():
    case = make_case(
        days_overdue=20,
        penalty_outstanding="26.60",
        on_time_ratio="0.86",
        reason="serious_illness",
    )

    result = quote(case, default_policy())

    assert result.factors == (
        Factor("base", 50, {"days_overdue": 20, "band": "M1"}),
        Factor("history", 10, {"on_time_ratio": "0.86", "min_on_time_ratio": "0.80"}),
        Factor("hardship", 20, {"reason": "serious_illness"}),
    )
    assert result.hints == (Hint("verified_evidence", 10, {"evidence_points": 10, "cap": 100}),)
    assert result.penalty_outstanding == Decimal("26.60")


def test_prior_relief_factor_is_left_out_when_there_is_none():
    codes = [factor.code for factor in quote(make_case(), default_policy()).factors]

    assert codes == ["base", "history", "hardship"]


def test_prior_relief_factor_counts_each_relief():
    result = quote(make_case(prior_reliefs_12m=1), default_policy())

    assert Factor("prior_reliefs", -15, {"count": 1}) in result.factors


def test_verified_evidence_is_a_factor_and_leaves_no_hint():
    result = quote(make_case(evidence_verified=True), default_policy())

    assert Factor("evidence", 10, {}) in result.factors
    assert result.percent == 60
    assert result.hints == ()


def test_cap_factor_says_the_cap_and_the_uncapped_sum():
    case = make_case(days_overdue=2, on_time_ratio="0.95", reason="natural_disaster")

    result = quote(case, default_policy())

    assert result.factors[-1] == Factor("cap", -55, {"cap": 90, "uncapped": 145})
    assert sum(factor.points for factor in result.factors) == result.percent == 90


def test_floor_factor_lifts_a_negative_sum_to_zero():
    case = make_case(days_overdue=200, on_time_ratio="0.30", prior_reliefs_12m=1)

    result = quote(case, default_policy())

    assert result.factors[-1] == Factor("floor", 15, {"floor": 0, "uncapped": -15})
    assert sum(factor.points for factor in result.factors) == result.percent == 0


def test_zero_days_overdue_has_no_band():
    result = quote(make_case(days_overdue=0), default_policy())

    assert result.factors[0] == Factor("base", 0, {"days_overdue": 0, "band": None})


def test_not_eligible_quote_keeps_its_factors_for_the_reviewer():
    result = quote(make_case(fraud_flag=True, reason="accident"), default_policy())

    assert result.percent == 0
    assert [factor.points for factor in result.factors] == [50, 0, 20]
    assert result.hints == ()


def test_evidence_hint_when_capped_names_the_rise_to_the_higher_cap():
    case = make_case(days_overdue=2, on_time_ratio="0.95", reason="natural_disaster")

    result = quote(case, default_policy())

    assert result.hints == (Hint("verified_evidence", 10, {"evidence_points": 10, "cap": 100}),)


def test_evidence_hint_counts_only_the_rise_above_zero():
    # 20 − 20 − 15 + 10 = −5 → 0; with evidence +5 → 5.
    case = make_case(
        days_overdue=200, on_time_ratio="0.30", prior_reliefs_12m=1, reason="unemployment"
    )

    result = quote(case, default_policy())

    assert result.percent == 0
    assert [(hint.code, hint.points) for hint in result.hints] == [("verified_evidence", 5)]


def test_no_evidence_hint_when_evidence_would_not_lift_the_percent():
    # 20 − 20 − 15 + 0 = −15; with evidence −5, still 0.
    case = make_case(days_overdue=200, on_time_ratio="0.30", prior_reliefs_12m=1)

    assert quote(case, default_policy()).hints == ()


def test_evidence_hint_for_reason_other_as_for_any_reason():
    result = quote(make_case(reason="other"), default_policy())

    assert [hint.code for hint in result.hints] == ["verified_evidence"]


@pytest.mark.parametrize(
    ("penalty", "percent", "amount"),
    [
        ("26.60", 80, "21.28"),
        ("26.65", 50, "13.33"),
        ("0.01", 50, "0.01"),
        ("0.01", 49, "0.00"),
        ("1234.56", 100, "1234.56"),
        ("1234.56", 0, "0.00"),
        ("99999999.99", 33, "33000000.00"),
    ],
    ids=[
        "worked_example",
        "half_fen_up",
        "half_fen_of_one_fen_up",
        "under_half_fen_down",
        "full",
        "none",
        "large_amount_exact",
    ],
)
def test_relief_amount_rounds_half_up_to_the_fen(penalty, percent, amount):
    assert relief_amount(Decimal(penalty), percent) == Decimal(amount)


def test_relief_amount_never_exceeds_a_penalty_with_more_than_two_places():
    assert relief_amount(Decimal("10.005"), 100) == Decimal("10.00")


@pytest.mark.parametrize("penalty", ["0", "0.00", "-3.00"])
def test_relief_amount_is_zero_without_penalty(penalty):
    assert str(relief_amount(Decimal(penalty), 50)) == "0.00"


@pytest.mark.parametrize("percent", [-1, 101, 50.0, True])
def test_relief_amount_refuses_a_percent_outside_0_to_100(percent):
    with pytest.raises(ValueError, match="percent"):
        relief_amount(Decimal("10.00"), percent)


def test_relief_amount_refuses_a_float_penalty():
    with pytest.raises(TypeError, match="Decimal"):
        relief_amount(10.0, 50)


@pytest.mark.parametrize(
    ("suggested", "decided", "amount", "expected"),
    [
        (80, 80, "5000.00", False),
        (80, 80, "5000.01", True),
        (50, 70, "100.00", False),
        (50, 71, "100.00", True),
        (80, 40, "100.00", False),
    ],
    ids=[
        "amount_at_limit",
        "amount_over_limit",
        "twenty_points_over",
        "twenty_one_points_over",
        "below_suggestion",
    ],
)
def test_needs_second_approval_over_5000_or_more_than_20_points_over(
    suggested, decided, amount, expected
):
    assert (
        needs_second_approval(
            default_policy(),
            suggested_percent=suggested,
            decided_percent=decided,
            decided_amount=Decimal(amount),
        )
        is expected
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": "boredom"}, "reason"),
        ({"on_time_ratio": 0.5}, "on_time_ratio"),
        ({"on_time_ratio": Decimal("1.01")}, "on_time_ratio"),
        ({"on_time_ratio": Decimal("NaN")}, "on_time_ratio"),
        ({"penalty_outstanding": 10.0}, "penalty_outstanding"),
        ({"penalty_outstanding": Decimal("Infinity")}, "penalty_outstanding"),
        ({"days_overdue": -1}, "days_overdue"),
        ({"days_overdue": True}, "days_overdue"),
        ({"prior_reliefs_12m": -1}, "prior_reliefs_12m"),
    ],
    ids=[
        "unknown_reason",
        "float_ratio",
        "ratio_above_1",
        "ratio_nan",
        "float_penalty",
        "infinite_penalty",
        "negative_days",
        "bool_days",
        "negative_prior_reliefs",
    ],
)
def test_case_refuses_values_the_rules_cannot_score(overrides, message):
    with pytest.raises(ValueError, match=message):
        make_case(**overrides)


def test_case_flags_default_to_false():
    case = make_case()

    assert not (
        case.evidence_verified
        or case.written_off
        or case.legal_proceedings
        or case.fraud_flag
        or case.has_open_application
        or case.risk_flag
    )
    assert case.prior_reliefs_12m == 0


def test_default_policy_is_version_1_read_from_the_shipped_document():
    policy = default_policy()

    assert policy.version == 1
    assert json.loads(POLICY_V1_PATH.read_text(encoding="utf-8")) == DEFAULT_POLICY_DOCUMENT
    assert set(policy.hardship_points) == set(HARDSHIP_REASONS)
    assert policy.service_levels.decision_hours == 48
    assert policy.service_levels.offer_valid_days == 15


def test_policy_round_trips_through_its_document():
    policy = default_policy()

    document = policy_to_document(policy)

    assert document == DEFAULT_POLICY_DOCUMENT
    assert json.loads(json.dumps(document)) == document
    assert parse_policy(document, version=1) == policy


def test_policy_survives_pickling():
    policy = default_policy()

    assert pickle.loads(pickle.dumps(policy)) == policy


def test_policy_hardship_points_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        default_policy().hardship_points["other"] = 100  # type: ignore[index]


def test_quote_carries_the_policy_version():
    policy = parse_policy(DEFAULT_POLICY_DOCUMENT, version=7)

    assert quote(make_case(), policy).policy_version == 7
