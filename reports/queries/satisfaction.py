"""The satisfaction reports (domain.md §11, docs/reports.md): how satisfied borrowers are
after the decision and after the waiver, by month of submission, outcome, reason and
policy version; and what they wrote, masked.

The share who answered needs those who were asked: each application that reached a moment
counts once as asked (decided: the decision; fulfilled: the waiver), joined to its answer
for that moment (at most one), so no row is counted twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from relief.models import (
    HardshipReason,
    SatisfactionAnswer,
    SatisfactionMoment,
    SatisfactionOutcome,
)
from relief.satisfaction import SCORES
from reports.filters import ReportFilters
from reports.queries.sql import (
    APPROVED_Q,
    CODE,
    DATETIME,
    DECIDED_Q,
    INT,
    MONTH,
    NUMBER,
    TEXT,
    Column,
    Percent,
    RoundOne,
    S,
    in_range,
    interpolate,
    submitted_month,
)

SCORE_COUNT = _("Answers scoring %(score)s")
MOMENT_LABELS = tuple(SatisfactionMoment.choices)
OUTCOME_LABELS = tuple(SatisfactionOutcome.choices)
GROUPING = ("r_month", "r_moment", "r_outcome", "reason", "policy_version")


def asked_at(filters: ReportFilters, moment: str, reached: Q, outcome) -> QuerySet:
    """The applications that reached `moment`, grouped, with their answers' figures."""
    answer = FilteredRelation(
        "satisfaction_answers", condition=Q(satisfaction_answers__moment=moment)
    )
    return (
        in_range(filters)
        .filter(reached)
        .annotate(
            r_answer=answer,
            r_month=submitted_month(),
            r_moment=Value(moment, output_field=CharField()),
            r_outcome=outcome,
        )
        .values(*GROUPING)
        .annotate(
            r_asked=Count("id"),
            r_answered=Count("r_answer__id"),
            r_rate=Percent(Count("r_answer__id"), Count("id")),
            r_mean=RoundOne(Avg("r_answer__score")),
            **{
                f"r_score_{score}": Count("r_answer__id", filter=Q(r_answer__score=score))
                for score in SCORES
            },
        )
        .values_list(
            *GROUPING,
            "r_asked",
            "r_answered",
            "r_rate",
            "r_mean",
            *(f"r_score_{score}" for score in SCORES),
        )
    )


def satisfaction(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    decided = asked_at(
        filters,
        SatisfactionMoment.DECISION,
        DECIDED_Q,
        Case(
            When(APPROVED_Q, then=Value(SatisfactionOutcome.APPROVED.value)),
            default=Value(SatisfactionOutcome.REJECTED.value),
            output_field=CharField(),
        ),
    )
    fulfilled = asked_at(
        filters,
        SatisfactionMoment.FULFILMENT,
        Q(status=S.FULFILLED),
        Value(SatisfactionOutcome.FULFILLED.value, output_field=CharField()),
    )
    return decided.union(fulfilled, all=True).order_by(*GROUPING)


SATISFACTION_COLUMNS = (
    Column("month", _("Month"), MONTH),
    Column("moment", _("When asked"), CODE, MOMENT_LABELS),
    Column("outcome", _("Outcome"), CODE, OUTCOME_LABELS),
    Column("reason", _("Reason"), CODE, tuple(HardshipReason.choices)),
    Column("policy_version", _("Policy version"), INT),
    Column("asked", _("Asked"), INT),
    Column("answered", _("Answered"), INT),
    Column("response_rate_pct", _("Response rate %"), NUMBER),
    Column("mean_score", _("Mean score (1–5)"), NUMBER),
    *(Column(f"score_{score}", interpolate(SCORE_COUNT, score=score), INT) for score in SCORES),
)


def satisfaction_comments(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    """Each answer with a comment, newest first; phone, ID and card numbers and email
    addresses masked unless the reader may see borrowers' data unmasked."""
    return (
        SatisfactionAnswer.objects.filter(filters.application_q("application__"))
        .exclude(comment="")
        .order_by("-created_at", "-id")
        .values_list(
            "created_at",
            "application_id",
            "moment",
            "outcome",
            "application__reason",
            "application__policy_version",
            "score",
            F("comment") if unmasked else F("comment_masked"),
        )
    )


SATISFACTION_COMMENT_COLUMNS = (
    Column("answered_at", _("Answered at"), DATETIME),
    Column("application_id", _("Application"), INT),
    Column("moment", _("When asked"), CODE, MOMENT_LABELS),
    Column("outcome", _("Outcome"), CODE, OUTCOME_LABELS),
    Column("reason", _("Reason"), CODE, tuple(HardshipReason.choices)),
    Column("policy_version", _("Policy version"), INT),
    Column("score", _("Score"), INT),
    Column("comment", _("Comment"), TEXT),
)
