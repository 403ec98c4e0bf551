"""What a policy admin reads when a document is rejected: every problem, and only the real
ones, each at its field path in words (the exact messages, since they are the interface)."""

import copy

import pytest

from relief.rules import DEFAULT_POLICY_DOCUMENT, PolicyError, parse_policy


def band(code, low, high, points):
    return {"code": code, "min": low, "max": high, "points": points}


def set_to(*path_and_value):
    *path, value = path_and_value

    def edit(document):
        for key in path[:-1]:
            document = document[key]
        document[path[-1]] = value

    return edit


def delete(*path):
    def edit(document):
        for key in path[:-1]:
            document = document[key]
        del document[path[-1]]

    return edit


def both(*edits):
    def edit(document):
        for one in edits:
            one(document)

    return edit


def errors_of(edit, version: int = 1) -> dict[str, str]:
    document = copy.deepcopy(DEFAULT_POLICY_DOCUMENT)
    edit(document)
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, version=version)
    return caught.value.errors


REASONS = (
    "serious_illness, accident, natural_disaster, unemployment, income_drop, "
    "family_emergency, other"
)
LAST_BAND_OPEN = "the last band must be open-ended (null) so that every day overdue falls in a band"
LOWEST_TIER_AT_0 = "the lowest tier must start at 0 so that every on-time ratio falls in a tier"

REJECTED = {
    # A band that is not an object is reported alone: no IndexError, no follow-on problems
    # about days or about bands after it, which would name the wrong entries.
    "band_not_an_object": (set_to("dpd_bands", [1]), {"dpd_bands[0]": "must be an object, got 1"}),
    "band_not_an_object_before_a_gap": (
        set_to("dpd_bands", [1, band("late", 5, None, 10)]),
        {"dpd_bands[0]": "must be an object, got 1"},
    ),
    "every_band_not_an_object": (
        set_to("dpd_bands", [1, "x"]),
        {
            "dpd_bands[0]": "must be an object, got 1",
            "dpd_bands[1]": 'must be an object, got text "x"',
        },
    ),
    "bands_as_text": (
        set_to("dpd_bands", "x"),
        {"dpd_bands": 'must be a non-empty list of bands, got text "x"'},
    ),
    "band_code_a_number": (
        set_to("dpd_bands", 0, "code", 5),
        {"dpd_bands[0].code": "must be a non-empty text, got 5"},
    ),
    "band_code_empty_and_a_gap": (
        both(set_to("dpd_bands", 0, "code", ""), set_to("dpd_bands", 2, "min", 35)),
        {"dpd_bands[0].code": 'must be a non-empty text, got text ""'},
    ),
    "band_max_0": (
        set_to("dpd_bands", 1, "max", 0),
        {"dpd_bands[1].max": "must be 1 or more, got 0"},
    ),
    "band_max_below_min": (
        set_to("dpd_bands", 1, "max", 3),
        {"dpd_bands[1].max": "must be at least min (4), got 3"},
    ),
    "band_points_missing": (delete("dpd_bands", 1, "points"), {"dpd_bands[1].points": "required"}),
    "band_gap": (
        set_to("dpd_bands", 2, "min", 35),
        {"dpd_bands[2].min": "leaves a gap: days 31 to 34 are in no band; must start at 31"},
    ),
    "band_overlap": (
        set_to("dpd_bands", 2, "min", 25),
        {"dpd_bands[2].min": "overlaps the band before it, which ends at 30; must start at 31"},
    ),
    "middle_band_open_ended": (
        set_to("dpd_bands", 1, "max", None),
        {"dpd_bands[1].max": "only the last band may be open-ended (null)"},
    ),
    "last_band_bounded": (set_to("dpd_bands", 4, "max", 365), {"dpd_bands[4].max": LAST_BAND_OPEN}),
    "tiers_empty": (
        set_to("history_tiers", []),
        {"history_tiers": "must be a non-empty list of tiers, got a list"},
    ),
    "tiers_as_text": (
        set_to("history_tiers", "x"),
        {"history_tiers": 'must be a non-empty list of tiers, got text "x"'},
    ),
    "every_tier_not_an_object": (
        set_to("history_tiers", [1, "x"]),
        {
            "history_tiers[0]": "must be an object, got 1",
            "history_tiers[1]": 'must be an object, got text "x"',
        },
    ),
    "tier_ratio_not_decimal_text_and_out_of_order": (
        both(
            set_to("history_tiers", 0, "min_on_time_ratio", "x"),
            set_to("history_tiers", 2, "min_on_time_ratio", "0.99"),
        ),
        {
            "history_tiers[0].min_on_time_ratio": (
                'must be a decimal written as text, like "0.95", got text "x"'
            )
        },
    ),
    "tier_points_missing": (
        delete("history_tiers", 1, "points"),
        {"history_tiers[1].points": "required"},
    ),
    "equal_tier_minimums": (
        set_to("history_tiers", 1, "min_on_time_ratio", "0.95"),
        {
            "history_tiers[1].min_on_time_ratio": (
                "must be lower than the tier before it (0.95): list tiers from the highest "
                "ratio down"
            )
        },
    ),
    "lowest_tier_above_0": (
        set_to("history_tiers", 3, "min_on_time_ratio", "0.10"),
        {"history_tiers[3].min_on_time_ratio": LOWEST_TIER_AT_0},
    ),
    "hardship_as_text": (
        set_to("hardship_points", "x"),
        {"hardship_points": 'must be an object, got text "x"'},
    ),
    "hardship_unknown_reason": (
        set_to("hardship_points", "boredom", 5),
        {"hardship_points.boredom": f"unknown hardship reason; the reasons are {REASONS}"},
    ),
    "hardship_two_reasons_missing": (
        both(delete("hardship_points", "serious_illness"), delete("hardship_points", "accident")),
        {
            "hardship_points.serious_illness": "required: every hardship reason needs its points",
            "hardship_points.accident": "required: every hardship reason needs its points",
        },
    ),
    "prior_relief_points_1": (
        set_to("prior_relief_points", 1),
        {
            "prior_relief_points": (
                "must be 0 or less: a prior relief must never raise the relief, got 1"
            )
        },
    ),
    "eligibility_key_missing": (
        delete("eligibility", "max_prior_reliefs_12m"),
        {"eligibility.max_prior_reliefs_12m": "required"},
    ),
    "eligibility_key_unknown": (
        set_to("eligibility", "colour", 1),
        {"eligibility.colour": "unknown key"},
    ),
    "auto_approval_prior_reliefs_negative": (
        set_to("auto_approval", "max_prior_reliefs_12m", -1),
        {"auto_approval.max_prior_reliefs_12m": "must be 0 or more, got -1"},
    ),
    "auto_approval_amount_a_json_number": (
        set_to("auto_approval", "max_amount", 1.5),
        {
            "auto_approval.max_amount": (
                'must be a decimal written as text, like "0.95", got the number 1.5'
            )
        },
    ),
    "four_eyes_points_negative": (
        set_to("four_eyes", "points_over_suggestion", -1),
        {"four_eyes.points_over_suggestion": "must be from 0 to 100, got -1"},
    ),
    "four_eyes_points_101": (
        set_to("four_eyes", "points_over_suggestion", 101),
        {"four_eyes.points_over_suggestion": "must be from 0 to 100, got 101"},
    ),
    "service_levels_key_missing": (
        delete("service_levels", "decision_hours"),
        {"service_levels.decision_hours": "required"},
    ),
    "offer_valid_0_days": (
        set_to("service_levels", "offer_valid_days", 0),
        {"service_levels.offer_valid_days": "must be 1 or more, got 0"},
    ),
    "unknown_top_level_key": (set_to("colour", "red"), {"colour": "unknown key"}),
    # Days are checked only once every band reads: the first band's start (2) is not
    # reported while the band after it cannot be read.
    "band_max_unreadable_and_first_band_from_2": (
        both(set_to("dpd_bands", 0, "min", 2), set_to("dpd_bands", 1, "max", 0)),
        {"dpd_bands[1].max": "must be 1 or more, got 0"},
    ),
    "two_bands_incomplete": (
        both(delete("dpd_bands", 0, "points"), delete("dpd_bands", 1, "code")),
        {"dpd_bands[0].points": "required", "dpd_bands[1].code": "required"},
    ),
    "tier_ratio_over_1": (
        set_to("history_tiers", 0, "min_on_time_ratio", "1.01"),
        {"history_tiers[0].min_on_time_ratio": "must be from 0 to 1, got 1.01"},
    ),
    "two_tiers_incomplete": (
        both(delete("history_tiers", 0, "points"), delete("history_tiers", 1, "points")),
        {"history_tiers[0].points": "required", "history_tiers[1].points": "required"},
    ),
}


