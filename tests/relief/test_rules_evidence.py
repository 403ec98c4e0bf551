"""Evidence attached but not yet verified stops auto-approval when verifying it would raise
the percent: the quote promised points for it, so a person looks at it first."""

from relief.rules import AUTO_APPROVAL_BLOCKERS, default_policy, quote
from tests.relief.test_rules import make_case


def test_evidence_to_verify_that_would_raise_the_percent_stops_auto_approval():
    # 50% without evidence, 60% once verified: auto-approvable only without the evidence.
    without = quote(make_case(), default_policy())
    assert without.auto_approvable and without.percent == 50

    result = quote(make_case(evidence_to_verify=True), default_policy())

    assert result.percent == 50
    assert not result.auto_approvable
    assert result.auto_approval_blockers == ("evidence_to_verify",)
    assert "evidence_to_verify" in AUTO_APPROVAL_BLOCKERS


def test_evidence_that_could_not_raise_the_percent_does_not_stop_auto_approval():
    # 20 − 20 − 15 = −15 → 0; verified evidence (+10) would still leave 0.
    case = make_case(
        days_overdue=200, on_time_ratio="0.30", prior_reliefs_12m=1, evidence_to_verify=True
    )

    assert "evidence_to_verify" not in quote(case, default_policy()).auto_approval_blockers


def test_evidence_already_verified_is_not_waiting_for_a_reviewer():
    case = make_case(evidence_verified=True, evidence_to_verify=True)

    result = quote(case, default_policy())

    assert result.percent == 60
    assert "evidence_to_verify" not in result.auto_approval_blockers


def test_the_flag_defaults_to_no_evidence_waiting():
    assert make_case().evidence_to_verify is False
