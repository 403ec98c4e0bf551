"""Prevention first: a reminder three days before an installment falls due (a plan's
installment included, told as such)."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse

from loans.models import Installment, Loan
from loans.selectors import local_today
from relief.services.notifications import notify

REMINDER_DAYS = 3


def installment_reminders_send(*, today=None) -> int:
    """Tell each borrower of an unpaid installment due in 3 days, once per installment."""
    today = today or local_today()
    due = today + timedelta(days=REMINDER_DAYS)
    installments = Installment.objects.filter(
        due_date=due, paid_off_on__isnull=True, loan__status=Loan.Status.ACTIVE
    ).select_related("loan", "loan__borrower", "loan__borrower__user")
    sent = 0
    for installment in installments.iterator(chunk_size=500):
        borrower = installment.loan.borrower
        with transaction.atomic():
            created = notify(
                recipient=borrower.user,
                # A plan's installment is told as such: keeping the plan keeps it penalty-free.
                kind="arrangement_installment_due"
                if installment.kind == Installment.Kind.PLAN
                else "installment_due",
                language=borrower.language,
                channel_preference=borrower.notification_channel,
                context={
                    "installment": installment,
                    # A plan's installment carries the penalty moved into it.
                    "amount_due": installment.base_outstanding + installment.penalty_outstanding,
                },
                dedup_key=f"due:{installment.pk}",
                link=reverse("loan-detail", args=[installment.loan_id]),
            )
        sent += bool(created)
    return sent
