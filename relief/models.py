"""Relief policies, applications, their evidence, events and notifications (domain.md §5–§7)."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import VersionedDocument
from loans.models import MONEY, Arrangement, Borrower, Loan


class HardshipReason(models.TextChoices):
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    ACCIDENT = "accident", _("Accident")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    INCOME_DROP = "income_drop", _("Drop in income")
    FAMILY_EMERGENCY = "family_emergency", _("Family emergency")
    OTHER = "other", _("Other")


class ReliefPolicy(VersionedDocument):
    """One version of the relief policy. Active and retired versions are never edited."""

    # Four eyes: one policy admin asks for a draft to be activated, a different one confirms.
    activation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("activation requested by"),
    )
    activation_requested_at = models.DateTimeField(
        _("activation requested at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("relief policy")
        verbose_name_plural = _("relief policies")
        ordering = ["-version"]
        permissions = [("activate_reliefpolicy", _("Can activate a relief policy version"))]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_policy"
            ),
        ]


class PolicyEvent(models.Model):
    """What happened to a policy version's activation, and who did it (four eyes)."""

    class Action(models.TextChoices):
        ACTIVATION_REQUESTED = "activation_requested", _("Activation requested")
        ACTIVATION_WITHDRAWN = "activation_withdrawn", _("Activation request withdrawn")
        ACTIVATED = "activated", _("Activated")

    policy = models.ForeignKey(ReliefPolicy, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("policy event")
        verbose_name_plural = _("policy events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"v{self.policy.version} {self.action}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Needs information")
    PENDING_SECOND_APPROVAL = "pending_second_approval", _("Awaiting second approval")
    APPROVED = "approved", _("Approved: offer open")
    ACCEPTED = "accepted", _("Offer accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Offer declined")
    EXPIRED = "expired", _("Offer expired")
    FULFILLED = "fulfilled", _("Fulfilled: penalty waived")


OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.NEEDS_INFO,
    ApplicationStatus.PENDING_SECOND_APPROVAL,
    ApplicationStatus.APPROVED,
    ApplicationStatus.ACCEPTED,
)
UNDECIDED_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.NEEDS_INFO,
    ApplicationStatus.PENDING_SECOND_APPROVAL,
)


class RejectionReason(models.TextChoices):
    NOT_HARDSHIP = "not_hardship", _("The reason given is not a hardship the policy covers")
    EVIDENCE_INSUFFICIENT = "evidence_insufficient", _("The evidence does not support the reason")
    ABILITY_TO_PAY = "ability_to_pay", _("The account shows the ability to pay")
    REPEATED_RELIEF = "repeated_relief", _("Relief was granted recently")
    POLICY_EXCLUSION = "policy_exclusion", _("The loan is excluded by policy")
    OTHER = "other", _("Other (see the note)")


# What the ops dashboard and the reports read of an application, submission time first
# (ReliefApplication.Meta.indexes, "relief_reported").
REPORTED_FIELDS = [
    "created_at",
    "status",
    "bucket_at_submission",
    "reason",
    "decided_at",
    "sla_due",
    "sla_escalated_at",
    "suggested_percent",
    "decided_percent",
    "decided_amount",
    "waived_amount",
    "repaid_on",
    "policy_version",
    "decided_by",
    "first_approver",
    "arrangement",
    "loan",
    "id",
]


