"""Forms of the borrower's relief pages: they parse input; the services judge it.

Files are not checked here: the evidence service judges them by their bytes and its errors
are put next to the file field (`add_domain_error`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.errors import DomainError
from relief.models import HardshipReason
from relief.satisfaction import SCORE_LABELS

DESCRIPTION_MAX = 4000

# Service field names that a page shows under another control.
FIELD_ALIASES = {"file": "files", "arrangement": "option"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one control; passed to the services unchecked (they check bytes)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [upload for upload in data if upload]
        return [data] if data else []


class QuoteForm(forms.Form):
    reason = forms.ChoiceField(label=_("Your reason"), choices=HardshipReason.choices)


class ApplicationForm(forms.Form):
    """What every application form asks besides what it is for: her words, evidence files,
    and a one-time token, so that a form sent twice (double click, back button) is
    recognised."""

    description = forms.CharField(
        label=_("Tell us what happened"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Evidence files"))
    token = forms.CharField(required=False, widget=forms.HiddenInput)


class ApplyForm(ApplicationForm):
    reason = forms.ChoiceField(
        label=_("Why could you not pay on time?"),
        choices=[("", _("Choose a reason")), *HardshipReason.choices],
    )


RELIEF_CHOICES = [
    ("yes", _("Yes, ask for penalty relief too")),
    ("no", _("No, only a repayment arrangement")),
]
OPTION_KEYS = {"plan": "periods", "deferral": "months"}
CHOOSE_AN_OPTION = _("Choose one of the options.")


class OptionsForm(forms.Form):
    """What a loan's repayment options are worked out with: the reason, the income she states
    and relief or not. Sent by the options page's GET form, and again (hidden) by its apply
    form, where the reason is required."""

    reason = forms.ChoiceField(
        label=_("Why could you not pay on time?"),
        choices=[("", _("Choose a reason")), *HardshipReason.choices],
        required=False,
    )
    monthly_income = forms.DecimalField(
        label=_("Your monthly income (¥)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    relief = forms.ChoiceField(label=_("Penalty relief"), choices=RELIEF_CHOICES, required=False)

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        if self.reason_required and not reason:
            raise forms.ValidationError(_("Choose a reason"), code="required")
        return reason

    def clean_relief(self) -> bool:
        return self.cleaned_data["relief"] != "no"


class OptionApplyForm(ApplicationForm):
    """Apply for one of the options shown ("plan:6", "deferral:1"): the services judge it."""

    option = forms.CharField(
        label=_("Choose an option"),
        error_messages={"required": CHOOSE_AN_OPTION},
    )

    def clean_option(self) -> dict:
        kind, _sep, term = self.cleaned_data["option"].partition(":")
        key = OPTION_KEYS.get(kind)
        if key is None or not term.isdigit():
            raise forms.ValidationError(CHOOSE_AN_OPTION, code="invalid")
        return {"kind": kind, key: int(term)}


class VersionForm(forms.Form):
    """The version of the application the borrower saw, so a stale page is detected."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AnswerForm(VersionForm):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Files to add"))


def add_domain_error(
    form: forms.Form, error: DomainError, *, also: tuple[forms.Form, ...] = ()
) -> None:
    """Put a service's refusal on the form: next to its fields (or those of the page's other
    forms, `also`), or above the form."""
    core_forms.add_domain_error(form, error, aliases=FIELD_ALIASES, also=also)


class SatisfactionForm(forms.Form):
    """One score from 1 to 5 and an optional comment (relief.services.satisfaction)."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how your request was handled?"),
        choices=SCORE_LABELS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
