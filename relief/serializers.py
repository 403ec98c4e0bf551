"""Relief in the REST API: quotes, applications (as their borrower and as a reviewer sees
them), evidence, events, notifications, and the input of borrowers' and reviewers' actions.

Input serializers parse types; the services judge the values (one rule, one place).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import MoneyField, StrictSerializer
from loans.models import Arrangement, mask_name
from loans.serializers import ArrangementSerializer
from relief import arrangement_selectors, selectors
from relief.models import (
    ActorKind,
    ApplicationStatus,
    HardshipReason,
    Notification,
    RejectionReason,
    SatisfactionMoment,
    SatisfactionOutcome,
)
from relief.satisfaction import satisfaction_of
from relief.services.decisions import DECISIONS
from relief.services.transitions import allowed_actions

BORROWER = "borrower"
REVIEWER = "reviewer"
# What a borrower can do to their application through the API, by transition name.
BORROWER_ACTIONS = ("withdraw", "accept", "decline", "answer")


# --- quotes ---------------------------------------------------------------------------------


class FactorSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    label = serializers.CharField(help_text="The factor in words, in the reader's language.")
    params = serializers.DictField(child=serializers.JSONField(), required=False)


class NotEligibleReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    """A quote document labelled for the reader (`relief.selectors.quote_for_reader`)."""

    eligible = serializers.BooleanField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    amount = MoneyField(help_text="Relief amount: percent × penalty outstanding.")
    penalty_outstanding = MoneyField()
    factors = FactorSerializer(many=True)
    hints = FactorSerializer(many=True, help_text="What would raise the percent, by how much.")
    not_eligible_reasons = NotEligibleReasonSerializer(many=True)
    auto_approvable = serializers.BooleanField()
    policy_version = serializers.IntegerField()
    summary = serializers.CharField(help_text='E.g. "Base 50 · … = 80%".')


class QuoteQuerySerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HardshipReason.choices)
    evidence = serializers.BooleanField(
        required=False, default=False, help_text="Quote as if a reviewer verified evidence."
    )


# --- arrangements (domain.md §9) ------------------------------------------------------------


class ArrangementOptionSerializer(serializers.Serializer):
    """One option of an arrangement quote, labelled for the reader."""

    kind = serializers.ChoiceField(choices=Arrangement.Kind.choices)
    periods = serializers.IntegerField(allow_null=True, help_text="A plan's installments.")
    months = serializers.IntegerField(allow_null=True, help_text="A deferral's months.")
    installment_amount = MoneyField(
        help_text="A plan's installment (the last takes the remainder); a deferral's first "
        "payment after the move."
    )
    last_installment_amount = MoneyField()
    total = MoneyField(help_text="What the arrangement reschedules, and the interest it adds.")
    first_due_date = serializers.DateField()
    last_due_date = serializers.DateField()
    extra_interest = MoneyField(help_text="Interest the arrangement adds (a deferral's months).")
    interest_waived = MoneyField(help_text="Of that interest, waived by the policy.")
    monthly_payment = MoneyField(
        help_text="The most paid in a month under it, the loan's regular installment included."
    )
    affordable = serializers.BooleanField(
        allow_null=True,
        help_text="Within the policy's share of the monthly income given; null without one. "
        "An option that is not cannot be chosen.",
    )
    affordable_limit = MoneyField(allow_null=True)
    affordability_label = serializers.CharField(allow_blank=True)
    auto_approvable = serializers.BooleanField(help_text="Approved without a person.")
    label = serializers.CharField(help_text="The option in plain words, in the reader's language.")


class ReliefPartSerializer(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    amount = MoneyField(help_text="Waived first when the arrangement starts.")


class ArrangementQuoteSerializer(serializers.Serializer):
    """An arrangement quote labelled for the reader (`relief.arrangement_selectors`)."""

    eligible = serializers.BooleanField(help_text="At least one option.")
    not_eligible_reasons = NotEligibleReasonSerializer(
        many=True, help_text="Why the kinds (or all) not offered are not."
    )
    relief = ReliefPartSerializer(
        allow_null=True, help_text="The relief quote's figures, when relief is asked for."
    )
    monthly_income = MoneyField(allow_null=True)
    options = ArrangementOptionSerializer(many=True)
    policy_version = serializers.IntegerField()


class ArrangementQuoteQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Arrangement.Kind.choices,
        required=False,
        help_text="Only this kind; both when left out.",
    )
    reason = serializers.ChoiceField(
        choices=HardshipReason.choices, required=False, default=HardshipReason.OTHER
    )
    monthly_income = MoneyField(
        required=False, min_value=Decimal(0), help_text="Marks which options are affordable."
    )
    relief = serializers.BooleanField(
        required=False, default=True, help_text="Relief waived first, as when both are asked."
    )


class ArrangementChoiceSerializer(StrictSerializer):
    """`{"kind": "plan", "periods": N}` or `{"kind": "deferral", "months": N}`."""

    kind = serializers.ChoiceField(choices=Arrangement.Kind.choices)
    periods = serializers.IntegerField(required=False, min_value=1, max_value=120)
    months = serializers.IntegerField(required=False, min_value=1, max_value=120)


# --- applications ---------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    verified = serializers.SerializerMethodField()

    def get_verified(self, evidence) -> bool:
        return evidence.verified_at is not None


class ActorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    username = serializers.CharField(
        allow_null=True,
        help_text="Who acted; borrowers see only their own name, never a reviewer's.",
    )


class EventSerializer(serializers.Serializer):
    """One entry of the application's log: `at`, `actor`, `from`, `to`, `note`."""

    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_fields(self):
        # "from" is a Python keyword, so these two are added here rather than declared.
        fields = super().get_fields()
        return {
            "at": fields["at"],
            "actor": fields["actor"],
            "from": serializers.CharField(source="from_status", help_text="Empty at submission."),
            "to": serializers.CharField(source="to_status"),
            "note": fields["note"],
        }

    @extend_schema_field(ActorSerializer)
    def get_actor(self, event) -> dict[str, Any]:
        viewer = self.context.get("viewer", BORROWER)
        username = event.actor.get_username() if event.actor else None
        if viewer == BORROWER and event.actor_kind != ActorKind.BORROWER:
            username = None
        return {"kind": event.actor_kind, "username": username}


