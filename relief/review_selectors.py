"""What a reviewer reads of one case (the admin's case page), and who can be given cases.

Selectors: they read and compute, never change anything. The case page shows what they
return; what the reviewer may do on it comes from relief.services.review_capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from core import permissions
from loans import selectors as loan_selectors
from loans.calculations import ZERO, HistoryMetrics
from loans.models import Installment, Loan
from relief import arrangement_selectors, presentation, rules, selectors
from relief.models import ApplicationEvent, Evidence, RejectionReason, ReliefApplication

EARLIER_SHOWN = 20


@dataclass(frozen=True)
class ReviewCase:
    """One case as the case page shows it; the field names are the page's."""

    loan: Loan
    state: loan_selectors.LoanState
    history: HistoryMetrics
    prior_reliefs: int
    quote: dict[str, Any]  # the quote as read (the review quote once evidence was verified)
    quote_is_review: bool
    blockers: list[str]  # why it was not approved automatically, in words
    submission_quote_summary: str
    evidence: list[Evidence]
    earlier: list[ReliefApplication]  # the borrower's other applications, newest first
    events: list[ApplicationEvent]
    penalty_now: Decimal  # the penalty outstanding today: an approval's percent applies to it
    penalty_fen: int  # the same in fen, for the page's live amount as the percent changes
    suggested_amount_now: Decimal  # the relief at the suggested percent, today
    four_eyes: rules.FourEyes
    four_eyes_amount_fen: int
    rejection_reasons: list[tuple[str, str]]
    # The arrangement asked for (domain.md §9): today's options, affordability, the effect of
    # the one proposed on the schedule; why triage did not approve it; the restructured mark.
    arrangement: arrangement_selectors.ReviewArrangement | None
    arrangement_blockers: list[str]
    restructured: bool


def review_case(application: ReliefApplication, *, today: date | None = None) -> ReviewCase:
    today = today or loan_selectors.local_today()
    loan = (
        Loan.objects.select_related("product", "borrower")
        .prefetch_related(
            Prefetch("installments", queryset=Installment.objects.order_by("seq")),
        )
        .get(pk=application.loan_id)
    )
    state = loan_selectors.loan_state(loan, today=today)
    quote = selectors.quote_for_reader(application.review_quote or application.quote)
    events = list(
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("at", "id")
    )
    four_eyes = selectors.policy_rules(application.policy).four_eyes
    penalty_now = state.penalty_outstanding
    return ReviewCase(
        loan=loan,
        state=state,
        history=loan_selectors.borrower_history(loan.borrower, today=today),
        prior_reliefs=selectors.prior_reliefs_12m(
            application.borrower_id, today=today, exclude_id=application.pk
        ),
        quote=quote,
        quote_is_review=application.review_quote is not None,
        # Why triage did not approve it, as triage recorded it (the quote's own list before).
        blockers=[
            presentation.blocker_label(code)
            for code in presentation.triage_blockers_of(events)
            or quote.get("auto_approval_blockers", [])
        ]
        if application.asks_relief
        else [],
        submission_quote_summary=selectors.quote_for_reader(application.quote)["summary"],
        evidence=list(
            application.evidence.select_related("verified_by").order_by("uploaded_at", "id")
        ),
        earlier=list(
            ReliefApplication.objects.filter(borrower_id=application.borrower_id)
            .exclude(pk=application.pk)
            .select_related("loan")
            .order_by("-created_at", "-id")[:EARLIER_SHOWN]
        ),
        events=events,
        penalty_now=penalty_now,
        penalty_fen=int((penalty_now * 100).to_integral_value()),
        suggested_amount_now=rules.relief_amount(penalty_now, application.suggested_percent)
        if penalty_now > 0
        else ZERO,
        four_eyes=four_eyes,
        four_eyes_amount_fen=int(four_eyes.amount_over * 100),
        rejection_reasons=RejectionReason.choices,
        arrangement=arrangement_selectors.review_arrangement(application, state=state),
        arrangement_blockers=[
            presentation.arrangement_blocker_label(code)
            for code in presentation.triage_arrangement_blockers_of(events)
        ],
        restructured=loan_selectors.restructured(loan, today=today),
    )


def assignable_reviewers() -> QuerySet:
    """People a case can be given to: active accounts that may decide cases."""
    return permissions.users_with(permissions.DECIDE_CASES).order_by("username")
