"""Shortcuts for service tests: an application submitted and triaged as the system would."""

from relief.models import ReliefApplication
from relief.services import relief_application_submit, relief_application_triage


def submit(loan, *, reason="serious_illness", description="", uploads=(), triage=True):
    application = relief_application_submit(
        loan=loan,
        reason=reason,
        description=description,
        uploads=uploads,
        submitted_by=loan.borrower.user,
    )
    if triage:
        relief_application_triage(application_id=application.pk)
    return ReliefApplication.objects.get(pk=application.pk)
