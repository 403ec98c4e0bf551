"""The review queue: by default the undecided cases assigned to me or to nobody, highest
priority first, then the earliest decision deadline; filters, search, actions, and a
number of queries that does not grow with the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relief.admin.applications import duration_text, mask_name
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_approve
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English texts (Chinese is the default language)."""
    settings.LANGUAGE_CODE = "en"


QUEUE = "/admin/relief/reliefapplication/"


def listed(response) -> list[int]:
    return [application.pk for application in response.context["cl"].result_list]


def set_fields(application, **fields) -> None:
    ReliefApplication.objects.filter(pk=application.pk).update(**fields)


@pytest.fixture
def colleague(db):
    return staff_user("colleague", "Reviewer")


def test_default_queue_is_my_and_unassigned_open_cases_by_priority_then_sla(
    client, reviewer, colleague, senior
):
    now = timezone.now()
    mine_low = submitted_application(assign_to=reviewer)
    unassigned_high = submitted_application(assign_to=None)
    mine_high_later = submitted_application(assign_to=reviewer)
    theirs = submitted_application(assign_to=colleague)
    decided = submitted_application(assign_to=reviewer)
    relief_application_approve(application_id=decided.pk, reviewer=senior, percent=50)
    set_fields(mine_low, priority=5, sla_due=now + timedelta(hours=1))
    set_fields(unassigned_high, priority=50, sla_due=now + timedelta(hours=30))
    set_fields(mine_high_later, priority=50, sla_due=now + timedelta(hours=40))

    client.force_login(reviewer)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert listed(response) == [unassigned_high.pk, mine_high_later.pk, mine_low.pk]
    assert theirs.pk not in listed(response)
    assert decided.pk not in listed(response)

    # The defaults can be widened.
    everyone = listed(client.get(QUEUE, {"assigned": "all"}))
    assert theirs.pk in everyone and decided.pk not in everyone
    everything = listed(client.get(QUEUE, {"assigned": "all", "queue": "all"}))
    assert {theirs.pk, decided.pk} <= set(everything)
    only_mine = listed(client.get(QUEUE, {"assigned": "me"}))
    assert set(only_mine) == {mine_low.pk, mine_high_later.pk}
    approved = listed(client.get(QUEUE, {"assigned": "all", "queue": "approved"}))
    assert approved == [decided.pk]


def test_columns_show_the_case_masked(client, reviewer):
    application = submitted_application(assign_to=reviewer)
    client.force_login(reviewer)
    page = client.get(QUEUE).content.decode()
    borrower = application.borrower
    assert borrower.phone not in page
    assert f"{borrower.phone[:3]}****{borrower.phone[-4:]}" in page
    assert mask_name(borrower.name) in page
    assert "Serious illness" in page
    assert "90%" in page
    assert "M1" in page


def test_a_breached_case_is_marked_and_filtered(client, reviewer):
    late = submitted_application(assign_to=reviewer)
    on_time = submitted_application(assign_to=reviewer)
    set_fields(late, sla_due=timezone.now() - timedelta(hours=3))
    client.force_login(reviewer)
    page = client.get(QUEUE).content.decode()
    assert "sla-breached" in page
    assert listed(client.get(QUEUE, {"sla": "breached"})) == [late.pk]
    assert listed(client.get(QUEUE, {"sla": "running"})) == [on_time.pk]


def test_filters_by_bucket_reason_and_policy_version(client, reviewer):
    m1 = submitted_application(assign_to=reviewer, days=20)
    m2 = submitted_application(assign_to=reviewer, days=45, reason="unemployment")
    client.force_login(reviewer)
    assert listed(client.get(QUEUE, {"bucket": "M2"})) == [m2.pk]
    assert listed(client.get(QUEUE, {"reason__exact": "serious_illness"})) == [m1.pk]
    version = str(m1.policy_version)
    assert set(listed(client.get(QUEUE, {"policy_version": version}))) == {m1.pk, m2.pk}


