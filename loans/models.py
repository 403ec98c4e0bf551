"""Borrowers, loan products, loans, installments and repayments (domain.md §3).

Money columns change only through `loans.services`; the admin shows them read-only.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loans import calculations

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0.00")}
RATE = {"max_digits": 8, "decimal_places": 6}
# A loan's penalty rate is the product of two 6-place rates (annual rate × (1 + markup)),
# kept whole: rounding it to 6 places moves the daily penalty by a fen on large balances
# (domain.md §3 has no rounding step before the daily amount). Never above the cap (< 100).
EXACT_RATE = {"max_digits": 14, "decimal_places": 12}


class DayCountBasis(models.IntegerChoices):
    """Days in the year the annual penalty rate is divided by (domain.md §2: 360 by default)."""

    ACTUAL_360 = 360, _("Actual/360")
    ACTUAL_365 = 365, _("Actual/365")


class Borrower(models.Model):
    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", _("Simplified Chinese")
        EN = "en", _("English")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="borrower"
    )
    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    national_id_masked = models.CharField(_("national id (masked)"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    notification_channel = models.CharField(
        _("notification channel"), max_length=8, choices=Channel.choices, default=Channel.SMS
    )
    # No early-warning outreach (domain.md §10) for a borrower who said so on /settings/.
    # db_default: rows written by raw SQL without the column (the benchmarks) get False.
    outreach_opt_out = models.BooleanField(
        _("no reminders before due dates"),
        default=False,
        db_default=False,
        help_text=_("The borrower asked not to be contacted before her installments fall due."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")
        # The staff searches (loans/search.py): an id in any case, a whole name; part of a
        # name, an id or a phone through trigrams (PostgreSQL only: migration 0008).
        indexes = [
            models.Index(Upper("external_id"), name="borrower_external_id_upper"),
            models.Index(fields=["name"], name="borrower_name"),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="borrower_name_trgm"),
            GinIndex(
                OpClass(Upper("external_id"), name="gin_trgm_ops"),
                name="borrower_external_id_trgm",
            ),
            GinIndex(fields=["phone"], opclasses=["gin_trgm_ops"], name="borrower_phone_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_name(name: str) -> str:
    """王* / A****: the first character and stars, enough to tell cases apart, not to identify."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 4)


def mask_phone(phone: str) -> str:
    """138****5678: enough for a person to recognise, not enough to call."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class LoanProduct(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    # The name borrowers read, per language (`display_name`): English, and Chinese when given.
    name = models.CharField(_("name (English)"), max_length=100)
    name_zh_hans = models.CharField(
        _("name (Chinese)"),
        max_length=100,
        blank=True,
        help_text=_("Shown to readers of Chinese; the English name when empty."),
    )
    annual_rate = models.DecimalField(_("annual rate"), **RATE)
    penalty_markup = models.DecimalField(_("penalty markup"), default=Decimal("0.50"), **RATE)
    penalty_rate_cap = models.DecimalField(_("penalty rate cap"), default=Decimal("0.24"), **RATE)
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=3)
    day_count_basis = models.PositiveSmallIntegerField(
        _("day-count basis"), choices=DayCountBasis.choices, default=DayCountBasis.ACTUAL_360
    )

    class Meta:
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        constraints = [
            models.CheckConstraint(
                condition=Q(day_count_basis__in=DayCountBasis.values),
                name="loanproduct_day_count_basis_known",
            ),
        ]

    # What a loan copies from its product when it is made: its contract, fixed from then on.
    CONTRACT_TERMS = ("annual_rate", "penalty_rate", "grace_days", "day_count_basis")

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        """The name in the reader's language: Chinese when the active language is Chinese and
        a Chinese name is given, else the English name."""
        if self.name_zh_hans and (get_language() or "").lower().startswith("zh"):
            return self.name_zh_hans
        return self.name

    def contract_terms(self) -> dict:
        """The terms a new loan of this product is made with (`CONTRACT_TERMS`)."""
        return {name: getattr(self, name) for name in self.CONTRACT_TERMS}

    @property
    def penalty_rate(self) -> Decimal:
        return calculations.penalty_rate(
            self.annual_rate, self.penalty_markup, self.penalty_rate_cap
        )


class Loan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        WRITTEN_OFF = "written_off", _("Written off")

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    principal = models.DecimalField(_("principal"), **MONEY)
    disbursed_on = models.DateField(_("disbursed on"))
    # Contract terms are fixed when the loan is made: a later product change must not
    # reprice an existing contract.
    annual_rate = models.DecimalField(_("annual rate"), **RATE)
    penalty_rate = models.DecimalField(_("penalty rate"), **EXACT_RATE)
    grace_days = models.PositiveSmallIntegerField(_("grace days"))
    # db_default: rows written by COPY or raw SQL without the column get the domain's basis.
    day_count_basis = models.PositiveSmallIntegerField(
        _("day-count basis"),
        choices=DayCountBasis.choices,
        default=DayCountBasis.ACTUAL_360,
        db_default=DayCountBasis.ACTUAL_360,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    legal_proceedings = models.BooleanField(_("in legal proceedings"), default=False)
    fraud_flag = models.BooleanField(_("flagged for fraud"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["id"]
        indexes = [
            models.Index(Upper("external_id"), name="loan_external_id_upper"),
            GinIndex(
                OpClass(Upper("external_id"), name="gin_trgm_ops"), name="loan_external_id_trgm"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_count_basis__in=DayCountBasis.values),
                name="loan_day_count_basis_known",
            ),
        ]
        permissions = [
            # The lender's core system: loans, borrowers and repayments through the API.
            ("post_servicing_data", _("Can post loan data and repayments from the core system")),
        ]

    def __str__(self) -> str:
        return self.external_id

    def daily_penalty_on(self, base: Decimal) -> Decimal:
        """One day's penalty on `base` (unpaid principal and interest) under this contract."""
        return calculations.daily_penalty(base, self.penalty_rate, self.day_count_basis)