class SatisfactionStateSerializer(serializers.Serializer):
    asked = serializers.ChoiceField(
        choices=SatisfactionMoment.choices,
        allow_null=True,
        help_text="The moment the borrower is asked about now (answer it with POST "
        "…/satisfaction/), or null: not decided yet, or answered.",
    )
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text='The scores given, by moment: {"decision": 4, "fulfilment": 5}.',
    )


class SatisfactionInputSerializer(StrictSerializer):
    score = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 (very dissatisfied) to 5 (very satisfied)."
    )
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    moment = serializers.ChoiceField(
        choices=SatisfactionMoment.choices,
        required=False,
        help_text="Default: the latest moment the application reached.",
    )


class SatisfactionAnswerSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    moment = serializers.ChoiceField(choices=SatisfactionMoment.choices)
    outcome = serializers.ChoiceField(choices=SatisfactionOutcome.choices)
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApplicationListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    loan = serializers.IntegerField(source="loan_id")
    loan_external_id = serializers.CharField(source="loan.external_id")
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    reason = serializers.ChoiceField(choices=HardshipReason.choices)
    decided_percent = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    decided_amount = MoneyField(allow_null=True)
    offer_deadline = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ApplicationSerializer(ApplicationListSerializer):
    """An application as its borrower sees it (context `viewer`: borrower or reviewer)."""

    description = serializers.CharField()
    quote = serializers.SerializerMethodField()
    repay_to_fulfil = serializers.SerializerMethodField()
    accepted_on = serializers.DateField(
        allow_null=True, help_text="When the offer was accepted (null before)."
    )
    repay_to_fulfil_at_acceptance = MoneyField(
        allow_null=True,
        help_text="The amount fixed when the offer was accepted: it does not grow until the "
        "offer's deadline (null before acceptance).",
    )
    waived_amount = MoneyField()
    relief = serializers.BooleanField(source="asks_relief", help_text="Relief asked for.")
    monthly_income = MoneyField(allow_null=True)
    arrangement = serializers.SerializerMethodField()
    arrangement_quote = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()
    satisfaction = serializers.SerializerMethodField()

    @extend_schema_field(
        ArrangementSerializer(
            allow_null=True,
            help_text="The arrangement asked for (or approved instead), its installments and "
            "progress; null when none is asked for.",
        )
    )
    def get_arrangement(self, application) -> dict[str, Any] | None:
        view = arrangement_selectors.application_arrangement(application)
        return None if view is None else ArrangementSerializer(view).data

    @extend_schema_field(
        ArrangementQuoteSerializer(allow_null=True, help_text="As it was at submission.")
    )
    def get_arrangement_quote(self, application) -> dict[str, Any] | None:
        if not application.arrangement_quote:
            return None
        document = arrangement_selectors.arrangement_quote_for_reader(application.arrangement_quote)
        relief = None
        if application.asks_relief:
            relief = {"percent": application.quote.get("percent", 0), "amount": document["relief"]}
        return ArrangementQuoteSerializer({**document, "relief": relief}).data

    @extend_schema_field(QuoteSerializer(help_text="The quote as it was at submission."))
    def get_quote(self, application) -> dict[str, Any]:
        return QuoteSerializer(selectors.quote_for_reader(application.quote)).data

    @extend_schema_field(
        MoneyField(
            help_text="What must still be repaid for the waiver to post (0.00 if none). Once "
            "the offer is accepted: the amount fixed then, less what has been repaid of it "
            "since; it never grows."
        )
    )
    def get_repay_to_fulfil(self, application) -> str:
        return MoneyField().to_representation(selectors.repay_to_fulfil(application))

    @extend_schema_field(SatisfactionStateSerializer)
    def get_satisfaction(self, application) -> dict[str, Any]:
        return SatisfactionStateSerializer(satisfaction_of(application)).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, application) -> list[dict[str, Any]]:
        events = list(application.events.all())
        if self.context.get("viewer", BORROWER) == BORROWER:
            # The borrower's timeline shows moves between states; internal entries
            # (assignments, escalations, evidence checks) stay with the reviewers.
            events = [e for e in events if e.from_status != e.to_status]
        return EventSerializer(events, many=True, context=self.context).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=[(a, a) for a in BORROWER_ACTIONS]),
            help_text="What the borrower can do now.",
        )
    )
    def get_allowed_actions(self, application) -> list[str]:
        allowed = allowed_actions(application.status)
        return [action for action in BORROWER_ACTIONS if action in allowed]


