"""Satisfaction answers in the admin: Ops read them, nobody writes them, and the comment's
phone and ID numbers stay masked for whoever sees borrowers' phones masked."""

import pytest

from relief.services.satisfaction import satisfaction_answer
from tests.factories import UserFactory, overdue_loan
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db

LIST = "/admin/relief/satisfactionanswer/"
COMMENT = "Quick and fair. Call me on 13912345678 if needed."
MASKED = "Quick and fair. Call me on *******5678 if needed."


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def answer(alice, reviewer, today):
    from relief.services import relief_application_approve

    application = submitted_application(
        alice, loan=overdue_loan(alice, today=today), assign_to=reviewer
    )
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    return satisfaction_answer(
        application_id=application.pk, user=alice.user, score=5, comment=COMMENT
    )


@pytest.fixture
def ops_staff(db):
    return staff_user("ops-admin", "Ops")


def test_ops_read_the_answers_with_the_comment_masked(client, ops_staff, answer):
    client.force_login(ops_staff)
    listing = client.get(LIST)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert MASKED in html and "13912345678" not in html
    page = client.get(f"{LIST}{answer.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert MASKED in html and "13912345678" not in html


def test_who_sees_phones_whole_sees_the_comment_as_typed(client, answer):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert COMMENT in client.get(LIST).content.decode()
    assert COMMENT in client.get(f"{LIST}{answer.pk}/change/").content.decode()


def test_nobody_adds_changes_or_deletes_an_answer(client, ops_staff, answer):
    client.force_login(ops_staff)
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{answer.pk}/delete/").status_code == 403
    client.post(f"{LIST}{answer.pk}/change/", {"score": 1, "comment_masked": "changed"})
    answer.refresh_from_db()
    assert (answer.score, answer.comment_masked) == (5, MASKED)


def test_an_answer_is_found_by_its_application_number(client, ops_staff, answer):
    client.force_login(ops_staff)
    found = client.get(LIST, {"q": f"#{answer.application_id}"})
    assert MASKED in found.content.decode()
    # A comment's digits find nothing: a search would give the hidden ones away.
    assert MASKED not in client.get(LIST, {"q": "1391234"}).content.decode()


def test_reviewers_do_not_see_the_answers(client, reviewer, answer):
    client.force_login(reviewer)
    assert client.get(LIST).status_code == 403