@pytest.mark.parametrize(("edit", "errors"), REJECTED.values(), ids=REJECTED.keys())
def test_rejected_document_names_exactly_its_problems(edit, errors):
    assert errors_of(edit) == errors


@pytest.mark.parametrize(
    ("value", "described"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        ([1], "a list"),
        ({"a": 1}, "an object"),
        (1.5, "the number 1.5"),
        ("x" * 40, f'text "{"x" * 40}"'),
        ("x" * 41, "text"),  # long text is not repeated back
    ],
)
def test_wrong_value_is_described_in_words(value, described):
    errors = errors_of(set_to("evidence_points", value))
    assert errors == {"evidence_points": f"must be a whole number, got {described}"}


def test_negative_version_is_named_with_its_value():
    assert errors_of(lambda document: None, version=-1) == {
        "version": "must be a whole number, 0 or more, got -1"
    }


@pytest.mark.parametrize(
    "edit",
    [
        set_to("four_eyes", "points_over_suggestion", 0),
        set_to("four_eyes", "points_over_suggestion", 100),
        set_to("service_levels", "offer_valid_days", 1),
        set_to("eligibility", "max_prior_reliefs_12m", 0),
        set_to("auto_approval", "max_prior_reliefs_12m", 0),
        set_to("prior_relief_points", 0),
        set_to("history_tiers", 0, "min_on_time_ratio", "1"),
    ],
    ids=[
        "four_eyes_0_points",
        "four_eyes_100_points",
        "offer_valid_1_day",
        "no_prior_relief_allowed",
        "auto_approval_none_prior",
        "prior_relief_costs_nothing",
        "top_tier_only_for_a_perfect_history",
    ],
)
def test_bounds_themselves_are_accepted(edit):
    document = copy.deepcopy(DEFAULT_POLICY_DOCUMENT)
    edit(document)
    assert parse_policy(document, version=2).version == 2
