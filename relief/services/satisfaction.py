"""How satisfied a borrower is with how her request was handled (domain.md §11).

Asked after the decision (approved or rejected) and after the waiver is posted: one score
from 1 to 5 and an optional comment, once per application and moment. An answer is never
changed; a second one for the same moment is a conflict.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from relief.models import (
    ReliefApplication,
    SatisfactionAnswer,
    SatisfactionMoment,
    SatisfactionOutcome,
)
from relief.satisfaction import comment_mask, moment_reached, outcome_of

COMMENT_MAX = 1000

NOT_YET = _("You can tell us how satisfied you are once your application is decided.")
NOT_FULFILLED = _("This question is asked once the penalty is waived.")
ALREADY = _("Thank you: you already told us how satisfied you are at this step.")
SCORE_RANGE = _("Choose a score from 1 to 5.")
COMMENT_TOO_LONG = _("Please keep the comment to %(count)d characters.")
UNKNOWN_MOMENT = _("Choose the decision or the waiver.")


@transaction.atomic
def satisfaction_answer(
    *,
    application_id: int,
    user,
    score: int,
    comment: str = "",
    moment: str | None = None,
) -> SatisfactionAnswer:
    """Record the borrower's answer for `moment` (default: the latest reached).

    Her own applications only (another's does not exist). Refused with a conflict before the
    decision, for the waiver before it is posted, and when this moment was answered already.
    """
    application = (
        ReliefApplication.objects.select_for_update(of=("self",))
        .filter(borrower__user=user)
        .get(pk=application_id)
    )
    if moment is not None and moment not in SatisfactionMoment.values:
        raise DomainError.for_field("moment", UNKNOWN_MOMENT)
    reached = moment_reached(application)
    if reached is None:
        raise ConflictError(NOT_YET, code="not_decided", extra={"status": application.status})
    moment = moment or reached
    if moment == SatisfactionMoment.FULFILMENT and reached != SatisfactionMoment.FULFILMENT:
        raise ConflictError(
            NOT_FULFILLED, code="not_fulfilled", extra={"status": application.status}
        )
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError.for_field("score", SCORE_RANGE)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError.for_field("comment", COMMENT_TOO_LONG % {"count": COMMENT_MAX})
    if application.satisfaction_answers.filter(moment=moment).exists():
        raise ConflictError(ALREADY, code="already_answered", extra={"moment": moment})
    outcome = (
        SatisfactionOutcome.FULFILLED
        if moment == SatisfactionMoment.FULFILMENT
        else outcome_of(application)
    )
    try:
        with transaction.atomic():
            return SatisfactionAnswer.objects.create(
                application=application,
                moment=moment,
                outcome=outcome,
                score=score,
                comment=comment,
                comment_masked=comment_mask(comment),
                answered_by=user,
            )
    except IntegrityError:
        # Another request answered in between (the row lock makes this rare).
        raise ConflictError(ALREADY, code="already_answered", extra={"moment": moment}) from None
