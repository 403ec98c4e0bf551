"""The borrower's relief pages: quote, apply, follow an application (notifications:
`relief.notification_views`).

Thin views (house style): fetch one object scoped to `request.user`, call one selector or
service, render. A service's `DomainError` becomes a message or a form error, never a 500.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import permissions
from core.errors import ConflictError, DomainError
from learn import selectors as learn_selectors
from learn.models import Tag
from loans import selectors as loan_selectors
from loans.models import Loan
from relief import arrangement_selectors, presentation, selectors, services
from relief.forms import (
    AnswerForm,
    ApplyForm,
    QuoteForm,
    SatisfactionForm,
    VersionForm,
    add_domain_error,
)
from relief.models import (
    ActorKind,
    ApplicationStatus,
    Evidence,
    HardshipReason,
    ReliefApplication,
    ReliefPolicy,
)
from relief.presentation import status_label
from relief.satisfaction import satisfaction_of
from relief.services.evidence import MAX_FILES
from relief.services.satisfaction import satisfaction_answer
from relief.services.transitions import allowed_actions

PAGE_SIZE = 20
# The moves a borrower makes on the application page; the others belong to reviewers.
BORROWER_ACTIONS = ("withdraw", "accept", "decline", "answer")
OFFER_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED)
APPLY_TOKENS = "relief_apply_tokens"
APPLY_TOKENS_KEPT = 20


# --- helpers --------------------------------------------------------------------------------


def loan_or_404(user, loan_id: int) -> Loan:
    try:
        return loan_selectors.loan_of_user(user, loan_id)
    except Loan.DoesNotExist:
        raise Http404 from None


def application_or_404(user, application_id: int) -> ReliefApplication:
    try:
        return selectors.application_of_user(user, application_id)
    except ReliefApplication.DoesNotExist:
        raise Http404 from None


def reason_choices() -> list[dict[str, str]]:
    """Every hardship reason with its label and the evidence that helps, in this language."""
    return [
        {"code": code, "label": str(label), "hint": presentation.reason_evidence_hint(code)}
        for code, label in HardshipReason.choices
    ]


def quote_context(user, loan: Loan, reason: str) -> dict:
    """The quote of `loan` for `reason`, ready for `relief/_quote.html`."""
    context = {
        "loan": loan,
        "reason": reason,
        "reason_hint": presentation.reason_evidence_hint(reason) if reason else "",
        "quote": None,
        "open_application": None,
    }
    try:
        loan_quote = selectors.loan_quote(loan, reason=reason or HardshipReason.OTHER)
    except ReliefPolicy.DoesNotExist:
        # No active policy (a misconfigured install): say so rather than fail.
        context["state"] = loan_selectors.loan_state(loan)
        return context
    quote = loan_quote.quote
    policy = selectors.policy_rules(loan_quote.policy)
    context.update(
        state=loan_quote.state,
        grace=loan_selectors.grace_notice(loan_quote.state),
        quote=selectors.quote_for_reader(selectors.quote_document(quote)),
        decision_hours=policy.service_levels.decision_hours,
        offer_valid_days=policy.service_levels.offer_valid_days,
    )
    if "open_application" in quote.not_eligible_reasons:
        context["open_application"] = selectors.open_applications_by_loan(user).get(loan.pk)
    return context


def apply_token_issue(request) -> str:
    tokens = request.session.get(APPLY_TOKENS, {})
    token = secrets.token_urlsafe(16)
    tokens[token] = None
    # Keep the newest few: a borrower may have several tabs open, not hundreds.
    request.session[APPLY_TOKENS] = dict(list(tokens.items())[-APPLY_TOKENS_KEPT:])
    return token


def apply_token_application(request, token: str) -> int | None:
    """The application a form with this token already created, if any."""
    return request.session.get(APPLY_TOKENS, {}).get(token) if token else None


def apply_token_spend(request, token: str, application_id: int) -> None:
    tokens = request.session.get(APPLY_TOKENS, {})
    if token:
        tokens[token] = application_id
        request.session[APPLY_TOKENS] = dict(list(tokens.items())[-APPLY_TOKENS_KEPT:])


def open_application_message(error: ConflictError, application_id: int):
    return format_html(
        '{} <a href="{}">{}</a>',
        str(error.message),
        reverse("application-detail", args=[application_id]),
        _("See the open application"),
    )


def already_sent(request, token: str):
    """The application a form with this token already made, to go to; else None."""
    already = apply_token_application(request, token)
    if not already:
        return None
    messages.info(request, _("This form was already sent. Here is your application."))
    return redirect("application-detail", already)


def submit_from_page(request, form, token: str, *, also=(), **submitted):
    """Apply from a page's form (`submitted`: what the application service takes besides the
    files and the borrower): to the new application, or to the open one the loan already has;
    else the refusal on the form (or on `also`'s fields) and None, to show the page again."""
    try:
        application = services.relief_application_submit(
            uploads=request.FILES.getlist("files"), submitted_by=request.user, **submitted
        )
    except ConflictError as error:
        open_id = error.extra.get("open_application")
        if error.code == "open_application" and open_id:
            messages.warning(request, open_application_message(error, open_id))
            return redirect("application-detail", open_id)
        add_domain_error(form, error, also=also)
    except DomainError as error:
        add_domain_error(form, error, also=also)
    else:
        apply_token_spend(request, token, application.pk)
        messages.success(
            request,
            _("We received your application #%(id)s. We will tell you when it is decided.")
            % {"id": application.pk},
        )
        return redirect("application-detail", application.pk)
    return None


def safe_next(request, fallback: str) -> str:
    """The page to go back to: a path on this site, else `fallback`. (A bare word would be
    taken by redirect() for a URL name, and an unknown one was a server error.)"""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- quote and apply ------------------------------------------------------------------------


@login_required
@require_safe
def loan_quote(request, loan_id: int):
    loan = loan_or_404(request.user, loan_id)
    form = QuoteForm(request.GET if "reason" in request.GET else None)
    reason = form.cleaned_data["reason"] if form.is_bound and form.is_valid() else ""
    context = quote_context(request.user, loan, reason)
    context.update(
        form=form,
        reasons=reason_choices(),
        # How penalty is worked out here, beside the figures it explains.
        suggested_article=learn_selectors.suggested_article(Tag.PENALTY),
    )
    return render(request, "relief/quote.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def loan_apply(request, loan_id: int):
    loan = loan_or_404(request.user, loan_id)
    if request.method == "POST":
        form = ApplyForm(request.POST, request.FILES)
        token = request.POST.get("token", "")
        already = already_sent(request, token)
        if already:
            return already
        if form.is_valid():
            done = submit_from_page(
                request,
                form,
                token,
                loan=loan,
                reason=form.cleaned_data["reason"],
                description=form.cleaned_data["description"],
            )
            if done:
                return done
        reason = request.POST.get("reason", "")
    else:
        reason = request.GET.get("reason", "")
        form = ApplyForm(initial={"reason": reason, "token": apply_token_issue(request)})
    if reason not in HardshipReason.values:
        reason = ""
    context = quote_context(request.user, loan, reason)
    context.update(form=form, reasons=reason_choices(), max_files=MAX_FILES)
    return render(request, "relief/apply.html", context)


# --- applications ---------------------------------------------------------------------------


@login_required
@require_safe
def application_list(request):
    page = Paginator(selectors.applications_of_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "relief/application_list.html", {"page": page})


ACTOR_LABELS = {
    ActorKind.BORROWER: lambda: _("You"),
    ActorKind.REVIEWER: lambda: _("Reviewer"),
    ActorKind.SYSTEM: lambda: _("System"),
}
SYSTEM_NOTES = {
    ApplicationStatus.APPROVED: lambda data: _("Approved automatically under the relief policy."),
    ApplicationStatus.IN_REVIEW: lambda data: _("Passed to a reviewer."),
    ApplicationStatus.EXPIRED: lambda data: _("The offer's deadline passed."),
    ApplicationStatus.FULFILLED: lambda data: fulfilled_note(data),
}
ARRANGEMENT_NOTES = {
    "completed": lambda: _("Your repayment arrangement is complete: every payment of it is paid."),
    "broken": lambda: _(
        "Your repayment arrangement ended: a payment was left unpaid too long. What is left of "
        "it is due now."
    ),
}


def fulfilled_note(data: dict) -> str:
    waived = _("¥%(amount)s of penalty was waived.") % {"amount": data.get("waived", "")}
    if "arrangement" not in data:
        return waived
    # Accepting an offer with an arrangement starts it (and posts the relief asked with it).
    started = _("Your repayment arrangement started.")
    return f"{started} {waived}" if data.get("waived") not in (None, "", "0.00") else started


def status_words(application: ReliefApplication, status: str) -> str:
    """A status as the borrower reads it: an application with an arrangement is fulfilled
    when its offer is accepted and the arrangement starts, whatever was waived."""
    if status == ApplicationStatus.FULFILLED and application.arrangement_id is not None:
        return _("Accepted: arrangement started")
    return status_label(status)


def timeline(application: ReliefApplication) -> list[dict]:
    """The status changes as the borrower sees them: no reviewer names, no internal notes.

    Events that change nothing (assignment, evidence checks) are the reviewers' business.
    System notes are written for staff in English, so the borrower reads a translated line.
    """
    rows = []
    for event in application.events.all():
        arrangement_status = (event.data or {}).get("arrangement_status")
        if arrangement_status in ARRANGEMENT_NOTES:
            # An arrangement completed or broken: the application's own status stays.
            rows.append(
                {
                    "at": event.at,
                    "actor": ACTOR_LABELS[ActorKind.SYSTEM](),
                    "from": "",
                    "to": _("Repayment arrangement: %(status)s")
                    % {"status": presentation.arrangement_status_label(arrangement_status)},
                    "note": ARRANGEMENT_NOTES[arrangement_status](),
                }
            )
            continue
        if event.from_status == event.to_status:
            continue
        if event.actor_kind == ActorKind.SYSTEM:
            explain = SYSTEM_NOTES.get(event.to_status)
            note = explain(event.data or {}) if explain else ""
        else:
            note = event.note
        actor = ACTOR_LABELS.get(event.actor_kind)
        rows.append(
            {
                "at": event.at,
                "actor": actor() if actor else "",
                "from": status_words(application, event.from_status) if event.from_status else "",
                "to": status_words(application, event.to_status),
                "note": note,
            }
        )
    return rows


def render_detail(
    request,
    application: ReliefApplication,
    *,
    answer_form=None,
    satisfaction_form=None,
    status=200,
):
    today = loan_selectors.local_today()
    actions = allowed_actions(application.status) & set(BORROWER_ACTIONS)
    offer_lapsed = bool(application.offer_deadline and application.offer_deadline < today)
    if offer_lapsed:
        actions.discard("accept")
    evidence = list(application.evidence.all())
    question = ""
    if application.status == ApplicationStatus.NEEDS_INFO:
        question = presentation.last_note(application, ApplicationStatus.NEEDS_INFO)
    context = {
        "application": application,
        "status_label": status_words(application, application.status),
        "reason_label": presentation.reason_label(application.reason),
        "quote": selectors.quote_for_reader(application.quote),
        "timeline": timeline(application),
        "question": question,
        "rejection_note": presentation.last_note(application, ApplicationStatus.REJECTED),
        "customer_service": settings.CUSTOMER_SERVICE,
        "evidence": evidence,
        "actions": actions,
        "offer_lapsed": offer_lapsed,
        "triage_blockers": presentation.triage_blockers(application),
        "is_offer": application.status in OFFER_STATUSES,
        "repay_to_fulfil": (
            selectors.repay_to_fulfil(application, today=today)
            if application.status in OFFER_STATUSES and application.arrangement_id is None
            else None
        ),
        "answer_form": answer_form or AnswerForm(initial={"version": application.version}),
        "files_left": max(MAX_FILES - len(evidence), 0),
        "satisfaction": satisfaction_of(application),
        "satisfaction_form": satisfaction_form or SatisfactionForm(),
        "arrangement": arrangement_selectors.application_arrangement_page(application, today=today),
    }
    return render(request, "relief/application_detail.html", context, status=status)


@login_required
@require_safe
def application_detail(request, application_id: int):
    return render_detail(request, application_or_404(request.user, application_id))


ACTION_SERVICES = {
    "withdraw": services.relief_application_withdraw,
    "accept": services.relief_application_accept,
    "decline": services.relief_application_decline,
}
ACTION_DONE = {
    "withdraw": lambda: _("Your application was withdrawn."),
    "accept": lambda: _(
        "You accepted the offer. Repay the rest of the overdue amount by the deadline and the "
        "penalty is waived."
    ),
    "decline": lambda: _("You declined the offer."),
    "answer": lambda: _("Thank you. Your answer was sent to the reviewer."),
}


@login_required
@require_POST
def application_action(request, application_id: int, action: str):
    if action not in BORROWER_ACTIONS:
        raise Http404
    application = application_or_404(request.user, application_id)
    detail = redirect("application-detail", application.pk)
    form = (AnswerForm if action == "answer" else VersionForm)(request.POST, request.FILES)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("This page is out of date. Please try again."))
            return detail
        return render_detail(request, application, answer_form=form)
    version = form.cleaned_data["version"]
    try:
        if action == "answer":
            services.relief_application_answer(
                application_id=application.pk,
                user=request.user,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["files"],
                version=version,
            )
        else:
            ACTION_SERVICES[action](
                application_id=application.pk, user=request.user, version=version
            )
    except ConflictError as error:
        fresh = application_or_404(request.user, application.pk)
        if action == "answer" and "answer" in allowed_actions(fresh.status):
            # Keep what the borrower wrote; the form now carries the current version.
            data = request.POST.copy()
            data["version"] = str(fresh.version)
            form = AnswerForm(data)
            form.is_valid()
            form.add_error(None, str(error.message))
            return render_detail(request, fresh, answer_form=form)
        messages.error(request, str(error.message))
        return detail
    except DomainError as error:
        if action == "answer":
            add_domain_error(form, error)
            return render_detail(request, application, answer_form=form)
        messages.error(request, str(error.message))
        return detail
    if action == "accept" and application.arrangement_id is not None:
        messages.success(
            request,
            _("You accepted the offer: your repayment arrangement has started. See it below."),
        )
    else:
        messages.success(request, ACTION_DONE[action]())
    return detail


@login_required
@require_POST
def application_satisfaction(request, application_id: int):
    """The borrower's answer to the satisfaction question on her application's page."""
    application = application_or_404(request.user, application_id)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            satisfaction_answer(
                application_id=application.pk,
                user=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ConflictError as error:
            messages.info(request, str(error.message))
            return redirect("application-detail", application.pk)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you for telling us."))
            return redirect("application-detail", application.pk)
    return render_detail(request, application, satisfaction_form=form)


@login_required
@require_safe
def evidence_download(request, application_id: int, evidence_id: int):
    files = Evidence.objects.filter(pk=evidence_id, application_id=application_id)
    if not permissions.can_read_any_evidence(request.user):
        files = files.filter(application__borrower__user=request.user)
    evidence = files.first()
    if evidence is None:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    # The bytes were checked on upload; still, never let a browser guess or run them.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- notifications --------------------------------------------------------------------------