def test_search_by_number_loan_and_phone_looks_beyond_the_defaults(client, reviewer, colleague):
    theirs = submitted_application(assign_to=colleague)
    other = submitted_application(assign_to=reviewer)
    client.force_login(reviewer)
    assert listed(client.get(QUEUE, {"q": str(theirs.pk)})) == [theirs.pk]
    assert listed(client.get(QUEUE, {"q": f"#{theirs.pk}"})) == [theirs.pk]
    assert listed(client.get(QUEUE, {"q": theirs.loan.external_id})) == [theirs.pk]
    assert listed(client.get(QUEUE, {"q": theirs.borrower.phone})) == [theirs.pk]
    assert other.pk not in listed(client.get(QUEUE, {"q": theirs.borrower.phone}))
    assert client.get(QUEUE, {"q": "9" * 40}).status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_rows(client, reviewer, colleague):
    client.force_login(reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, {"assigned": "all"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    submitted_application(assign_to=reviewer)
    one = queries()
    for assignee in (reviewer, colleague, None, colleague, reviewer):
        submitted_application(assign_to=assignee)
    assert queries() == one


def test_claim_action_assigns_unassigned_cases_to_me_but_not_others_cases(
    client, reviewer, colleague
):
    free = submitted_application(assign_to=None)
    theirs = submitted_application(assign_to=colleague)
    client.force_login(reviewer)
    response = client.post(
        QUEUE + "?assigned=all",
        {"action": "claim", "_selected_action": [free.pk, theirs.pk]},
        follow=True,
    )
    assert response.status_code == 200
    free.refresh_from_db()
    theirs.refresh_from_db()
    assert free.assigned_to == reviewer
    assert theirs.assigned_to == colleague
    messages = [str(m) for m in response.context["messages"]]
    assert any("is assigned to colleague" in m for m in messages)


def test_assign_action_asks_for_a_reviewer_then_assigns(client, reviewer, colleague):
    first = submitted_application(assign_to=None)
    second = submitted_application(assign_to=reviewer)
    client.force_login(reviewer)
    selected = {"action": "assign", "_selected_action": [first.pk, second.pk]}
    page = client.post(QUEUE, selected)
    assert page.status_code == 200
    assert b'name="assignee"' in page.content
    client.post(QUEUE, {**selected, "apply": "1", "assignee": colleague.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assigned_to == colleague == second.assigned_to
    assert first.events.filter(note="assigned to colleague").exists()


def test_assign_action_refuses_someone_who_is_not_a_reviewer(client, reviewer, ops):
    case = submitted_application(assign_to=None)
    client.force_login(reviewer)
    client.post(
        QUEUE,
        {"action": "assign", "_selected_action": [case.pk], "apply": "1", "assignee": ops.pk},
    )
    case.refresh_from_db()
    assert case.assigned_to is None


def test_nobody_deletes_or_adds_applications(client, reviewer, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    case = submitted_application(assign_to=reviewer)
    client.force_login(admin)
    response = client.get(QUEUE)
    assert b"delete_selected" not in response.content
    assert client.get(reverse("admin:relief_reliefapplication_add")).status_code == 403
    delete = reverse("admin:relief_reliefapplication_delete", args=[case.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ReliefApplication.objects.filter(pk=case.pk).exists()
    assert case.status == ApplicationStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王丽", "王*"), ("Alice 王丽", "A****"), ("A", "A*"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_duration_text():
    assert duration_text(timedelta(days=2, hours=4, minutes=5)) == "2d 4h"
    assert duration_text(timedelta(hours=3, minutes=20)) == "3h 20m"
    assert duration_text(-timedelta(minutes=12)) == "12m"


def test_senior_sees_every_case_waiting_for_a_second_approval_but_their_own(
    client, reviewer, colleague, senior
):
    other_senior = staff_user("other-senior", "Reviewer", "Senior reviewer")
    waiting = submitted_application(assign_to=reviewer)
    ReliefApplication.objects.filter(pk=waiting.pk).update(
        status=ApplicationStatus.PENDING_SECOND_APPROVAL, first_approver=other_senior
    )
    client.force_login(senior)
    assert waiting.pk in listed(client.get(QUEUE))
    client.force_login(other_senior)
    assert waiting.pk not in listed(client.get(QUEUE))
    client.force_login(colleague)
    assert waiting.pk not in listed(client.get(QUEUE))


def queue_row(page: str, application) -> str:
    """The queue's table row of one case (found by its action checkbox)."""
    checkbox = f'name="_selected_action" value="{application.pk}"'
    return next(row for row in page.split("<tr")[1:] if checkbox in row)


def test_an_overdue_case_row_is_highlighted_by_a_class_the_csp_allows(client, reviewer, settings):
    late = submitted_application(assign_to=reviewer)
    on_time = submitted_application(assign_to=reviewer)
    set_fields(late, sla_due=timezone.now() - timedelta(hours=3))
    client.force_login(reviewer)
    response = client.get(QUEUE)
    page = response.content.decode()
    assert 'class="sla-breached"' in queue_row(page, late)
    assert "sla-breached" not in queue_row(page, on_time)
    # The CSP has no 'unsafe-inline' for styles: the highlight is the stylesheet's, linked here.
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert "style=" not in queue_row(page, late)
    assert "css/admin-relief.css" in page
    stylesheet = (settings.BASE_DIR / "static/css/admin-relief.css").read_text()
    assert ".sla-breached" in stylesheet


def test_search_finds_a_case_by_borrower_id_and_name_whole_or_in_part(client, reviewer, colleague):
    theirs = submitted_application(assign_to=colleague)
    other = submitted_application(assign_to=reviewer)
    borrower = theirs.borrower
    borrower.name = "Zhang Sanfeng"
    borrower.save(update_fields=["name"])
    client.force_login(reviewer)
    assert listed(client.get(QUEUE, {"q": borrower.external_id})) == [theirs.pk]
    assert listed(client.get(QUEUE, {"q": borrower.external_id.lower()})) == [theirs.pk]
    assert listed(client.get(QUEUE, {"q": "Zhang Sanfeng"})) == [theirs.pk]
    assert listed(client.get(QUEUE, {"q": "sanfeng"})) == [theirs.pk]
    assert other.pk not in listed(client.get(QUEUE, {"q": "sanfeng"}))
    assert listed(client.get(QUEUE, {"q": "nobody-like-this"})) == []


def test_search_by_a_whole_name_lists_that_borrower_only_and_parts_only_when_none_is_whole(
    client, reviewer, colleague
):
    whole = submitted_application(assign_to=colleague)
    longer = submitted_application(assign_to=colleague)
    for application, name in ((whole, "Li Na"), (longer, "Li Nana")):
        application.borrower.name = name
        application.borrower.save(update_fields=["name"])
    client.force_login(reviewer)
    assert listed(client.get(QUEUE, {"q": "Li Na"})) == [whole.pk]
    assert set(listed(client.get(QUEUE, {"q": "Li N"}))) == {whole.pk, longer.pk}
