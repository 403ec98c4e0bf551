from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from loans import selectors
from loans.models import Borrower, Installment, Loan

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_accounts_and_the_worked_example(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "20")
    for username in ("alice", "bob", "reviewer", "senior", "ops", "policy", "servicing", "admin"):
        # django-axes watches every sign-in, so authenticate() is given the request.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="relief-demo"), username
    alice_loan = Loan.objects.get(external_id="L-ALICE-1")
    state = selectors.loan_state(alice_loan)
    assert state.dpd == 20
    assert state.penalty_outstanding == Decimal("26.60")
    history = selectors.borrower_history(alice_loan.borrower)
    assert history.on_time_ratio == Decimal("0.8571")
    buckets = {
        selectors.loan_state(loan).bucket for loan in Loan.objects.prefetch_related("installments")
    }
    assert buckets == {"M0", "M1", "M2", "M3", "M4+"}


def test_seed_demo_twice_adds_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "5")
    counts = (Borrower.objects.count(), Loan.objects.count(), Installment.objects.count())
    call_command("seed_demo", "--borrowers", "5")
    assert (Borrower.objects.count(), Loan.objects.count(), Installment.objects.count()) == counts


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--borrowers", "0")
    call_command("seed_demo", "--borrowers", "0", "--force")
    assert Borrower.objects.filter(external_id="DEMO-ALICE").exists()


def test_the_demo_staff_accounts_join_their_roles_groups(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "0")
    groups = {
        user.username: {group.name for group in user.groups.all()}
        for user in get_user_model().objects.filter(
            username__in=("reviewer", "senior", "ops", "policy", "servicing", "admin")
        )
    }
    assert groups == {
        "reviewer": {"Reviewer"},
        "senior": {"Reviewer", "Senior reviewer"},
        "ops": {"Ops"},
        "policy": {"Policy admin"},
        "servicing": {"Servicing"},
        "admin": set(),
    }