class ApplicationCreateSerializer(StrictSerializer):
    loan = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Loan id.")
    reason = serializers.ChoiceField(choices=HardshipReason.choices)
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    relief = serializers.BooleanField(
        required=False, default=True, help_text="Ask for relief (at least one of the two)."
    )
    arrangement = ArrangementChoiceSerializer(
        required=False, allow_null=True, default=None, help_text="Ask for an arrangement."
    )
    monthly_income = MoneyField(
        required=False,
        allow_null=True,
        default=None,
        min_value=Decimal(0),
        help_text="An option it cannot carry cannot be chosen.",
    )


class VersionSerializer(StrictSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read; a stale one is a 409. Optional for borrowers.",
    )


class AnswerSerializer(VersionSerializer):
    text = serializers.CharField(max_length=4000, allow_blank=True)


class EvidenceUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="PDF, JPEG or PNG (judged by content), at most 10 MB."
    )


class EvidenceCreatedSerializer(serializers.Serializer):
    evidence = EvidenceSerializer(many=True, help_text="The files stored by this request.")


# --- review ---------------------------------------------------------------------------------


class MaskedNameField(serializers.CharField):
    """A borrower's name masked as the admin shows it to reviewers (王*, A****)."""

    def to_representation(self, value) -> str:
        return mask_name(str(value))


class PersonSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    name = MaskedNameField(help_text="Masked: the first character and stars.")


class ReviewApplicationSerializer(ApplicationSerializer):
    """An application as a reviewer sees it: the borrower, the suggestion and its basis, the
    whole event log with the actors' names."""

    borrower = PersonSerializer()
    suggested_percent = serializers.IntegerField()
    suggested_amount = MoneyField()
    review_quote = serializers.SerializerMethodField()
    penalty_at_submission = MoneyField()
    dpd_at_submission = serializers.IntegerField()
    bucket_at_submission = serializers.CharField()
    priority = serializers.IntegerField()
    sla_due = serializers.DateTimeField(allow_null=True)
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True)
    rejection_reason = serializers.CharField(allow_blank=True)

    @extend_schema_field(
        QuoteSerializer(allow_null=True, help_text="Re-scored after evidence was verified.")
    )
    def get_review_quote(self, application) -> dict[str, Any] | None:
        if not application.review_quote:
            return None
        return QuoteSerializer(selectors.quote_for_reader(application.review_quote)).data

    @extend_schema_field(
        serializers.ListField(child=serializers.CharField(), help_text="Transitions open now.")
    )
    def get_allowed_actions(self, application) -> list[str]:
        return sorted(allowed_actions(application.status))


class QueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    loan = serializers.IntegerField(source="loan_id")
    loan_external_id = serializers.CharField(source="loan.external_id")
    borrower_name = MaskedNameField(
        source="borrower.name", help_text="Masked: the first character and stars."
    )
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    reason = serializers.ChoiceField(choices=HardshipReason.choices)
    priority = serializers.IntegerField()
    sla_due = serializers.DateTimeField(allow_null=True)
    escalated = serializers.SerializerMethodField()
    bucket = serializers.CharField(source="bucket_at_submission")
    dpd = serializers.IntegerField(source="dpd_at_submission")
    suggested_percent = serializers.IntegerField()
    suggested_amount = MoneyField()
    penalty_at_submission = MoneyField()
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()

    def get_escalated(self, application) -> bool:
        return application.sla_escalated_at is not None


class DecideSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in DECISIONS])
    percent = serializers.IntegerField(
        required=False, allow_null=True, help_text="For approve: 0–100 (when relief is asked)."
    )
    reason_code = serializers.ChoiceField(
        choices=RejectionReason.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For request_info, the question to the borrower.",
    )
    version = serializers.IntegerField(help_text="The version you read; a stale one is a 409.")
    arrangement = ArrangementChoiceSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="For approve: another option than the one asked for (the borrower then "
        "accepts or declines it).",
    )


# --- notifications --------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id", allow_null=True)
    # In the language of the request, as the app shows them (Notification.shown_title).
    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "application",
            "created_at",
            "read_at",
            "read",
        ]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None
