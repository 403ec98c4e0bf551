"""A bad policy document is rejected whole, with every problem named by its field path."""

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relief.rules import DEFAULT_POLICY_DOCUMENT, PolicyError, parse_policy


def edited(edit) -> dict:
    """A copy of the default document changed by `edit` (which mutates it in place)."""
    document = copy.deepcopy(DEFAULT_POLICY_DOCUMENT)
    edit(document)
    return document


def rejected(document, version: int = 1) -> dict[str, str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, version=version)
    return caught.value.errors


def set_path(*path_and_value):
    *path, value = path_and_value

    def edit(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def delete_path(*path):
    def edit(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return edit


BAD_DOCUMENTS = [
    # Days overdue bands.
    ("band_gap", set_path("dpd_bands", 2, "min", 32), "dpd_bands[2].min", "gap"),
    ("band_overlap", set_path("dpd_bands", 2, "min", 30), "dpd_bands[2].min", "overlaps"),
    ("band_not_starting_at_1", set_path("dpd_bands", 0, "min", 2), "dpd_bands[0].min", "at 1"),
    ("band_starting_at_0", set_path("dpd_bands", 0, "min", 0), "dpd_bands[0].min", "1 or more"),
    ("last_band_bounded", set_path("dpd_bands", 4, "max", 365), "dpd_bands[4].max", "open-ended"),
    (
        "middle_band_open_ended",
        set_path("dpd_bands", 1, "max", None),
        "dpd_bands[1].max",
        "only the last band",
    ),
    ("band_max_below_min", set_path("dpd_bands", 1, "max", 3), "dpd_bands[1].max", "at least min"),
    ("band_points_101", set_path("dpd_bands", 1, "points", 101), "dpd_bands[1].points", "-100"),
    (
        "band_points_minus_101",
        set_path("dpd_bands", 1, "points", -101),
        "dpd_bands[1].points",
        "100",
    ),
    (
        "band_points_as_words",
        set_path("dpd_bands", 1, "points", "ten"),
        "dpd_bands[1].points",
        'whole number, got text "ten"',
    ),
    (
        "band_points_fractional",
        set_path("dpd_bands", 1, "points", 10.5),
        "dpd_bands[1].points",
        "whole number",
    ),
    (
        "band_points_boolean",
        set_path("dpd_bands", 1, "points", True),
        "dpd_bands[1].points",
        "true",
    ),
    (
        "band_code_repeated",
        set_path("dpd_bands", 1, "code", "grace"),
        "dpd_bands[1].code",
        "another",
    ),
    ("band_code_empty", set_path("dpd_bands", 1, "code", " "), "dpd_bands[1].code", "non-empty"),
    (
        "band_unknown_key",
        set_path("dpd_bands", 1, "colour", "red"),
        "dpd_bands[1].colour",
        "unknown",
    ),
    (
        "band_missing_points",
        delete_path("dpd_bands", 1, "points"),
        "dpd_bands[1].points",
        "required",
    ),
    ("band_not_an_object", set_path("dpd_bands", 1, 4), "dpd_bands[1]", "object"),
    ("bands_empty", set_path("dpd_bands", []), "dpd_bands", "non-empty"),
    ("bands_null", set_path("dpd_bands", None), "dpd_bands", "null"),
    # History tiers.
    (
        "tiers_not_reaching_0",
        set_path("history_tiers", 3, "min_on_time_ratio", "0.10"),
        "history_tiers[3].min_on_time_ratio",
        "start at 0",
    ),
    (
        "tiers_out_of_order",
        set_path("history_tiers", 1, "min_on_time_ratio", "0.99"),
        "history_tiers[1].min_on_time_ratio",
        "lower than the tier before",
    ),
    (
        "tier_ratio_above_1",
        set_path("history_tiers", 0, "min_on_time_ratio", "1.5"),
        "history_tiers[0].min_on_time_ratio",
        "from 0 to 1",
    ),
    (
        "tier_ratio_negative",
        set_path("history_tiers", 3, "min_on_time_ratio", "-0.1"),
        "history_tiers[3].min_on_time_ratio",
        "from 0 to 1",
    ),
    (
        "tier_ratio_as_float",
        set_path("history_tiers", 0, "min_on_time_ratio", 0.95),
        "history_tiers[0].min_on_time_ratio",
        "decimal written as text",
    ),
    (
        "tier_ratio_not_a_number",
        set_path("history_tiers", 0, "min_on_time_ratio", "NaN"),
        "history_tiers[0].min_on_time_ratio",
        "decimal written as text",
    ),
    (
        "better_tier_earns_fewer_points",
        set_path("history_tiers", 1, "points", 30),
        "history_tiers[1].points",
        "never earn fewer",
    ),
    (
        "tier_points_101",
        set_path("history_tiers", 0, "points", 101),
        "history_tiers[0].points",
        "-100",
    ),
    # Adjustments and caps.
    (
        "prior_relief_points_positive",
        set_path("prior_relief_points", 5),
        "prior_relief_points",
        "0 or less",
    ),
    (
        "prior_relief_points_minus_101",
        set_path("prior_relief_points", -101),
        "prior_relief_points",
        "-100",
    ),
    ("evidence_points_negative", set_path("evidence_points", -5), "evidence_points", "0 or more"),
    ("evidence_points_101", set_path("evidence_points", 101), "evidence_points", "100"),
    ("cap_minus_1", set_path("cap_without_evidence", -1), "cap_without_evidence", "from 0 to 100"),
    ("cap_101", set_path("cap_with_evidence", 101), "cap_with_evidence", "from 0 to 100"),
    (
        "cap_with_evidence_below_without",
        set_path("cap_with_evidence", 80),
        "cap_with_evidence",
        "never lower the cap",
    ),
    # Hardship points.
    (
        "hardship_unknown_code",
        set_path("hardship_points", "bankruptcy", 10),
        "hardship_points.bankruptcy",
        "unknown hardship reason",
    ),
    (
        "hardship_missing_code",
        delete_path("hardship_points", "other"),
        "hardship_points.other",
        "required",
    ),
    (
        "hardship_points_101",
        set_path("hardship_points", "accident", 101),
        "hardship_points.accident",
        "-100",
    ),
    ("hardship_as_list", set_path("hardship_points", []), "hardship_points", "object"),
    # Thresholds.
    (
        "eligibility_negative",
        set_path("eligibility", "max_prior_reliefs_12m", -1),
        "eligibility.max_prior_reliefs_12m",
        "0 or more",
    ),
    (
        "auto_max_amount_negative",
        set_path("auto_approval", "max_amount", "-1.00"),
        "auto_approval.max_amount",
        "0 or more",
    ),
    (
        "auto_max_amount_three_places",
        set_path("auto_approval", "max_amount", "500.001"),
        "auto_approval.max_amount",
        "at most 2 decimal places",
    ),
    (
        "auto_max_amount_float",
        set_path("auto_approval", "max_amount", 500.0),
        "auto_approval.max_amount",
        "decimal written as text",
    ),
    (
        "auto_max_amount_exponent",
        set_path("auto_approval", "max_amount", "5e2"),
        "auto_approval.max_amount",
        "decimal written as text",
    ),
    (
        "auto_max_dpd_negative",
        set_path("auto_approval", "max_dpd_any_percent", -1),
        "auto_approval.max_dpd_any_percent",
        "0 or more",
    ),
    (
        "auto_percent_over_100",
        set_path("auto_approval", "max_percent_otherwise", 120),
        "auto_approval.max_percent_otherwise",
        "from 0 to 100",
    ),
    (
        "auto_unknown_key",
        set_path("auto_approval", "max_days", 3),
        "auto_approval.max_days",
        "unknown",
    ),
    (
        "four_eyes_amount_negative",
        set_path("four_eyes", "amount_over", "-0.01"),
        "four_eyes.amount_over",
        "0 or more",
    ),
    (
        "four_eyes_missing_points",
        delete_path("four_eyes", "points_over_suggestion"),
        "four_eyes.points_over_suggestion",
        "required",
    ),
    (
        "decision_hours_zero",
        set_path("service_levels", "decision_hours", 0),
        "service_levels.decision_hours",
        "1 or more",
    ),
    (
        "offer_days_as_text",
        set_path("service_levels", "offer_valid_days", "15"),
        "service_levels.offer_valid_days",
        "whole number",
    ),
    ("section_not_an_object", set_path("four_eyes", "5000.00"), "four_eyes", "object"),
    # The document itself.
    ("unknown_top_level_key", set_path("colour", "red"), "colour", "unknown key"),
    ("missing_top_level_key", delete_path("evidence_points"), "evidence_points", "required"),
]


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [pytest.param(edit, path, words, id=id_) for id_, edit, path, words in BAD_DOCUMENTS],
)
def test_bad_document_is_rejected_naming_the_field(edit, path, words):
    errors = rejected(edited(edit))

    assert path in errors, errors
    assert words in errors[path]


@pytest.mark.parametrize(
    "document", [[], "policy", None, 42], ids=["list", "text", "null", "number"]
)
def test_document_that_is_not_an_object_is_rejected(document):
    assert "must be an object" in rejected(document)["document"]


def test_negative_version_is_rejected():
    assert "version" in rejected(copy.deepcopy(DEFAULT_POLICY_DOCUMENT), version=-1)


def test_every_problem_is_reported_at_once():
    def edit(document):
        document["dpd_bands"][2]["min"] = 35
        document["cap_without_evidence"] = -1
        document["colour"] = "red"
        del document["hardship_points"]["other"]

    errors = rejected(edited(edit))

    assert set(errors) == {
        "dpd_bands[2].min",
        "cap_without_evidence",
        "colour",
        "hardship_points.other",
    }


def test_error_message_reads_as_field_and_problem():
    error = PolicyError({"dpd_bands[2].min": "leaves a gap"})

    assert str(error) == "dpd_bands[2].min: leaves a gap"
    assert isinstance(error, ValueError)


def test_bands_may_be_any_partition_of_days_from_1_up():
    document = edited(
        set_path(
            "dpd_bands",
            [
                {"code": "early", "min": 1, "max": 1, "points": 80},
                {"code": "late", "min": 2, "max": None, "points": 10},
            ],
        )
    )

    policy = parse_policy(document, version=2)

    assert [band.code for band in policy.dpd_bands] == ["early", "late"]


def test_single_tier_from_0_is_enough():
    document = edited(set_path("history_tiers", [{"min_on_time_ratio": "0", "points": 0}]))

    assert len(parse_policy(document).history_tiers) == 1


def test_whole_number_money_is_accepted():
    document = edited(set_path("auto_approval", "max_amount", 500))

    assert str(parse_policy(document).auto_approval.max_amount) == "500"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["0", "1", "0.5", "500.00", "-1", "1e9", "NaN", "sNaN", "Infinity", ""]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value, prefix=()):
    """Every path into a JSON value, so that any part of a document can be replaced."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


ALL_PATHS = [path for path in _paths(DEFAULT_POLICY_DOCUMENT) if path]


@given(path=st.sampled_from(ALL_PATHS), value=json_values)
def test_any_value_anywhere_gives_a_policy_or_a_policy_error(path, value):
    document = edited(set_path(*path, value))

    try:
        policy = parse_policy(document, version=1)
    except PolicyError as error:
        assert error.errors
        assert all(isinstance(problem, str) for problem in error.errors.values())
        json.dumps(error.errors)
    else:
        assert policy.version == 1


@given(document=json_values)
def test_any_json_document_gives_a_policy_or_a_policy_error(document):
    with pytest.raises(PolicyError):
        parse_policy(document)
