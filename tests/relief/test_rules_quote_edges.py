"""The quote at its edges: the clamp exactly at the cap and at 0, rounding where half-up,
half-even and down disagree, and what an ineligible quote still tells."""

from decimal import Decimal

import pytest

from relief.rules import (
    HARDSHIP_REASONS,
    Case,
    PolicyError,
    default_policy,
    parse_policy,
    quote,
    relief_amount,
)
from relief.rules.document import DEFAULT_POLICY_DOCUMENT, load_default_document

D = Decimal


def case(**overrides) -> Case:
    """The worked example (domain.md §8): 20 days, 86% on time, serious illness."""
    fields = {
        "days_overdue": 20,
        "penalty_outstanding": D("26.60"),
        "on_time_ratio": D("0.86"),
        "reason": "serious_illness",
    }
    return Case(**{**fields, **overrides})


def codes(result) -> list[str]:
    return [factor.code for factor in result.factors]


def test_points_exactly_at_the_cap_carry_no_cap_factor():
    # 50 (M1) + 20 (96% on time) + 20 (serious illness) = 90 = the cap without evidence.
    result = quote(case(on_time_ratio=D("0.96")), default_policy())
    assert result.percent == 90
    assert codes(result) == ["base", "history", "hardship"]


def test_points_exactly_0_carry_no_floor_factor():
    # 20 (181+ days) − 20 (40% on time) + 0 (other) = 0.
    result = quote(
        case(days_overdue=200, on_time_ratio=D("0.40"), reason="other"), default_policy()
    )
    assert result.percent == 0
    assert codes(result) == ["base", "history", "hardship"]


def test_points_one_over_the_cap_are_capped_with_the_difference():
    # 50 + 20 + 25 (natural disaster) = 95 → 90.
    result = quote(case(on_time_ratio=D("0.96"), reason="natural_disaster"), default_policy())
    assert result.percent == 90
    assert result.factors[-1].points == -5


@pytest.mark.parametrize("fresh", [False, True], ids=["default", "freshly_parsed"])
def test_history_factor_names_the_ratio_and_the_tier_it_reached(fresh):
    policy = parse_policy(DEFAULT_POLICY_DOCUMENT, version=2) if fresh else default_policy()
    history = quote(case(), policy).factors[1]
    assert (history.code, history.points) == ("history", 10)
    assert history.params == {"on_time_ratio": "0.86", "min_on_time_ratio": "0.80"}


def test_ineligible_quote_still_shows_the_penalty_outstanding():
    result = quote(case(has_open_application=True), default_policy())
    assert not result.eligible
    assert result.penalty_outstanding == D("26.60")


def test_relief_never_waives_more_than_a_penalty_with_more_than_two_places():
    # 100% of 10.015: half-up gives 10.02 and half-even 10.02, both more than is owed;
    # the amount is the penalty cut down to the fen.
    assert relief_amount(D("10.015"), 100) == D("10.01")


def test_case_with_an_unknown_reason_lists_the_reasons():
    with pytest.raises(ValueError) as caught:
        case(reason="boredom")
    assert str(caught.value) == f"reason must be one of {', '.join(HARDSHIP_REASONS)}"
    assert "serious_illness, accident, natural_disaster" in str(caught.value)


def test_policy_parsed_without_a_version_is_version_0():
    assert parse_policy(DEFAULT_POLICY_DOCUMENT).version == 0


def test_policy_error_lists_every_problem_separated_by_semicolons():
    error = PolicyError({"evidence_points": "must be 0 or more", "cap_with_evidence": "required"})
    assert str(error) == "evidence_points: must be 0 or more; cap_with_evidence: required"


def test_shipped_document_reads_back_as_a_fresh_copy_of_the_default():
    document = load_default_document()
    assert document == DEFAULT_POLICY_DOCUMENT
    document["evidence_points"] = 0
    assert DEFAULT_POLICY_DOCUMENT["evidence_points"] == 10
