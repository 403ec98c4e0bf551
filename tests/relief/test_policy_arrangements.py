"""The policy's `arrangements` section (domain.md §9): optional, and when present checked
field by field, every problem at its path in words a policy admin reads."""

import copy
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relief.rules import (
    DEFAULT_POLICY_DOCUMENT,
    POLICY_V2_DOCUMENT,
    POLICY_V2_PATH,
    PolicyError,
    default_policy,
    parse_policy,
    policy_to_document,
    policy_v2,
)
from relief.rules.document import load_default_document


def set_to(*path_and_value):
    *path, value = path_and_value

    def edit(section):
        for key in path[:-1]:
            section = section[key]
        section[path[-1]] = value

    return edit


def delete(*path):
    def edit(section):
        for key in path[:-1]:
            section = section[key]
        del section[path[-1]]

    return edit


def both(*edits):
    def edit(section):
        for one in edits:
            one(section)

    return edit


def errors_of(edit) -> dict[str, str]:
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    edit(document["arrangements"])
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, version=3)
    return caught.value.errors


A = "arrangements"
AUTO_NEVER_FOUR_EYES = "an automatic approval must never need a second approval"

BAD_SECTIONS = {
    "deferral_missing": (delete("deferral"), {f"{A}.deferral": "required"}),
    "unknown_key": (set_to("colour", 1), {f"{A}.colour": "unknown key"}),
    "unknown_key_in_each_part": (
        both(
            set_to("deferral", "colour", 1),
            set_to("plan", "colour", 1),
            set_to("affordability", "colour", 1),
            set_to("eligibility", "colour", 1),
            set_to("auto_approval", "colour", 1),
            set_to("four_eyes", "colour", 1),
        ),
        {
            f"{A}.{part}.colour": "unknown key"
            for part in (
                "deferral",
                "plan",
                "affordability",
                "eligibility",
                "auto_approval",
                "four_eyes",
            )
        },
    ),
    "deferral_not_an_object": (
        set_to("deferral", [1]),
        {f"{A}.deferral": "must be an object, got a list"},
    ),
    "months_not_a_list": (
        set_to("deferral", "months", 1),
        {f"{A}.deferral.months": "must be a list of whole numbers, got 1"},
    ),
    "months_0": (
        set_to("deferral", "months", [0, 1]),
        {f"{A}.deferral.months[0]": "must be from 1 to 12, got 0"},
    ),
    "months_13": (
        set_to("deferral", "months", [1, 13]),
        {f"{A}.deferral.months[1]": "must be from 1 to 12, got 13"},
    ),
    "months_repeated": (
        set_to("deferral", "months", [1, 2, 2]),
        {
            f"{A}.deferral.months[2]": (
                "must be more than the one before it (2): list each once, smallest first"
            )
        },
    ),
    "months_out_of_order": (
        set_to("deferral", "months", [3, 1]),
        {
            f"{A}.deferral.months[1]": (
                "must be more than the one before it (3): list each once, smallest first"
            )
        },
    ),
    "months_as_text": (
        set_to("deferral", "months", ["1"]),
        {f"{A}.deferral.months[0]": 'must be a whole number, got text "1"'},
    ),
    "discount_101": (
        set_to("deferral", "interest_discount_percent", 101),
        {f"{A}.deferral.interest_discount_percent": "must be from 0 to 100, got 101"},
    ),
    "discount_missing": (
        delete("deferral", "interest_discount_percent"),
        {f"{A}.deferral.interest_discount_percent": "required"},
    ),
    "periods_1": (
        set_to("plan", "periods", [1, 3]),
        {f"{A}.plan.periods[0]": "must be from 2 to 60, got 1"},
    ),
    "periods_61": (
        set_to("plan", "periods", [3, 61]),
        {f"{A}.plan.periods[1]": "must be from 2 to 60, got 61"},
    ),
    "plan_rate_a_json_number": (
        set_to("plan", "annual_rate", 0.1),
        {
            f"{A}.plan.annual_rate": (
                'must be a decimal written as text, like "0.95", got the number 0.1'
            )
        },
    ),
    "plan_rate_above_1": (
        set_to("plan", "annual_rate", "1.5"),
        {f"{A}.plan.annual_rate": "must be from 0 to 1, got 1.5"},
    ),
    "plan_rate_negative": (
        set_to("plan", "annual_rate", "-0.01"),
        {f"{A}.plan.annual_rate": "must be from 0 to 1, got -0.01"},
    ),
    "plan_rate_seven_places": (
        set_to("plan", "annual_rate", "0.1234567"),
        {f"{A}.plan.annual_rate": "must have at most 6 decimal places, got 0.1234567"},
    ),
    "break_after_0": (
        set_to("plan", "break_after_days", 0),
        {f"{A}.plan.break_after_days": "must be from 1 to 365, got 0"},
    ),
    "break_after_366": (
        set_to("plan", "break_after_days", 366),
        {f"{A}.plan.break_after_days": "must be from 1 to 365, got 366"},
    ),
    "no_option_at_all": (
        both(set_to("plan", "periods", []), set_to("deferral", "months", [])),
        {
            A: (
                "offers no option: give deferral.months or plan.periods, or leave the section "
                "out to offer no arrangements"
            )
        },
    ),
    "share_0": (
        set_to("affordability", "max_share", "0"),
        {f"{A}.affordability.max_share": "must be from 0.01 to 1, got 0"},
    ),
    "share_above_1": (
        set_to("affordability", "max_share", "1.01"),
        {f"{A}.affordability.max_share": "must be from 0.01 to 1, got 1.01"},
    ),
    "share_five_places": (
        set_to("affordability", "max_share", "0.12345"),
        {f"{A}.affordability.max_share": "must have at most 4 decimal places, got 0.12345"},
    ),
    "affordability_missing": (delete("affordability"), {f"{A}.affordability": "required"}),
    "min_overdue_three_places": (
        set_to("eligibility", "plan_min_overdue", "500.001"),
        {f"{A}.eligibility.plan_min_overdue": "must have at most 2 decimal places, got 500.001"},
    ),
    "min_dpd_0": (
        set_to("eligibility", "plan_min_dpd", 0),
        {f"{A}.eligibility.plan_min_dpd": "must be 1 or more, got 0"},
    ),
    "deferral_max_dpd_negative": (
        set_to("eligibility", "deferral_max_dpd", -1),
        {f"{A}.eligibility.deferral_max_dpd": "must be 0 or more, got -1"},
    ),
    "months_between_121": (
        set_to("eligibility", "months_between_deferrals", 121),
        {f"{A}.eligibility.months_between_deferrals": "must be from 0 to 120, got 121"},
    ),
    "months_after_broken_negative": (
        set_to("eligibility", "months_after_broken_plan", -1),
        {f"{A}.eligibility.months_after_broken_plan": "must be from 0 to 120, got -1"},
    ),
    "auto_periods_61": (
        set_to("auto_approval", "max_plan_periods", 61),
        {f"{A}.auto_approval.max_plan_periods": "must be from 0 to 60, got 61"},
    ),
    "auto_months_13": (
        set_to("auto_approval", "max_deferral_months", 13),
        {f"{A}.auto_approval.max_deferral_months": "must be from 0 to 12, got 13"},
    ),
    "auto_amount_negative": (
        set_to("auto_approval", "max_amount", "-1"),
        {f"{A}.auto_approval.max_amount": "must be 0 or more, got -1"},
    ),
    "auto_arrangements_negative": (
        set_to("auto_approval", "max_arrangements_12m", -1),
        {f"{A}.auto_approval.max_arrangements_12m": "must be 0 or more, got -1"},
    ),
    "auto_amount_above_four_eyes": (
        set_to("auto_approval", "max_amount", "50000.01"),
        {
            f"{A}.auto_approval.max_amount": (
                f"must be at most four_eyes.amount_over (50000.00): {AUTO_NEVER_FOUR_EYES}, "
                "got 50000.01"
            )
        },
    ),
    "auto_periods_above_four_eyes": (
        set_to("auto_approval", "max_plan_periods", 37),
        {
            f"{A}.auto_approval.max_plan_periods": (
                f"must be at most four_eyes.plan_periods_over (36): {AUTO_NEVER_FOUR_EYES}, got 37"
            )
        },
    ),
    "four_eyes_amount_as_number": (
        set_to("four_eyes", "amount_over", 5),
        {
            f"{A}.auto_approval.max_amount": (
                f"must be at most four_eyes.amount_over (5): {AUTO_NEVER_FOUR_EYES}, got 5000.00"
            )
        },
    ),
    "four_eyes_periods_61": (
        set_to("four_eyes", "plan_periods_over", 61),
        {f"{A}.four_eyes.plan_periods_over": "must be from 0 to 60, got 61"},
    ),
    "four_eyes_missing_key": (
        delete("four_eyes", "amount_over"),
        {f"{A}.four_eyes.amount_over": "required"},
    ),
    "observation_0": (
        set_to("observation_months", 0),
        {f"{A}.observation_months": "must be from 1 to 120, got 0"},
    ),
    "observation_as_text": (
        set_to("observation_months", "12"),
        {f"{A}.observation_months": 'must be a whole number, got text "12"'},
    ),
    "two_problems_both_named": (
        both(set_to("plan", "break_after_days", 0), set_to("deferral", "months", [0])),
        {
            f"{A}.plan.break_after_days": "must be from 1 to 365, got 0",
            f"{A}.deferral.months[0]": "must be from 1 to 12, got 0",
        },
    ),
}


