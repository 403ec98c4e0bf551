"""Mistakes people make, each answered with a clear message and nothing broken: a wrong
password, a text file named .pdf, and withdrawing twice from two tabs."""

from __future__ import annotations

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from playwright.sync_api import expect

from relief.models import ApplicationStatus, ReliefApplication
from tests.e2e.helpers import log_in, pdf_file, reload_until, status_label, t

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ZH = "zh-hans"


def wrong_password_message(language: str) -> str:
    with translation.override(language):
        form = AuthenticationForm()
        return str(form.error_messages["invalid_login"]) % {
            "username": form.username_field.verbose_name
        }


def test_a_wrong_password_a_fake_pdf_and_a_double_withdrawal_each_get_a_clear_message(
    open_page, site
):
    page = open_page(locale="zh-CN")
    page.goto("/")

    # A wrong password: the login page again, saying so; then the right one works.
    log_in(page, "alice", password="not-my-password", language=ZH)
    expect(page.get_by_role("alert")).to_have_text(wrong_password_message(ZH))
    expect(page.get_by_label(t("Username", ZH))).to_have_value("alice")
    log_in(page, "alice", language=ZH)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My loans", ZH))

    # A text file named .pdf: refused by its content, the form kept, nothing created.
    page.goto(f"/loans/{site.alice_loan.pk}/apply/?reason=serious_illness")
    files = page.get_by_label(t("Evidence files", ZH))
    files.set_input_files(
        {"name": "bill.pdf", "mimeType": "application/pdf", "buffer": b"not a PDF at all\n"}
    )
    page.get_by_role("button", name=t("Send my application", ZH)).click()
    refused = t("%(name)s is not a PDF, JPEG or PNG file.", ZH) % {"name": "bill.pdf"}
    expect(page.get_by_text(refused)).to_be_visible()
    expect(page.get_by_label(t("Why could you not pay on time?", ZH))).to_have_value(
        "serious_illness"
    )
    assert not ReliefApplication.objects.exists()

    # The real file goes through.
    files.set_input_files(pdf_file())
    page.get_by_role("button", name=t("Send my application", ZH)).click()
    page.wait_for_url("**/applications/*/")
    status = page.get_by_test_id("application-status")
    reload_until(page, status, status_label(ApplicationStatus.IN_REVIEW, ZH))

    # Two tabs on the same application: withdraw in one, then in the other.
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    for tab in (page, other_tab):
        tab.get_by_text(t("Withdraw the application", ZH)).click()
    page.get_by_role("button", name=t("Yes, withdraw it", ZH)).click()
    expect(page.get_by_role("status")).to_have_text(t("Your application was withdrawn.", ZH))
    withdrawn = status_label(ApplicationStatus.WITHDRAWN, ZH)
    expect(status).to_have_text(withdrawn)

    other_tab.get_by_role("button", name=t("Yes, withdraw it", ZH)).click()
    stale = t(
        "The application changed since you opened it (now %(status)s). Reload it and try again.",
        ZH,
    )
    expect(other_tab.get_by_role("status")).to_have_text(stale % {"status": withdrawn})
    expect(other_tab.get_by_test_id("application-status")).to_have_text(withdrawn)
    # Nothing left to withdraw on the fresh page.
    expect(other_tab.get_by_text(t("Withdraw the application", ZH))).to_have_count(0)
    assert ReliefApplication.objects.get().status == ApplicationStatus.WITHDRAWN
