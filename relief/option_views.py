"""The borrower's repayment options (domain.md §9): `/loans/<id>/options/` shows every
deferral and instalment plan the policy offers her loan, marks what her income can carry,
and applies for the one she chooses.

Two forms, no JavaScript needed: a GET form for what the options are worked out with (the
reason, her monthly income, relief or not) and a POST form that applies for one option with
those same values (sent again, hidden), so she applies for the figures she read.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from loans.models import Loan
from relief import arrangement_selectors, selectors
from relief.forms import OptionApplyForm, OptionsForm
from relief.models import HardshipReason, ReliefPolicy
from relief.services.evidence import MAX_FILES
from relief.views import (
    already_sent,
    apply_token_issue,
    loan_or_404,
    reason_choices,
    submit_from_page,
)


def options_context(user, loan: Loan, form: OptionsForm) -> dict:
    """The options of `loan` for what `form` holds (its valid values; the rest left out)."""
    values = {}
    if form.is_bound:
        form.is_valid()
        values = form.cleaned_data  # the valid fields: the page shows what can be shown
    reason = values.get("reason") or ""
    income = values.get("monthly_income")
    with_relief = values.get("relief", True) is not False
    context = {"loan": loan, "reason": reason, "options": None, "open_application": None}
    try:
        options = arrangement_selectors.loan_options(
            loan,
            reason=reason or HardshipReason.OTHER,
            monthly_income=income,
            with_relief=with_relief,
        )
    except ReliefPolicy.DoesNotExist:
        return context  # no active policy (a misconfigured install): the page says so
    reasons = {item["code"] for item in options.quote["not_eligible_reasons"]}
    if "open_application" in reasons:
        context["open_application"] = selectors.open_applications_by_loan(user).get(loan.pk)
    context.update(
        options=options,
        state=options.state,
        income=income,
        relief_asked=with_relief,
    )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def loan_options(request, loan_id: int):
    loan = loan_or_404(request.user, loan_id)
    if request.method == "POST":
        form = OptionsForm(request.POST, reason_required=True)
        apply_form = OptionApplyForm(request.POST, request.FILES)
        token = request.POST.get("token", "")
        already = already_sent(request, token)
        if already:
            return already
        if form.is_valid() and apply_form.is_valid():
            done = submit_from_page(
                request,
                apply_form,
                token,
                also=(form,),
                loan=loan,
                reason=form.cleaned_data["reason"],
                description=apply_form.cleaned_data["description"],
                relief=form.cleaned_data["relief"],
                arrangement=apply_form.cleaned_data["option"],
                monthly_income=form.cleaned_data["monthly_income"],
            )
            if done:
                return done
    else:
        form = OptionsForm(request.GET if request.GET else None)
        apply_form = OptionApplyForm(initial={"token": apply_token_issue(request)})
    context = options_context(request.user, loan, form)
    context.update(
        form=form,
        apply_form=apply_form,
        reasons=reason_choices(),
        max_files=MAX_FILES,
        customer_service=settings.CUSTOMER_SERVICE,
        chosen=request.POST.get("option", "") if request.method == "POST" else "",
    )
    return render(request, "relief/options.html", context)
