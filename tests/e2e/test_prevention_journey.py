"""Prevention in the browser: the demo's carol, scored high risk, is offered help on her
dashboard and written to before her due date; ops read the backtest and outreach panels."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, screenshot, t

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_a_high_risk_borrower_is_offered_help_and_written_to_before_her_due_date(open_page, site):
    from django.utils import timezone

    from loans.demo import Seeder
    from loans.models import Loan
    from risk.demo import demo_prevention
    from risk.services import outreach_send
    from tests.risk.helpers import hardship_article, holdout_percent_set

    Seeder(today=site.today).run(borrowers=40)  # for the backtest panel's figures
    demo_prevention(sender=None, log=lambda line: None)  # what seed_demo adds
    holdout_percent_set(0)  # carol's loan, whatever its id, is not held out here
    hardship_article()
    carol_loan = Loan.objects.get(external_id="L-CAROL-1")

    page = open_page(phone=True)
    log_in(page, "carol")
    offer = page.get_by_role("complementary", name=t("A payment coming up?"))
    expect(offer).to_be_visible()
    expect(offer.get_by_role("link", name=t("See my options"))).to_have_attribute(
        "href", f"/loans/{carol_loan.pk}/options/"
    )
    expect(offer.get_by_role("link", name="尽早寻求帮助")).to_be_visible()
    screenshot(page, "borrower-help-offer")

    # The morning's outreach: her installment of 2,000.00 falls due in 5 days.
    outreach_send(day=site.today, now=timezone.make_aware(datetime.combine(site.today, time(10))))
    page.goto("/notifications/")
    message = page.get_by_role("article").filter(has_text="¥2,000.00")
    expect(message.first).to_contain_text(f"/loans/{carol_loan.pk}/options/")
    expect(message.first).to_contain_text("尽早寻求帮助")
    screenshot(page, "borrower-outreach")

    ops = open_page(locale="en-US")
    log_in(ops, "ops", language="en")
    ops.goto("/ops/#risk-backtest")
    panel = ops.locator("#risk-backtest")
    expect(panel).to_contain_text("AUC")
    expect(ops.locator("#outreach-outcomes")).to_be_visible()
    screenshot(ops, "ops-prevention", element=ops.locator("#risk-backtest"))
    screenshot(ops, "ops-outreach-outcomes", element=ops.locator("#outreach-outcomes"))
