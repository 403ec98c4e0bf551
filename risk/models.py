"""Early warning and outreach (domain.md §10): risk model versions, the scores they gave,
their backtests, and the outreach each score led to (or the holdout it fell in)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import VersionedDocument
from loans.models import MONEY, Borrower, Installment, Loan


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class RiskModel(VersionedDocument):
    """One version of the risk model. Active and retired versions are never edited: a change
    is a new version (`risk.services.models`)."""

    class Meta:
        verbose_name = _("risk model")
        verbose_name_plural = _("risk models")
        ordering = ["-version"]
        permissions = [("activate_riskmodel", _("Can activate a risk model version"))]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_risk_model"
            ),
        ]


class RiskScore(models.Model):
    """A loan's score as of one day, with the factors that make it up (like a quote's)."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="risk_scores")
    as_of = models.DateField(_("as of"))
    model = models.ForeignKey(
        RiskModel, on_delete=models.PROTECT, related_name="+", verbose_name=_("risk model")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    # [{"code", "points", "value"}]: the features that earned points (risk.rules.Factor).
    factors = models.JSONField(_("factors"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        ordering = ["-as_of", "-score", "loan_id"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "as_of"], name="risk_score_once_per_day"),
            models.CheckConstraint(condition=Q(score__lte=100), name="risk_score_at_most_100"),
        ]
        indexes = [
            # A day's loans by level, riskiest first: the API, outreach and the admin list.
            models.Index(fields=["as_of", "level", "-score"], name="risk_score_day_level"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.as_of}: {self.score}"


class RiskBacktest(models.Model):
    """How the scores a model gives as of a past day foretold the next `horizon_days`: an
    installment due then paid more than 3 days late or not paid (`risk.services.backtest`).
    Run again for the same model, day and horizon, it replaces its figures."""

    model = models.ForeignKey(
        RiskModel, on_delete=models.PROTECT, related_name="+", verbose_name=_("risk model")
    )
    as_of = models.DateField(_("as of"))
    horizon_days = models.PositiveSmallIntegerField(_("horizon (days)"))
    loans = models.PositiveIntegerField(_("loans"))
    missed = models.PositiveIntegerField(_("missed"))
    auc = models.DecimalField(_("AUC"), max_digits=4, decimal_places=3, null=True, blank=True)
    created_at = models.DateTimeField(_("run at"), auto_now=True)

    class Meta:
        verbose_name = _("risk backtest")
        verbose_name_plural = _("risk backtests")
        ordering = ["-as_of", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "as_of", "horizon_days"], name="risk_backtest_once"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.model_id} {self.as_of} +{self.horizon_days}d"


class RiskBacktestLine(models.Model):
    """One row of a backtest's figures: a level (precision and recall of flagging it and
    the levels above) or a decile of the loans, riskiest first (lift)."""

    class Kind(models.TextChoices):
        LEVEL = "level", _("Level")
        DECILE = "decile", _("Decile")

    backtest = models.ForeignKey(RiskBacktest, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("place"))
    group = models.CharField(_("group"), max_length=8)  # the level, or the decile's number
    loans = models.PositiveIntegerField(_("loans"))
    missed = models.PositiveIntegerField(_("missed"))
    miss_rate = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    precision = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    recall = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    min_score = models.PositiveSmallIntegerField(null=True)
    max_score = models.PositiveSmallIntegerField(null=True)
    lift = models.DecimalField(max_digits=6, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("risk backtest line")
        verbose_name_plural = _("risk backtest lines")
        ordering = ["backtest", "kind", "position"]

    def __str__(self) -> str:
        return f"{self.kind} {self.group}"


class Outreach(models.Model):
    """One installment of a high-risk loan picked for outreach (domain.md §10): a message
    sent (or waiting for the day's hours), or the loan held out. At most one per installment,
    enforced by the database: two runs at once, or a retried task, write it once."""

    class Status(models.TextChoices):
        HELD_OUT = "held_out", _("Held out (no message)")
        SCHEDULED = "scheduled", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelReason(models.TextChoices):
        PAID = "paid", _("The installment was paid")
        OPTED_OUT = "opted_out", _("The borrower opted out")
        PAST_DUE = "past_due", _("The due date came before it could be sent")

    installment = models.ForeignKey(Installment, on_delete=models.CASCADE, related_name="+")
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="outreach")
    borrower = models.ForeignKey(Borrower, on_delete=models.CASCADE, related_name="outreach")
    score = models.ForeignKey(
        RiskScore, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model_version = models.PositiveIntegerField(_("model version"))
    day = models.DateField(_("picked on"))
    due_date = models.DateField(_("due date"))
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # Not before this moment: picked outside the day's hours, it waits for 08:00.
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("cancelled because"), max_length=12, choices=CancelReason.choices, blank=True
    )
    # The education article the message suggested (learn), if any.
    article_slug = models.CharField(_("article suggested"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["installment"], name="outreach_once_per_installment"),
        ]
        indexes = [
            # The 7-day cap: a borrower's messages of the last days.
            models.Index(fields=["borrower", "day"], name="outreach_by_borrower"),
            # The messages waiting for their hour.
            models.Index(
                fields=["send_after"],
                name="outreach_waiting",
                condition=Q(status="scheduled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.installment_id} {self.status}"
