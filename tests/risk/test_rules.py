"""The risk model's rules, without a database: documents, scores, the holdout, the figures."""

import copy
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from risk import rules
from risk.rules.document import DEFAULT_RISK_MODEL_DOCUMENT

D = Decimal


def features(**changes) -> rules.Features:
    base = {
        "on_time_ratio_24m": D(1),
        "late_payments_6m": 0,
        "max_dpd_12m": 0,
        "partial_payments_last_3": 0,
        "current_dpd": 0,
        "installment_to_usual": D(1),
        "prior_help_12m": 0,
        "months_on_book": 24,
    }
    return rules.Features(**{**base, **changes})


def document(**changes):
    result = copy.deepcopy(DEFAULT_RISK_MODEL_DOCUMENT)
    result.update(changes)
    return result


def test_a_reliable_borrower_scores_zero_and_is_low_risk():
    result = rules.score(features(), rules.default_scorecard())
    assert (result.score, result.level, result.factors) == (0, "low", ())


def test_each_feature_earns_the_points_of_its_band_and_the_factors_explain_the_score():
    result = rules.score(
        features(on_time_ratio_24m=D("0.7999"), late_payments_6m=2, current_dpd=4),
        rules.default_scorecard(),
    )
    assert [(f.code, f.points, f.value) for f in result.factors] == [
        ("on_time_ratio_24m", 20, D("0.7999")),
        ("late_payments_6m", 18, 2),
        ("current_dpd", 25, 4),
    ]
    assert result.score == 63 == sum(f.points for f in result.factors)
    assert result.level == "medium"


@pytest.mark.parametrize(
    ("score", "level"), [(39, "low"), (40, "medium"), (69, "medium"), (70, "high"), (100, "high")]
)
def test_levels_are_high_from_70_and_medium_from_40(score, level):
    assert rules.default_scorecard().level_of(score) == level


def test_a_score_never_passes_100_and_the_cap_factor_says_by_how_much():
    result = rules.score(
        features(
            on_time_ratio_24m=D(0),
            late_payments_6m=9,
            max_dpd_12m=60,
            partial_payments_last_3=3,
            current_dpd=20,
            prior_help_12m=2,
        ),
        rules.default_scorecard(),
    )
    assert result.score == 100
    assert result.factors[-1].code == "cap"
    assert sum(f.points for f in result.factors) == 100


def test_a_missing_usual_repayment_earns_nothing():
    result = rules.score(features(installment_to_usual=None), rules.default_scorecard())
    assert result.factors == ()


def test_the_document_round_trips():
    scorecard = rules.default_scorecard()
    again = rules.parse_scorecard(rules.scorecard_to_document(scorecard), version=1)
    assert again == scorecard


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"holdout_percent": 60}, "holdout_percent"),
        ({"holdout_percent": "10"}, "holdout_percent"),
        ({"levels": {"high": 40, "medium": 40}}, "levels.medium"),
        ({"levels": {"high": 70}}, "levels.medium"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_document_is_refused_with_the_field_named(change, path):
    with pytest.raises(rules.RiskModelError) as refused:
        rules.parse_scorecard(document(**change))
    assert path in refused.value.errors


@pytest.mark.parametrize(
    ("bands", "path", "words"),
    [
        ([{"min": 1, "points": 5}], "bands.current_dpd[0].min", "start at 0"),
        (
            [{"min": 0, "points": 0}, {"min": 0, "points": 5}],
            "bands.current_dpd[1].min",
            "above the band before",
        ),
        ([{"min": "1", "points": 5}], "bands.current_dpd[0].min", "whole number"),
        ([{"min": 0, "points": 500}], "bands.current_dpd[0].points", "from -100 to 100"),
        ([], "bands.current_dpd", "non-empty list"),
    ],
)
def test_bad_bands_are_named_by_their_path(bands, path, words):
    broken = document()
    broken["bands"]["current_dpd"] = bands
    with pytest.raises(rules.RiskModelError) as refused:
        rules.parse_scorecard(broken)
    assert words in refused.value.errors[path]


def test_a_ratio_band_is_written_as_decimal_text():
    broken = document()
    broken["bands"]["on_time_ratio_24m"][1]["min"] = 0.5
    with pytest.raises(rules.RiskModelError) as refused:
        rules.parse_scorecard(broken)
    assert "decimal written as text" in refused.value.errors["bands.on_time_ratio_24m[1].min"]


def test_every_feature_needs_its_bands():
    broken = document()
    del broken["bands"]["months_on_book"]
    with pytest.raises(rules.RiskModelError) as refused:
        rules.parse_scorecard(broken)
    assert refused.value.errors == {"bands.months_on_book": "required"}


# --- the holdout ------------------------------------------------------------------------------


def held_out(version: int) -> list[int]:
    return [loan for loan in range(1, 10_001) if rules.in_holdout(loan, version, 10)]


def test_the_holdout_is_within_two_points_of_ten_percent_over_10000_loans():
    for version in (1, 2, 3):
        assert 800 <= len(held_out(version)) <= 1200, version


def test_the_holdout_is_the_same_in_another_process_and_new_for_a_new_version():
    script = (
        "from risk import rules; "
        "print(sum(l for l in range(1, 10001) if rules.in_holdout(l, 1, 10)))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(other.stdout) == sum(held_out(1))
    assert held_out(1) != held_out(2)


# --- the backtest's figures -----------------------------------------------------------------


def test_auc_counts_ties_half():
    # Positives 80 and 50; negatives 50, 30, 20: of 6 pairs, 5 ordered right and 1 tie.
    scores = [80, 50, 50, 30, 20]
    missed = [True, True, False, False, False]
    assert rules.auc(scores, missed) == D("0.917")  # (5 + 0.5) / 6
    assert rules.auc([10, 20], [True, True]) is None


def test_levels_give_precision_and_recall_of_flagging_that_level_and_above():
    scorecard = rules.default_scorecard()
    rows = [(1, 90, True), (2, 75, False), (3, 50, True), (4, 45, False), (5, 10, True)]
    rows += [(6, 5, False)]
    result = rules.figures(rows, scorecard.level_of)
    by_level = {f.level: f for f in result.levels}
    high, medium, low = by_level["high"], by_level["medium"], by_level["low"]
    assert (high.loans, high.missed, high.precision, high.recall) == (2, 1, D("50.0"), D("33.3"))
    assert (medium.loans, medium.missed, medium.precision, medium.recall) == (
        2,
        1,
        D("50.0"),
        D("66.7"),
    )
    assert (low.precision, low.recall) == (D("50.0"), D("100.0"))


def test_deciles_split_the_loans_riskiest_first_with_their_lift():
    # 20 loans, scores 100 down to 5; the 4 riskiest missed, and one of the safest.
    rows = [(n, 100 - 5 * n, n < 4 or n == 19) for n in range(20)]
    result = rules.figures(rows, rules.default_scorecard().level_of)
    assert [d.loans for d in result.deciles] == [2] * 10
    first = result.deciles[0]
    assert (first.missed, first.max_score, first.min_score) == (2, 100, 95)
    assert first.lift == D("4.00")  # 100% against 5 of 20 = 25% overall
    assert result.deciles[-1].lift == D("2.00")
    assert result.miss_rate == D("25.0")
