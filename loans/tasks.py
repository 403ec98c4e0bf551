from celery import shared_task

from loans.services import penalties_accrue


@shared_task(name="loans.accrue_penalties")
def accrue_penalties_task() -> int:
    """Daily: bring every overdue installment's penalty to today (idempotent)."""
    return penalties_accrue()
