"""Ops read the Outcomes panel in both languages, on a desktop and on a phone: satisfaction
with its counts, the latest comments masked, repayment after the decision, outreach against
the holdout, and the figures over too few cases marked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import log_in, screenshot, t
from tests.e2e.test_ops_journey import a_month_of_cases

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DAYS = 100
SCORES = (5, 4, 4, 3, 5, 2, 4, 1, 5, 4)
# What a borrower giving each score wrote, when she wrote something.
COMMENTS = {
    5: "处理得很快，谢谢！有事请打 13912345678。",
    4: "Fair. Please call me on 13912345678 about the rest of the loan.",
    3: "",
    2: "It took a while to hear back.",
    1: "我的情况没有被考虑。",
}


def a_quarter_of_outcomes(site) -> None:
    """The cases of `a_month_of_cases` spread over the last 100 days, each decided a day
    after it was submitted; three in five of the decided rated by their borrower (some with a
    comment, one with a phone number in it); most of the approved and some of the rejected
    then paid what was overdue at the decision, some weeks later. History written as rows,
    then each case's repayment date set as the services set it."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from loans.models import Installment
    from relief.models import ReliefApplication
    from relief.services.outcomes import applications_repaid_on_settle
    from relief.services.satisfaction import satisfaction_answer

    ids = a_month_of_cases(site, borrowers=80)
    decided = ReliefApplication.objects.filter(pk__in=ids, decided_at__isnull=False)
    now = timezone.now()
    for number, case in enumerate(decided.select_related("borrower__user").order_by("pk")):
        if number % 5 < 3:
            score = SCORES[number % len(SCORES)] if case.decided_percent else 1 + number % 3
            satisfaction_answer(
                application_id=case.pk,
                user=case.borrower.user,
                score=score,
                comment=COMMENTS[score] if number % 2 else "",
            )
        submitted = now - timedelta(days=3 + (number * 7) % (DAYS - 5))
        decision = submitted + timedelta(days=1)
        ReliefApplication.objects.filter(pk=case.pk).update(
            created_at=submitted, decided_at=decision, repaid_on=None
        )
        paid_on = timezone.localdate(decision) + timedelta(days=4 + (number * 11) % 80)
        repays = number % 4 != 0 if case.decided_percent else number % 3 == 0
        if repays and paid_on <= site.today:
            Installment.objects.filter(
                loan=case.loan, due_date__lte=timezone.localdate(decision)
            ).update(
                principal_paid=F("principal_due"),
                interest_paid=F("interest_due"),
                paid_off_on=paid_on,
            )
    applications_repaid_on_settle()


@pytest.mark.parametrize(
    ("locale", "language", "name"), [("zh-CN", "zh-hans", "zh"), ("en-US", "en", "en")]
)
def test_ops_read_the_outcomes_panel_on_a_desktop_and_a_phone(
    open_page, site, locale, language, name
):
    from datetime import timedelta

    a_quarter_of_outcomes(site)
    url = f"/ops/?from={site.today - timedelta(days=DAYS - 1)}&to={site.today}#outcomes"
    for device, phone in (("desktop", False), ("phone", True)):
        page = open_page(locale=locale, phone=phone)
        page.goto(url)
        log_in(page, "ops", language=language)
        page.wait_for_url("**/ops/**")
        page.goto(url)
        outcomes = page.locator("#outcomes")
        expect(outcomes.get_by_role("heading", level=2)).to_have_text(t("Outcomes", language))
        satisfaction = outcomes.locator("#satisfaction")
        expect(satisfaction).to_contain_text(t("Response rate", language))
        expect(satisfaction.locator("svg.chart rect").first).to_be_visible()
        comments = outcomes.locator("#satisfaction-comments")
        expect(comments).to_contain_text("*******5678")
        expect(comments).not_to_contain_text("13912345678")
        expect(outcomes.locator("#repayment svg.chart rect").first).to_be_visible()
        expect(outcomes.locator("#outreach-outcomes")).to_be_visible()
        # Some figures rest on fewer than 30 cases: marked, and the mark explained.
        expect(outcomes.locator("td.few").first).to_be_attached()
        expect(outcomes.locator(".few-note").first).to_be_visible()
        if phone:
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= PHONE["width"], "the page scrolls sideways"
        screenshot(page, f"ops-outcomes-{name}-{device}", element=outcomes)
