from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from loans import selectors
from loans.models import Loan


@login_required
def dashboard(request):
    states = selectors.loan_states_of_user(request.user)
    return render(request, "loans/dashboard.html", {"loan_states": states})


@login_required
def loan_detail(request, loan_id: int):
    try:
        loan = selectors.loan_of_user(request.user, loan_id)
    except Loan.DoesNotExist:
        raise Http404 from None
    return render(request, "loans/loan_detail.html", {"state": selectors.loan_state(loan)})
