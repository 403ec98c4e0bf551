"""The demo's early warning (`seed_demo`, through `core.signals.demo_data_seeded`): today's
scores, a backtest, and the outreach history the demo's past would have had.

Everything is computed from the demo data by the product's own code: the scores by the risk
model, the holdout by its hash, the outcomes from the installments. Only the messages of past
days are not written (they would be messages dated in the past): their outreach rows say sent.
The demo's payments were drawn without regard to any message, so the outcome report shows
no difference, with an interval around 0: what a lender sees before outreach works.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from loans.models import Installment
from loans.selectors import local_today
from risk import rules
from risk.models import Outreach, RiskModel
from risk.selectors import scorecard_of
from risk.services.backtest import DEFAULT_HORIZON_DAYS, latest_as_of, risk_backtest_run
from risk.services.outreach import DAYS_BEFORE_DUE, SENDING_FROM
from risk.services.scoring import risk_scores_compute, scores_as_of

# The past days whose outreach the demo records: weekly, far enough back for the outcomes of
# the installments they picked to be known.
HISTORY_DAYS_AGO = (56, 42, 28, 14)


@transaction.atomic
def outreach_history(today: date) -> int:
    """Outreach rows for the high-risk loans of past days (once per installment, like the
    product's): sent, or held out. Returns the rows written."""
    model = RiskModel.objects.get(status=RiskModel.Status.ACTIVE)
    scorecard = scorecard_of(model)
    rows = []
    for days_ago in HISTORY_DAYS_AGO:
        day = today - timedelta(days=days_ago)
        high = {
            loan_id for loan_id, result in scores_as_of(day, scorecard) if result.level == "high"
        }
        first, last = (day + timedelta(days=days) for days in DAYS_BEFORE_DUE)
        due = (
            Installment.objects.filter(loan_id__in=high, due_date__gte=first, due_date__lte=last)
            .exclude(Exists(Outreach.objects.filter(installment_id=OuterRef("pk"))))
            .select_related("loan")
        )
        sent_at = timezone.make_aware(datetime.combine(day, SENDING_FROM)) + timedelta(hours=2)
        for installment in due:
            held = rules.in_holdout(installment.loan_id, model.version, scorecard.holdout_percent)
            rows.append(
                Outreach(
                    installment=installment,
                    loan_id=installment.loan_id,
                    borrower_id=installment.loan.borrower_id,
                    model_version=model.version,
                    day=day,
                    due_date=installment.due_date,
                    amount_due=installment.principal_due + installment.interest_due,
                    status=Outreach.Status.HELD_OUT if held else Outreach.Status.SENT,
                    sent_at=None if held else sent_at,
                )
            )
    Outreach.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def demo_prevention(sender, *, log: Callable[[str], None], **kwargs) -> None:
    """Today's scores, a backtest as of the last day whose outcome is known, and the outreach
    history of the last weeks."""
    today = local_today()
    log(risk_scores_compute(day=today).text())
    backtest = risk_backtest_run(
        as_of=latest_as_of(DEFAULT_HORIZON_DAYS, today), horizon_days=DEFAULT_HORIZON_DAYS
    )
    log(
        f"Risk backtest as of {backtest.as_of.isoformat()}: {backtest.loans} loans, "
        f"AUC {backtest.auc if backtest.auc is not None else '–'}."
    )
    log(f"Outreach history: {outreach_history(today)} installments of the last weeks.")


__all__ = ["demo_prevention", "outreach_history"]