@pytest.mark.parametrize(("edit", "errors"), BAD_SECTIONS.values(), ids=BAD_SECTIONS.keys())
def test_a_bad_arrangements_section_names_each_problem_at_its_path(edit, errors):
    assert errors_of(edit) == errors


def test_the_section_must_be_an_object():
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    document["arrangements"] = []

    with pytest.raises(PolicyError) as caught:
        parse_policy(document)

    assert caught.value.errors == {"arrangements": "must be an object, got a list"}


def test_a_document_without_the_section_offers_no_arrangements():
    assert parse_policy(DEFAULT_POLICY_DOCUMENT).arrangements is None


def test_a_problem_elsewhere_is_reported_with_one_in_the_section():
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    document["evidence_points"] = -1
    document["arrangements"]["observation_months"] = 0

    with pytest.raises(PolicyError) as caught:
        parse_policy(document)

    assert set(caught.value.errors) == {"evidence_points", "arrangements.observation_months"}


def test_a_kind_may_be_left_without_options():
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    document["arrangements"]["deferral"]["months"] = []

    assert parse_policy(document).arrangements.deferral.months == ()


def test_version_2_is_version_1_with_the_arrangements_section():
    shipped = json.loads(POLICY_V2_PATH.read_text(encoding="utf-8"))
    relief_part = {key: value for key, value in shipped.items() if key != "arrangements"}

    assert shipped == POLICY_V2_DOCUMENT
    assert relief_part == DEFAULT_POLICY_DOCUMENT
    assert load_default_document(POLICY_V2_PATH) == POLICY_V2_DOCUMENT


