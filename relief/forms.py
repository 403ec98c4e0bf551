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
FIELD_ALIASES = {"file": "files"}


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


class ApplyForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why could you not pay on time?"),
        choices=[("", _("Choose a reason")), *HardshipReason.choices],
    )
    description = forms.CharField(
        label=_("Tell us what happened"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Evidence files"))
    # One-time token: a form sent twice (double click, back button) is recognised.
    token = forms.CharField(required=False, widget=forms.HiddenInput)


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


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form, next to its fields or above the form."""
    core_forms.add_domain_error(form, error, aliases=FIELD_ALIASES)


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