class ReliefApplication(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="relief_applications")
    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="relief_applications"
    )
    reason = models.CharField(_("reason"), max_length=32, choices=HardshipReason.choices)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    # What it asks for (domain.md §9): relief, an arrangement, or both.
    asks_relief = models.BooleanField(_("asks for relief"), default=True, db_default=True)
    arrangement = models.OneToOneField(
        Arrangement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
        verbose_name=_("repayment arrangement"),
    )
    # The income the borrower stated, against which options are affordable or not.
    monthly_income = models.DecimalField(
        _("monthly income"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The arrangement quote as the borrower saw it at submission (codes and figures).
    arrangement_quote = models.JSONField(
        _("arrangement quote at submission"), null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    policy = models.ForeignKey(ReliefPolicy, on_delete=models.PROTECT, related_name="+")
    policy_version = models.PositiveIntegerField(_("policy version"))
    # The quote as the borrower saw it at submission (rules.Quote as JSON), and its figures.
    quote = models.JSONField(_("quote at submission"))
    # Re-scored by a reviewer's evidence verification; the submission quote stays as it was.
    review_quote = models.JSONField(_("quote after review"), null=True, blank=True)
    suggested_percent = models.PositiveSmallIntegerField(_("suggested percent"))
    suggested_amount = models.DecimalField(_("suggested amount"), **MONEY)
    penalty_at_submission = models.DecimalField(_("penalty at submission"), **MONEY)
    dpd_at_submission = models.PositiveIntegerField(_("DPD at submission"))
    bucket_at_submission = models.CharField(_("bucket at submission"), max_length=4)
    decided_percent = models.PositiveSmallIntegerField(_("decided percent"), null=True, blank=True)
    decided_amount = models.DecimalField(
        _("relief amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectionReason.choices, blank=True
    )
    offer_deadline = models.DateField(_("offer deadline"), null=True, blank=True)
    # Accepting freezes the figure (domain.md §7): what had to be repaid on the day of
    # acceptance is the fixed amount of the offer until its deadline.
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    repay_to_fulfil_at_acceptance = models.DecimalField(
        _("amount to repay, fixed at acceptance"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    waived_amount = models.DecimalField(_("waived amount"), **MONEY)
    # The local date by which every installment of the loan due on or before the (local)
    # decision date was paid off, principal and interest: the decision date itself when none
    # was due. Empty while one of them is unpaid, and for undecided cases. Set when it
    # becomes known, by the decision or the repayment that completes it
    # (relief.services.outcomes); the effectiveness report's "repaid within N days" compares
    # it with the decision date (docs/reports.md).
    repaid_on = models.DateField(
        _("installments due at the decision repaid on"), null=True, blank=True
    )
    sla_due = models.DateTimeField(_("decision due"), null=True, blank=True)
    sla_escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    priority = models.PositiveIntegerField(_("priority"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    # Until when the triage task sent for this case counts as queued or running: the sweeper
    # sends another only after it passes (relief.services.sweeper), so an outage that lasts
    # many sweeps queues each case once per lease, not once per sweep.
    triage_claimed_until = models.DateTimeField(_("triage claimed until"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Also first in `relief_reported` (Meta.indexes), whose index-only scans serve the
    # reports; this narrow index serves reads of whole rows over a range (the simulation,
    # the applications report), which the wide one would make the planner scan the table for.
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("relief application")
        verbose_name_plural = _("relief applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_application_per_loan",
            ),
        ]
        permissions = [
            # Reports and exports show borrowers masked unless the user holds this; no group
            # gets it by default (see the roles migration).
            ("export_unmasked", _("Can export unmasked borrower data")),
            # What the reviewers' roles may do (core/permissions.py asks these).
            ("decide_reliefapplication", _("Can decide relief applications")),
            (
                "second_approve_reliefapplication",
                _("Can give the second approval on relief applications"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-priority", "sla_due"], name="relief_queue"),
            models.Index(fields=["borrower", "-created_at"], name="relief_by_borrower"),
            # Each reviewer's undecided cases, counted by triage to choose the reviewer with
            # the fewest: the open queue only, read without locking anything.
            models.Index(
                fields=["assigned_to"],
                condition=models.Q(status__in=UNDECIDED_STATUSES),
                name="relief_undecided_by_assignee",
            ),
            # The queue's order (relief/admin/applications.py), read one page at a time.
            models.Index(
                F("priority").desc(),
                F("sla_due").asc(),  # NULLS LAST, as the queue sorts: the default
                F("created_at"),
                F("id"),
                name="relief_queue_order",
            ),
            # The ops dashboard and the reports (reports/queries) read a range of submission
            # times and only these columns: every query an index-only scan of this index, a
            # tenth of the table's size (the quote and the description make a row wide). All
            # key columns rather than INCLUDE, which SQLite lacks (and Django warns about).
            models.Index(fields=REPORTED_FIELDS, name="relief_reported"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.loan} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: nothing the borrower typed reaches the file system.
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"evidence/{instance.application_id}/{secrets.token_hex(16)}{suffix}"


class Evidence(models.Model):
    application = models.ForeignKey(
        ReliefApplication, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ActorKind(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    REVIEWER = "reviewer", _("Reviewer")
    SYSTEM = "system", _("System")


class ApplicationEvent(models.Model):
    """Append-only: who moved the application from where to where, when, and why."""

    application = models.ForeignKey(
        ReliefApplication, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor_kind = models.CharField(_("actor"), max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at", "id"], name="event_by_time")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Notification(models.Model):
    """A message to one person on one channel, written with the state change it reports.

    Unique per (event, recipient, channel): however often a task is delivered, a person is
    told once. An email or SMS also reaches the provider once: each attempt is committed as
    "sending" with its `provider_key` before the provider is called
    (`relief.services.delivery`).
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        # Handed to the provider (or about to be), its outcome not recorded yet.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # A send was interrupted and the provider cannot say whether it went out: a person
        # checks and marks it sent or sends it again (the admin's notification list).
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    application = models.ForeignKey(
        ReliefApplication,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        ApplicationEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.IN_APP
    )
    # As sent, in the recipient's language (what the email or SMS said) ...
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    # ... and as written in every language at the time, {"en": {"title", "body"}, ...}, so the
    # app shows it in the reader's language of the moment (`shown_title`, `shown_body`).
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    status = models.CharField(
        _("delivery"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The idempotency key the provider knows this message by (the email's Message-ID, the
    # SMS's client reference): the same on every attempt, so a provider that has seen it
    # does not send again. Set by the first attempt.
    provider_key = models.CharField(_("provider key"), max_length=64, blank=True)
    # When the last attempt was committed as "sending".
    attempted_at = models.DateTimeField(_("attempted at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # For messages not tied to an event (reminders, escalations): makes them once-only too.
    dedup_key = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        permissions = [
            # Mark an interrupted send delivered or send it again (core/permissions.py).
            ("settle_notification", _("Can settle a message whose delivery is in doubt")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"],
                condition=Q(event__isnull=False),
                name="notification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["dedup_key", "recipient", "channel"],
                condition=~Q(dedup_key=""),
                name="notification_once_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
            models.Index(fields=["-created_at", "-id"], name="notification_by_time"),
            models.Index(
                fields=["status", "created_at"],
                name="notification_unsent",
                condition=Q(status="pending"),
            ),
            # The sends interrupted before their outcome was recorded (the sweeper's).
            models.Index(
                fields=["attempted_at"],
                name="notification_in_flight",
                condition=Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def shown(self, part: str) -> str:
        """Title or body in the active language; as sent when not written in it (older rows)."""
        return (self.texts.get(get_language() or "") or {}).get(part) or getattr(self, part)

    @property
    def shown_title(self) -> str:
        return self.shown("title")

    @property
    def shown_body(self) -> str:
        return self.shown("body")


class SatisfactionMoment(models.TextChoices):
    """When a borrower is asked how satisfied she is (domain.md §11). "decision" is asked
    after any decision on the application (relief, and an arrangement decided with it)."""

    DECISION = "decision", _("After the decision")
    FULFILMENT = "fulfilment", _("After the waiver")


class SatisfactionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FULFILLED = "fulfilled", _("Fulfilled")


class SatisfactionAnswer(models.Model):
    """A borrower's answer to "How satisfied are you with how your request was handled?":
    one per application and moment, never changed (relief.services.satisfaction)."""

    application = models.ForeignKey(
        ReliefApplication, on_delete=models.PROTECT, related_name="satisfaction_answers"
    )
    moment = models.CharField(_("moment"), max_length=16, choices=SatisfactionMoment.choices)
    # The application's outcome when she answered: what the answer is about.
    outcome = models.CharField(_("outcome"), max_length=16, choices=SatisfactionOutcome.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    # The comment with phone, ID and card numbers and email addresses masked: what reports
    # show to those who may not see borrowers' data unmasked.
    comment_masked = models.TextField(_("comment (masked)"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "moment"], name="one_satisfaction_answer_per_moment"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.moment} {self.score}"
