"""The borrower's settings page (`/settings/`): language, channel, early outreach.

Only a borrower has settings here; anyone else gets a 404. Choosing another language also
switches the site to it, as the header's language switch does; saving the other settings
leaves the site in the language it is read in.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import add_domain_error
from loans import selectors, services
from loans.forms import PreferencesForm
from loans.models import Borrower


def site_language_set(response, language: str) -> None:
    """The site in `language` from the next page on: the cookie Django's language switch sets."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    try:
        borrower = selectors.borrower_of_user(request.user)
    except Borrower.DoesNotExist:
        raise Http404 from None
    form = PreferencesForm.of(borrower)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            language_before = borrower.language
            try:
                borrower = services.borrower_preferences_update(
                    borrower_id=borrower.pk,
                    language=form.cleaned_data["language"],
                    channel=form.cleaned_data["channel"],
                    outreach_opt_out=not form.cleaned_data["outreach"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                switched = borrower.language != language_before
                if switched:
                    # The message is shown in the new language, as the site will be.
                    translation.activate(borrower.language)
                messages.success(request, _("Your settings are saved."))
                response = redirect("preferences")
                if switched:
                    site_language_set(response, borrower.language)
                return response
    reading = translation.get_language()
    return render(
        request,
        "loans/settings.html",
        {
            "form": form,
            "borrower": borrower,
            "reading_other_language": reading != borrower.language,
        },
    )
