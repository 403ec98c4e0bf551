"""Promises the quote keeps for any case, under the default policy and under any valid policy."""

import copy
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relief.rules import (
    DEFAULT_POLICY_DOCUMENT,
    HARDSHIP_REASONS,
    Case,
    Policy,
    default_policy,
    parse_policy,
    policy_to_document,
    quote,
)

ratios = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n).scaleb(-4))
penalties = st.integers(min_value=-1_000, max_value=10_000_000).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def cases(draw, **fixed) -> Case:
    values = {
        "days_overdue": draw(st.integers(min_value=0, max_value=2_000)),
        "penalty_outstanding": draw(penalties),
        "on_time_ratio": draw(ratios),
        "reason": draw(st.sampled_from(HARDSHIP_REASONS)),
        "prior_reliefs_12m": draw(st.integers(min_value=0, max_value=4)),
        "evidence_verified": draw(st.booleans()),
        "has_open_application": draw(st.booleans()),
        "written_off": draw(st.booleans()),
        "legal_proceedings": draw(st.booleans()),
        "fraud_flag": draw(st.booleans()),
        "risk_flag": draw(st.booleans()),
    }
    values.update(fixed)
    return Case(**values)


@st.composite
def policies(draw) -> Policy:
    """A valid policy: random band edges and points, within what validation allows."""
    document = copy.deepcopy(DEFAULT_POLICY_DOCUMENT)
    band_count = draw(st.integers(min_value=1, max_value=6))
    starts = [
        1,
        *sorted(
            draw(st.sets(st.integers(2, 400), min_size=band_count - 1, max_size=band_count - 1))
        ),
    ]
    document["dpd_bands"] = [
        {
            "code": f"band_{index}",
            "min": start,
            "max": starts[index + 1] - 1 if index + 1 < len(starts) else None,
            "points": draw(st.integers(-100, 100)),
        }
        for index, start in enumerate(starts)
    ]
    tier_count = draw(st.integers(min_value=1, max_value=5))
    tier_ratios = sorted(
        draw(st.sets(st.integers(1, 100), min_size=tier_count - 1, max_size=tier_count - 1)),
        reverse=True,
    )
    tier_points = sorted(
        draw(st.lists(st.integers(-100, 100), min_size=tier_count, max_size=tier_count)),
        reverse=True,
    )
    document["history_tiers"] = [
        {"min_on_time_ratio": str(Decimal(ratio).scaleb(-2)), "points": points}
        for ratio, points in zip([*tier_ratios, 0], tier_points, strict=True)
    ]
    document["prior_relief_points"] = draw(st.integers(-100, 0))
    document["evidence_points"] = draw(st.integers(0, 100))
    document["hardship_points"] = {
        reason: draw(st.integers(-100, 100)) for reason in HARDSHIP_REASONS
    }
    low_cap, high_cap = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=2)))
    document["cap_without_evidence"] = low_cap
    document["cap_with_evidence"] = high_cap
    document["eligibility"]["max_prior_reliefs_12m"] = draw(st.integers(0, 3))
    return parse_policy(document, version=draw(st.integers(0, 1_000)))


any_policy = st.one_of(st.just(default_policy()), policies())


def _cap(case: Case, policy: Policy) -> int:
    return policy.cap_with_evidence if case.evidence_verified else policy.cap_without_evidence


def _score(case: Case, policy: Policy) -> int:
    """The percent the factors give, whether or not the case is eligible."""
    return sum(factor.points for factor in quote(case, policy).factors)


@given(case=cases(), policy=any_policy)
def test_percent_stays_between_0_and_the_cap(case, policy):
    assert 0 <= quote(case, policy).percent <= _cap(case, policy)


@given(case=cases(), policy=any_policy)
def test_amount_is_never_more_than_the_penalty_nor_negative(case, policy):
    result = quote(case, policy)

    assert Decimal("0.00") <= result.amount
    assert result.amount <= max(case.penalty_outstanding, Decimal(0))
    assert result.amount.as_tuple().exponent == -2