class Arrangement(models.Model):
    """A repayment arrangement on a loan (domain.md §9): a deferral of `months` or an
    instalment plan of `periods`. Proposed with its application (relief asks for it), active
    from its start until completed or broken; cancelled when its application ends without it
    starting. Its money moves through `loans.services.arrangements`, each moved amount an
    `InstallmentMovement`."""

    class Kind(models.TextChoices):
        DEFERRAL = "deferral", _("Deferral")
        PLAN = "plan", _("Instalment plan")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        BROKEN = "broken", _("Broken")
        # Never started: its application was rejected, withdrawn, declined or expired.
        CANCELLED = "cancelled", _("Cancelled")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # The option: periods of a plan, months of a deferral (the other is null).
    periods = models.PositiveSmallIntegerField(_("periods"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    # What the borrower asked for, when a reviewer approved another option.
    asked_kind = models.CharField(_("kind asked for"), max_length=8, choices=Kind.choices)
    asked_term = models.PositiveSmallIntegerField(_("periods or months asked for"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    # The figures: as quoted while proposed, as started once active.
    installment_amount = models.DecimalField(_("installment amount"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    moved = models.DecimalField(_("amount rescheduled"), **MONEY)
    extra_interest = models.DecimalField(_("interest added"), **MONEY)
    first_due_date = models.DateField(_("first due date"), null=True, blank=True)
    last_due_date = models.DateField(_("last due date"), null=True, blank=True)
    # From the policy it was approved under, kept with it: a later policy does not change it.
    break_after_days = models.PositiveSmallIntegerField(_("broken after days unpaid"))
    observation_months = models.PositiveSmallIntegerField(_("observation months"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    observation_ends_on = models.DateField(_("observation ends on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    broken_on = models.DateField(_("broken on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("repayment arrangement")
        verbose_name_plural = _("repayment arrangements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="active"), name="one_active_arrangement"
            ),
            models.CheckConstraint(
                condition=Q(kind="plan", periods__isnull=False, months__isnull=True)
                | Q(kind="deferral", months__isnull=False, periods__isnull=True),
                name="arrangement_term_of_its_kind",
            ),
        ]
        indexes = [
            # The nightly job reads the active arrangements only.
            models.Index(fields=["kind"], condition=Q(status="active"), name="arrangement_active"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind} {self.term} ({self.status})"

    @property
    def term(self) -> int | None:
        """Periods of a plan, months of a deferral."""
        return self.periods if self.kind == self.Kind.PLAN else self.months

    @property
    def started(self) -> bool:
        return self.started_on is not None


class Installment(models.Model):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PLAN = "plan", _("Plan")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    seq = models.PositiveSmallIntegerField(_("number"))
    # Scheduled by the loan's contract, or a plan installment made by an arrangement.
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.SCHEDULED,
        db_default=Kind.SCHEDULED,
    )
    # The arrangement that made it (a plan's installment), moved it into a plan or
    # rescheduled it (a deferral), if any.
    arrangement = models.ForeignKey(
        Arrangement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="installments",
    )
    due_date = models.DateField(_("due date"))
    grace_ends_on = models.DateField(_("last grace day"))
    principal_due = models.DecimalField(_("principal due"), **MONEY)
    interest_due = models.DecimalField(_("interest due"), **MONEY)
    principal_paid = models.DecimalField(_("principal paid"), **MONEY)
    interest_paid = models.DecimalField(_("interest paid"), **MONEY)
    penalty_accrued = models.DecimalField(_("penalty accrued"), **MONEY)
    penalty_held = models.DecimalField(_("penalty held in grace"), **MONEY)
    penalty_paid = models.DecimalField(_("penalty paid"), **MONEY)
    penalty_waived = models.DecimalField(_("penalty waived"), **MONEY)
    # Kept equal to loan.daily_penalty_on(unpaid principal + interest) by the services, so
    # that the daily accrual is one set-based UPDATE with no join.
    daily_penalty = models.DecimalField(_("daily penalty"), **MONEY)
    accrued_through = models.DateField(_("accrued through"), null=True, blank=True)
    paid_off_on = models.DateField(_("paid off on"), null=True, blank=True)
    # A freeze (an accepted relief offer, domain.md §7): the penalty of the days after
    # `frozen_from` up to `frozen_until` is counted into `penalty_frozen`, not owed while the
    # freeze stands. Both dates are cleared when it ends (fulfilled or expired).
    frozen_from = models.DateField(_("penalty frozen from"), null=True, blank=True)
    frozen_until = models.DateField(_("penalty frozen until"), null=True, blank=True)
    # db_default: rows written by COPY or raw SQL without the column start with none.
    penalty_frozen = models.DecimalField(_("penalty frozen"), db_default=Decimal("0.00"), **MONEY)
    # Moved into an instalment plan (domain.md §9): like paid and waived, the due amounts stay
    # as they were and what left is counted here, each part an InstallmentMovement.
    principal_moved = models.DecimalField(
        _("principal moved into a plan"), db_default=Decimal("0.00"), **MONEY
    )
    interest_moved = models.DecimalField(
        _("interest moved into a plan"), db_default=Decimal("0.00"), **MONEY
    )
    penalty_moved = models.DecimalField(
        _("penalty moved into a plan"), db_default=Decimal("0.00"), **MONEY
    )
    # False for a kept plan's installments: the plan carries no penalty while it is kept
    # (domain.md §9); the nightly accrual and every repayment leave them alone.
    accrues_penalty = models.BooleanField(_("accrues penalty"), default=True, db_default=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["loan_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "seq"], name="installment_unique_seq"),
            models.CheckConstraint(
                condition=Q(penalty_paid__gte=0)
                & Q(penalty_waived__gte=0)
                & Q(principal_paid__gte=0)
                & Q(interest_paid__gte=0),
                name="installment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    principal_due__gte=models.F("principal_paid") + models.F("principal_moved")
                )
                & Q(interest_due__gte=models.F("interest_paid") + models.F("interest_moved")),
                name="installment_not_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(
                    penalty_accrued__gte=models.F("penalty_paid")
                    + models.F("penalty_waived")
                    + models.F("penalty_moved")
                ),
                name="installment_penalty_not_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(principal_moved__gte=0, interest_moved__gte=0, penalty_moved__gte=0),
                name="installment_moved_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(penalty_frozen__gte=0)
                & (
                    Q(frozen_from__isnull=True, frozen_until__isnull=True)
                    | Q(
                        frozen_from__isnull=False,
                        frozen_until__isnull=False,
                        frozen_from__lte=models.F("frozen_until"),
                    )
                ),
                name="installment_freeze_consistent",
            ),
        ]
        indexes = [
            # The daily accrual reads only the unpaid installments past their grace days.
            models.Index(
                fields=["grace_ends_on"],
                name="installment_unpaid_grace",
                condition=Q(paid_off_on__isnull=True),
            ),
            # Reminders read the unpaid installments falling due on one day.
            models.Index(
                fields=["due_date"],
                name="installment_unpaid_due",
                condition=Q(paid_off_on__isnull=True),
            ),
            # The nightly arrangements job reads the unpaid installments of arrangements.
            models.Index(
                fields=["due_date"],
                name="installment_arrangement_unpaid",
                condition=Q(paid_off_on__isnull=True, arrangement__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.seq}"

    @property
    def principal_outstanding(self) -> Decimal:
        return self.principal_due - self.principal_paid - self.principal_moved

    @property
    def interest_outstanding(self) -> Decimal:
        return self.interest_due - self.interest_paid - self.interest_moved

    @property
    def base_outstanding(self) -> Decimal:
        """Unpaid principal and interest: what the penalty is charged on."""
        return self.principal_outstanding + self.interest_outstanding

    @property
    def penalty_outstanding(self) -> Decimal:
        return self.penalty_accrued - self.penalty_paid - self.penalty_waived - self.penalty_moved

    @property
    def penalty_settled(self) -> Decimal:
        """Penalty no longer owed here: paid, waived or moved into a plan."""
        return self.penalty_paid + self.penalty_waived + self.penalty_moved

    @property
    def accrual(self) -> calculations.Accrual:
        return calculations.Accrual(
            self.penalty_accrued, self.penalty_held, self.accrued_through, self.penalty_frozen
        )

    @accrual.setter
    def accrual(self, accrual: calculations.Accrual) -> None:
        self.penalty_accrued = accrual.penalty_accrued
        self.penalty_held = accrual.penalty_held
        self.accrued_through = accrual.accrued_through
        self.penalty_frozen = accrual.penalty_frozen

    @property
    def freeze(self) -> calculations.Freeze | None:
        if self.frozen_from is None or self.frozen_until is None:
            return None
        return calculations.Freeze(self.frozen_from, self.frozen_until)


class InstallmentMovement(models.Model):
    """One amount (or due date) an arrangement moved, on one installment (domain.md §9: every
    moved amount a recorded movement, not an edit). Written with the change, never changed.

    Into a plan: a `plan_out` of each part (principal, interest, penalty) of each overdue
    installment, and a `plan_in` of each part onto each plan installment (with `plan_interest`
    when the plan carries interest): per part the ins equal the outs. A deferral: one
    `rescheduled` per installment (its due dates before and after) and the `deferral_interest`
    it adds. A broken plan: `plan_broken` per remaining plan installment (its due date
    brought forward, or the day its penalty runs from)."""

    class Kind(models.TextChoices):
        PLAN_OUT = "plan_out", _("Moved into the plan")
        PLAN_IN = "plan_in", _("Moved in from overdue installments")
        PLAN_INTEREST = "plan_interest", _("Plan interest")
        DEFERRAL_INTEREST = "deferral_interest", _("Deferral interest")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        PLAN_BROKEN = "plan_broken", _("Due when the plan broke")

    class Part(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        INTEREST = "interest", _("Interest")
        PENALTY = "penalty", _("Penalty")
        NONE = "", _("None")

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="movements")
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    part = models.CharField(_("part"), max_length=10, choices=Part.choices, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    due_date_before = models.DateField(_("due date before"), null=True, blank=True)
    due_date_after = models.DateField(_("due date after"), null=True, blank=True)
    on = models.DateField(_("on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("installment movement")
        verbose_name_plural = _("installment movements")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="movement_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.part} {self.amount}"


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    # [{"seq", "penalty", "interest", "principal"}] as strings: what this money paid.
    allocation = models.JSONField(_("allocation"), default=list)
    waiver_posted = models.DecimalField(_("waiver posted with it"), **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference
