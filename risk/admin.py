"""Early warning in the admin: risk model versions (drafts written by policy admins, then
activated), and read-only lists of the scores, backtests and outreach.

A risk model's document is edited as JSON; every problem is shown with the field path it
names (risk.rules.parse_scorecard via risk.services). Active and retired versions are
read-only, for everyone: a change to them is a new draft.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.admin_lists import fixed_choices_filter
from core.errors import DomainError
from relief.admin.audit import ReadOnlyAdmin
from risk.models import Outreach, RiskBacktest, RiskLevel, RiskModel, RiskScore
from risk.services import (
    risk_model_activate,
    risk_model_document_check,
    risk_model_draft_create,
    risk_model_draft_update,
)


class RiskModelForm(forms.ModelForm):
    document = forms.JSONField(
        label=_("document"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 80, "spellcheck": "false"}),
        help_text=_(
            'Bands per feature ({"min", "points"}, from 0 up), the levels\' lowest '
            'scores and the holdout percent. Ratios are decimals written as text ("0.95").'
        ),
    )

    class Meta:
        model = RiskModel
        fields = ("document", "note")

    def clean_document(self):
        document = self.cleaned_data["document"]
        try:
            risk_model_document_check(document)
        except DomainError as exc:
            raise forms.ValidationError(
                [
                    f"{path}: {problem}"
                    for path, problems in exc.fields.items()
                    for problem in problems
                ]
            ) from None
        return document


@admin.register(RiskModel)
class RiskModelAdmin(admin.ModelAdmin):
    form = RiskModelForm
    list_display = ("version", "status", "note", "created_by", "created_at", "activated_at")
    list_filter = ("status",)
    list_select_related = ("created_by",)
    readonly_fields = (
        "version",
        "status",
        "created_by",
        "created_at",
        "activated_by",
        "activated_at",
    )
    actions = ("activate",)

    def get_changeform_initial_data(self, request):
        # A new version starts as a copy of the active one.
        active = RiskModel.objects.filter(status=RiskModel.Status.ACTIVE).first()
        initial = super().get_changeform_initial_data(request)
        if active is not None:
            initial.setdefault("document", active.document)
        return initial

    # Versions are history: scores point at them.
    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != RiskModel.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = risk_model_draft_update(
                    model=obj,
                    document=form.cleaned_data["document"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            else:
                saved = risk_model_draft_create(
                    document=form.cleaned_data["document"],
                    note=form.cleaned_data["note"],
                    created_by=request.user,
                )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from None
        obj.pk, obj.version = saved.pk, saved.version

    @admin.action(description=_("Activate the selected draft"))
    def activate(self, request, queryset):
        if not permissions.can_activate_risk_model(request.user):
            raise PermissionDenied
        drafts = list(queryset[:2])
        if len(drafts) != 1:
            self.message_user(request, gettext("Select one draft to activate."), messages.ERROR)
            return
        try:
            model = risk_model_activate(model=drafts[0], user=request.user)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        self.message_user(
            request,
            gettext("Risk model v%(version)s is active.") % {"version": model.version},
            messages.SUCCESS,
        )


@admin.register(RiskScore)
class RiskScoreAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "loan", "score", "level", "model")
    list_filter = (
        "as_of",
        fixed_choices_filter("level", _("level"), RiskLevel.choices),
    )
    list_select_related = ("loan", "model")
    search_fields = ("=loan__external_id",)
    date_hierarchy = "as_of"
    list_defer = ("factors",)
    raw_id_fields = ("loan",)


@admin.register(RiskBacktest)
class RiskBacktestAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "horizon_days", "model", "loans", "missed", "auc", "created_at")
    list_select_related = ("model",)


@admin.register(Outreach)
class OutreachAdmin(ReadOnlyAdmin):
    list_display = ("day", "loan", "due_date", "amount_due", "status", "cancel_reason", "sent_at")
    list_filter = (
        fixed_choices_filter("status", _("status"), Outreach.Status.choices),
        "day",
    )
    list_select_related = ("loan",)
    search_fields = ("=loan__external_id",)
    raw_id_fields = ("installment", "loan", "borrower", "score")
