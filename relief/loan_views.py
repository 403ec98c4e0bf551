"""The borrower's loan pages: the dashboard and one loan, each with the relief open on it.

They live in relief, not loans, because they show relief: relief may read loans, loans
knows nothing of relief (the import contracts in pyproject.toml). Each page reads one
selector.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from loans.models import Loan
from relief import arrangement_selectors, selectors


@login_required
def dashboard(request):
    cards = selectors.loan_cards_of_user(request.user)
    return render(request, "loans/dashboard.html", {"cards": cards})


@login_required
def loan_detail(request, loan_id: int):
    try:
        page = arrangement_selectors.loan_page_of_user(request.user, loan_id)
    except Loan.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "loans/loan_detail.html",
        {
            "state": page.state,
            "open_application": page.open_application,
            "arrangement": page.arrangement,
            "arrangement_application_id": page.arrangement_application_id,
            "restructured": page.restructured,
        },
    )