@given(case=cases(), other_ratio=ratios, policy=any_policy)
def test_better_on_time_ratio_never_lowers_the_percent(case, other_ratio, policy):
    worse, better = sorted([case.on_time_ratio, other_ratio])

    assert (
        quote(replace(case, on_time_ratio=better), policy).percent
        >= quote(replace(case, on_time_ratio=worse), policy).percent
    )


@given(case=cases(), policy=any_policy)
def test_verified_evidence_never_lowers_the_percent(case, policy):
    assert (
        quote(replace(case, evidence_verified=True), policy).percent
        >= quote(replace(case, evidence_verified=False), policy).percent
    )


@given(case=cases(), more=st.integers(min_value=1, max_value=5), policy=any_policy)
def test_more_prior_reliefs_never_raise_the_percent(case, more, policy):
    fewer = quote(case, policy)
    more_reliefs = quote(replace(case, prior_reliefs_12m=case.prior_reliefs_12m + more), policy)

    assert more_reliefs.percent <= fewer.percent
    assert _score(replace(case, prior_reliefs_12m=case.prior_reliefs_12m + more), policy) <= (
        _score(case, policy)
    )


@given(case=cases(), policy=any_policy, data=st.data())
def test_more_days_overdue_within_the_same_band_changes_nothing(case, policy, data):
    band = data.draw(st.sampled_from(policy.dpd_bands))
    top = band.max_days if band.max_days is not None else band.min_days + 1_000
    first, second = sorted(
        data.draw(st.lists(st.integers(band.min_days, top), min_size=2, max_size=2))
    )

    earlier = quote(replace(case, days_overdue=first), policy)
    later = quote(replace(case, days_overdue=second), policy)

    assert later.percent == earlier.percent
    assert later.amount == earlier.amount
    assert later.hints == earlier.hints
    assert [f.points for f in later.factors] == [f.points for f in earlier.factors]
    assert later.factors[0].params["band"] == earlier.factors[0].params["band"] == band.code


@given(case=cases(), policy=any_policy)
def test_factor_points_summed_and_clamped_give_the_percent(case, policy):
    result = quote(case, policy)
    # The clamp factor ("cap" or "floor"), when present, carries the difference.
    clamp_codes = {"cap", "floor"}
    scored = sum(f.points for f in result.factors if f.code not in clamp_codes)
    clamped = min(max(scored, 0), _cap(case, policy))

    if result.eligible:
        assert clamped == result.percent
        assert sum(f.points for f in result.factors) == result.percent
    else:
        assert result.percent == 0
        assert result.not_eligible_reasons
        assert result.auto_approval_blockers == ("not_eligible",)


@given(case=cases(evidence_verified=False), policy=any_policy)
def test_a_hint_raises_the_percent_by_exactly_its_points(case, policy):
    result = quote(case, policy)
    with_evidence = quote(replace(case, evidence_verified=True), policy)
    hints = {hint.code: hint.points for hint in result.hints}

    assert all(points > 0 for points in hints.values())
    if result.eligible and with_evidence.percent > result.percent:
        assert hints == {"verified_evidence": with_evidence.percent - result.percent}
    else:
        assert hints == {}


@given(case=cases(), policy=any_policy)
def test_auto_approvable_only_when_eligible_and_without_blockers(case, policy):
    result = quote(case, policy)

    assert result.auto_approvable is (result.eligible and not result.auto_approval_blockers)
    if result.auto_approvable:
        assert result.amount <= policy.auto_approval.max_amount
        assert case.prior_reliefs_12m <= policy.auto_approval.max_prior_reliefs_12m
        assert not case.risk_flag
        assert (
            case.days_overdue <= policy.auto_approval.max_dpd_any_percent
            or result.percent <= policy.auto_approval.max_percent_otherwise
        )


@settings(max_examples=50)
@given(policy=policies())
def test_generated_policies_round_trip_through_their_documents(policy):
    assert parse_policy(policy_to_document(policy), version=policy.version) == policy