def test_version_2_as_shipped_reads_as_domain_md_says():
    terms = policy_v2().arrangements

    assert policy_v2().version == 2
    assert terms.deferral.months == (1, 2, 3)
    assert terms.deferral.interest_discount_percent == 0
    assert terms.plan.periods == (3, 6, 12, 24, 36, 60)
    assert str(terms.plan.annual_rate) == "0"
    assert terms.plan.break_after_days == 30
    assert str(terms.max_share) == "0.50"
    assert str(terms.eligibility.plan_min_overdue) == "500.00"
    assert terms.eligibility.plan_min_dpd == 1
    assert terms.eligibility.deferral_max_dpd == 90
    assert terms.eligibility.months_between_deferrals == 12
    assert terms.eligibility.months_after_broken_plan == 12
    assert terms.auto_approval.max_plan_periods == 12
    assert terms.auto_approval.max_deferral_months == 1
    assert str(terms.auto_approval.max_amount) == "5000.00"
    assert terms.auto_approval.max_arrangements_12m == 0
    assert str(terms.four_eyes.amount_over) == "50000.00"
    assert terms.four_eyes.plan_periods_over == 36
    assert terms.observation_months == 12


def test_version_2_round_trips_through_its_document_and_pickling():
    policy = policy_v2()

    assert policy_to_document(policy) == POLICY_V2_DOCUMENT
    assert parse_policy(policy_to_document(policy), version=2) == policy
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert "arrangements" not in policy_to_document(default_policy())


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


SECTION_PATHS = [path for path in _paths(POLICY_V2_DOCUMENT["arrangements"]) if path]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=5,
)


@given(path=st.sampled_from(SECTION_PATHS), value=json_values)
def test_any_value_anywhere_in_the_section_gives_a_policy_or_a_policy_error(path, value):
    document = copy.deepcopy(POLICY_V2_DOCUMENT)
    set_to(*path, value)(document["arrangements"])

    try:
        policy = parse_policy(document, version=2)
    except PolicyError as error:
        assert error.errors
        assert all(path.startswith("arrangements") for path in error.errors)
        json.dumps(error.errors)
    else:
        assert policy.arrangements is not None
