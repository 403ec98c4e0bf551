"""Triage with evidence just attached: when verifying it would raise the percent the case goes
to a reviewer (the reason recorded on the event), and the borrower is told why it is not
instant, on the application page and in the notification, in both languages."""

import pytest
from django.conf import settings
from django.urls import reverse

from relief.models import ApplicationStatus, Notification
from relief.services import relief_application_add_evidence, relief_application_triage
from tests.factories import overdue_loan
from tests.relief.flows import submit
from tests.relief.page_helpers import pdf

pytestmark = pytest.mark.django_db
S = ApplicationStatus
WHY_EN = (
    "Why not an instant offer: you attached evidence, and once a reviewer verifies it your "
    "relief can be higher. So a reviewer looks at it before deciding."
)
WHY_ZH = "为什么没有立即给出方案：您附上了证明材料"


def late_loan(borrower, today):
    """200 days overdue, reason other: base 20 + history 20 = 40%, an automatic offer; 50%
    with verified evidence."""
    return overdue_loan(borrower, today=today, days=200)


def triage_event(application):
    return application.events.get(from_status=S.SUBMITTED, to_status=S.IN_REVIEW)


def test_without_evidence_the_case_is_approved_at_once(alice, today):
    application = submit(late_loan(alice, today), reason="other")
    assert application.status == S.APPROVED


def test_evidence_attached_with_the_application_sends_it_to_a_reviewer(alice, today, reviewer):
    application = submit(late_loan(alice, today), reason="other", uploads=[pdf()])
    assert application.status == S.IN_REVIEW
    assert application.assigned_to == reviewer
    assert application.suggested_percent == 40
    assert triage_event(application).data["auto_approval_blockers"] == ["evidence_to_verify"]
    assert application.quote["auto_approvable"] is False


def test_evidence_added_before_triage_sends_it_to_a_reviewer(alice, today, reviewer):
    application = submit(late_loan(alice, today), reason="other", triage=False)
    relief_application_add_evidence(application_id=application.pk, user=alice.user, uploads=[pdf()])
    application = relief_application_triage(application_id=application.pk)
    assert application.status == S.IN_REVIEW
    assert triage_event(application).data["auto_approval_blockers"] == ["evidence_to_verify"]


@pytest.mark.parametrize(("language", "why"), [("en", WHY_EN), ("zh-hans", WHY_ZH)])
def test_the_borrower_is_told_why_it_is_not_instant(alice, today, reviewer, language, why):
    alice.language = language
    alice.save()
    application = submit(late_loan(alice, today), reason="other", uploads=[pdf()])
    told = Notification.objects.filter(application=application, kind="in_review")
    assert told.count() == 2  # in-app and SMS
    assert all(why in message.body for message in told)


def test_the_application_page_says_why_it_is_not_instant(client, alice, today, reviewer):
    application = submit(late_loan(alice, today), reason="other", uploads=[pdf()])
    client.force_login(alice.user)
    url = reverse("application-detail", args=[application.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert WHY_EN in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert WHY_ZH in client.get(url).content.decode()


def test_a_case_sent_to_review_for_other_reasons_does_not_mention_evidence(
    alice, today, reviewer, client
):
    application = submit(overdue_loan(alice, today=today, days=20))  # 80%: above 50
    assert "evidence_to_verify" not in triage_event(application).data["auto_approval_blockers"]
    client.force_login(alice.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Why not an instant offer" not in body
    message = Notification.objects.get(application=application, kind="in_review", channel="in_app")
    assert "Why not an instant offer" not in message.body


def test_the_reviewer_reads_that_evidence_kept_it_from_auto_approval(
    client, alice, today, reviewer, settings
):
    settings.LANGUAGE_CODE = "en"
    application = submit(late_loan(alice, today), reason="other", triage=False)
    relief_application_add_evidence(application_id=application.pk, user=alice.user, uploads=[pdf()])
    relief_application_triage(application_id=application.pk)
    client.force_login(reviewer)
    url = reverse("admin:relief_reliefapplication_change", args=[application.pk])
    body = client.get(url).content.decode()
    assert "evidence is attached that would raise the percent once verified" in body


def test_the_policy_simulation_counts_a_case_with_evidence_to_verify_as_manual(alice, today):
    from relief.services.simulation import policy_simulate

    # Both 40%, automatic by the amount and the percent; the second came with a file.
    submit(late_loan(alice, today), reason="other", triage=False)
    submit(
        overdue_loan(alice, today=today, days=200, external_id="L-WITH-FILE"),
        reason="other",
        uploads=[pdf()],
        triage=False,
    )
    result = policy_simulate(version=1)
    assert result.cases == 2
    assert result.total["active"].auto_approvable == 1
