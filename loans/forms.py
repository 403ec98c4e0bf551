"""The borrower's settings form: it parses input; `borrower_preferences_update` judges it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from loans.models import Borrower


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("The site and the messages we send you."),
        choices=Borrower.Language.choices,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=_("How we send you messages"),
        help_text=_("Every message is also on your notifications page."),
        choices=Borrower.Channel.choices,
        widget=forms.RadioSelect,
    )
    # Said the positive way on the page (ticked: she hears from us); stored as the opt-out.
    outreach = forms.BooleanField(
        label=_("Tell me early when an installment may be hard to pay"),
        help_text=_(
            "A few days before a due date, if your repayments suggest it may be hard, we send "
            "your options and a short guide (at most twice a week). The usual reminder three "
            "days before each due date is sent either way."
        ),
        required=False,
    )

    @classmethod
    def of(cls, borrower: Borrower) -> "PreferencesForm":
        return cls(
            initial={
                "language": borrower.language,
                "channel": borrower.notification_channel,
                "outreach": not borrower.outreach_opt_out,
            }
        )
