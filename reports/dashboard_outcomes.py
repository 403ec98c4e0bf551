"""The ops dashboard's Outcomes panel (domain.md §11): satisfaction by outcome, reason, policy
version and month with the latest comments; repayment within 30, 60 and 90 days of the
decision, approved against rejected; outreach against the holdout. Where the seed's two claims
(repayment up, satisfaction up) are checked against this lender's data.

Presentation only, like `reports.dashboard`: the figures are summed by `reports.outcomes` from
the reports' rows `reports.selectors.dashboard` read. Every figure is shown with its count, and
one over fewer than REPORTS_FEW_CASES cases is marked (`Figure.few`, the charts' `marked`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from relief.models import HardshipReason, SatisfactionOutcome
from reports import charts
from reports.dashboard import (
    Figure,
    Panel,
    effectiveness_no_data,
    figure,
    outcome_label,
    reason_label,
    safe_chart,
    show,
)
from reports.dashboard_prevention import outreach_panel
from reports.outcomes import SCORES, Satisfaction, few, few_cases, satisfaction_by, satisfaction_of
from reports.queries import REPORTS, Report
from reports.queries.sql import EFFECTIVENESS_WINDOWS
from reports.selectors import Dashboard

# Very dissatisfied to very satisfied: Okabe–Ito vermilion, orange, grey, sky blue, blue.
SCORE_COLORS = ("#d55e00", "#e69f00", "#999999", "#56b4e9", "#0072b2")


@dataclass(frozen=True)
class Comment:
    answered_at: datetime
    application_id: int
    outcome: str
    reason: str
    score: int
    text: str


@dataclass
class Outcomes:
    satisfaction: Panel
    comments: list[Comment]
    comments_report: Report
    panels: list[Panel] = field(default_factory=list)  # repayment, outreach


def satisfied_outcome_label(code: str) -> str:
    try:
        return str(SatisfactionOutcome(code).label)
    except ValueError:
        return code


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def policy_label(version: int) -> str:
    return _("Policy v%(version)s") % {"version": version}


def satisfaction_row(label: str, group: Satisfaction) -> list[str | Figure]:
    """Asked, answered, the response rate (few when few were asked), the mean score (few
    when few answered), and the answers scoring each of 1–5."""
    return [
        label,
        show(group.asked),
        show(group.answered),
        figure(show(group.response_rate, "%"), group.response_rate, group.asked),
        figure(show(group.mean), group.mean, group.answered),
        *(show(count) for count in group.scores),
    ]


def satisfaction_panel(rows: list[dict[str, Any]]) -> Panel:
    title = _("Satisfaction with how requests were handled")
    by_outcome = satisfaction_by(rows, lambda row: row["outcome"], SatisfactionOutcome.values)
    outcomes = [satisfied_outcome_label(group.key) for group in by_outcome]
    groups = [
        (_("By outcome"), by_outcome, satisfied_outcome_label),
        (
            _("By reason"),
            satisfaction_by(rows, lambda row: row["reason"], HardshipReason.values),
            reason_label,
        ),
        (
            _("By policy version"),
            satisfaction_by(rows, lambda row: row["policy_version"]),
            policy_label,
        ),
        (_("By month of submission"), satisfaction_by(rows, lambda row: row["month"]), month_label),
    ]
    return Panel(
        key="satisfaction",
        title=title,
        description=_(
            "Answers to “How satisfied are you with how your request was handled?”, 1 (very "
            "dissatisfied) to 5 (very satisfied). Approved and rejected: asked after the "
            "decision; fulfilled: asked again after the waiver. Asked: the applications that "
            "reached that moment; response rate: answered ÷ asked. The chart counts the "
            "answers giving each score."
        ),
        chart=safe_chart(
            charts.bar_chart(
                outcomes,
                [
                    charts.Series(
                        _("Score %(score)s") % {"score": score},
                        [group.scores[index] for group in by_outcome],
                        SCORE_COLORS[index],
                    )
                    for index, score in enumerate(SCORES)
                ],
                title=title,
                chart_id="chart-satisfaction",
                stacked=True,
                no_data=_("No answers in this range"),
                marked={
                    (index, slot)
                    for index, group in enumerate(by_outcome)
                    if few(group.answered)
                    for slot in range(len(SCORES))
                },
            )
        ),
        headers=[
            _("Group"),
            _("Asked"),
            _("Answered"),
            _("Response rate"),
            _("Mean score"),
            *(str(score) for score in SCORES),
        ],
        rows=[satisfaction_row(_("All"), satisfaction_of(None, rows))] if rows else [],
        groups=[
            (heading, [satisfaction_row(label(group.key), group) for group in found])
            for heading, found, label in groups
            if found
        ],
        level=3,
    )


def comments(rows: list[dict[str, Any]]) -> list[Comment]:
    """The latest comments, as the `satisfaction-comments` export has them, masked."""
    return [
        Comment(
            answered_at=row["answered_at"],
            application_id=row["application_id"],
            outcome=satisfied_outcome_label(row["outcome"]),
            reason=reason_label(row["reason"]),
            score=row["score"],
            text=row["comment"],
        )
        for row in rows
    ]


def repayment_panel(data: Dashboard) -> Panel:
    title = _("Repaid within 30, 60 and 90 days of the decision")
    decided = [data.repaid[name] for name in ("approved", "rejected") if name in data.repaid]
    windows = [_("%(days)s days") % {"days": days} for days in EFFECTIVENESS_WINDOWS]
    return Panel(
        key="repayment",
        title=title,
        description=_(
            "Decided cases whose installments due by the decision were all paid off within 30, "
            "60 and 90 days of it, approved against rejected, every bucket together (the "
            "effectiveness report). A case counts for a window once that many days have "
            "passed since its decision: the share is of those cases."
        ),
        chart=safe_chart(
            charts.bar_chart(
                windows,
                [
                    charts.Series(
                        outcome_label(repaid.outcome),
                        [repaid.rate(days) for days in EFFECTIVENESS_WINDOWS],
                    )
                    for repaid in decided
                ],
                title=title,
                chart_id="chart-repayment",
                unit="%",
                axis_max=100,
                no_data=effectiveness_no_data(data.effectiveness),
                marked={
                    (index, slot)
                    for index, days in enumerate(EFFECTIVENESS_WINDOWS)
                    for slot, repaid in enumerate(decided)
                    if few(repaid.observed[days])
                },
            )
        ),
        headers=[
            _("Outcome"),
            _("Decided"),
            *(_("Within %(days)s days") % {"days": days} for days in EFFECTIVENESS_WINDOWS),
        ],
        rows=[
            [
                outcome_label(repaid.outcome),
                show(repaid.cases),
                *(
                    figure(
                        f"{show(repaid.rate(days), '%')} "
                        f"({show(repaid.repaid[days])}/{show(repaid.observed[days])})",
                        repaid.rate(days),
                        repaid.observed[days],
                    )
                    for days in EFFECTIVENESS_WINDOWS
                ),
            ]
            for repaid in decided
        ],
        level=3,
    )


def outcomes(data: Dashboard) -> Outcomes:
    return Outcomes(
        satisfaction=satisfaction_panel(data.satisfaction),
        comments=comments(data.comments),
        comments_report=REPORTS["satisfaction-comments"],
        panels=[repayment_panel(data), outreach_panel(data.outreach, level=3)],
    )


__all__ = ["Comment", "Outcomes", "few_cases", "outcomes"]
