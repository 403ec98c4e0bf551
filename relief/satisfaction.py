"""Satisfaction (domain.md §11): which question an application is asked now, what a borrower
answered, and her comment as reports show it. Reads only; answering is
`relief.services.satisfaction.satisfaction_answer`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from relief.models import (
    ApplicationStatus,
    ReliefApplication,
    SatisfactionAnswer,
    SatisfactionMoment,
    SatisfactionOutcome,
)

S = ApplicationStatus
# An approval was decided whatever the borrower did with the offer afterwards (as in reports).
APPROVED_STATUSES = (S.APPROVED, S.ACCEPTED, S.FULFILLED, S.DECLINED, S.EXPIRED)
SCORE_LABELS = (
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
)
SCORES = tuple(score for score, _label in SCORE_LABELS)


def outcome_of(application: ReliefApplication) -> str | None:
    """The decision the application came to: approved or rejected, or None while open."""
    if application.status in APPROVED_STATUSES:
        return SatisfactionOutcome.APPROVED
    if application.status == S.REJECTED:
        return SatisfactionOutcome.REJECTED
    return None


def moment_reached(application: ReliefApplication) -> str | None:
    """The latest moment the application has reached (the one asked about now), or None."""
    if application.status == S.FULFILLED:
        return SatisfactionMoment.FULFILMENT
    if outcome_of(application):
        return SatisfactionMoment.DECISION
    return None


@dataclass(frozen=True)
class Satisfaction:
    """What the application page shows: the question to ask now (a moment, or None when
    there is none or it was answered) and the scores given, by moment."""

    asked: str | None
    scores: dict[str, int]


def answered_scores() -> dict[str, Subquery]:
    """Annotations giving an application's score at each moment (None when not answered),
    read with the application itself: `satisfaction_decision`, `satisfaction_fulfilment`."""
    return {
        f"satisfaction_{moment}": Subquery(
            SatisfactionAnswer.objects.filter(application=OuterRef("pk"), moment=moment).values(
                "score"
            )[:1]
        )
        for moment in SatisfactionMoment.values
    }


def satisfaction_of(application: ReliefApplication) -> Satisfaction:
    """The question and the scores of an application read with `answered_scores()` (else
    they are read now)."""
    names = [f"satisfaction_{moment}" for moment in SatisfactionMoment.values]
    if all(hasattr(application, name) for name in names):
        scores = {
            moment: getattr(application, f"satisfaction_{moment}")
            for moment in SatisfactionMoment.values
        }
        scores = {moment: score for moment, score in scores.items() if score is not None}
    else:
        scores = dict(application.satisfaction_answers.values_list("moment", "score"))
    reached = moment_reached(application)
    return Satisfaction(asked=reached if reached not in scores else None, scores=scores)


# Runs of digits that may be a phone, ID or bank card number (7 or more, spaces or dashes
# between them, an ID's final X), and email addresses: masked in what reports show.
NUMBER_RUN = re.compile(r"(?<!\d)\d(?:[ \-]?\d){6,}(?:[ \-]?[Xx])?(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _masked_number(match: re.Match) -> str:
    digits = re.sub(r"[ \-]", "", match.group(0))
    return "*" * (len(digits) - 4) + digits[-4:]


def comment_mask(text: str) -> str:
    """The comment with numbers of 7 digits or more shown as their last four (138****5678
    → *******5678) and email addresses as ***@domain."""
    text = NUMBER_RUN.sub(_masked_number, text)
    return EMAIL.sub(lambda match: "***@" + match.group(0).split("@", 1)[1], text)
