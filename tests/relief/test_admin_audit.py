"""The audit trail: the event log refuses UPDATE and DELETE in the database (PostgreSQL),
and events and notifications are read-only lists in the admin, failed deliveries easy to find.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from relief.models import ApplicationEvent, Notification
from tests.relief.helpers import submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English texts (Chinese is the default language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")


def test_the_database_refuses_to_update_an_event(postgresql):
    event = submitted_application().events.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ApplicationEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.note = "rewritten"
        event.save()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE relief_applicationevent SET to_status = 'approved'")
    event.refresh_from_db()
    assert event.note != "rewritten"


def test_the_database_refuses_to_delete_an_event(postgresql):
    application = submitted_application()
    count = application.events.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ApplicationEvent.objects.filter(application=application).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM relief_applicationevent")
    assert application.events.count() == count


def test_new_events_are_still_written(postgresql):
    application = submitted_application()
    assert application.events.count() == 2  # submitted, then sent to review by triage


def test_failed_deliveries_are_visible_and_filterable(client, reviewer):
    application = submitted_application(assign_to=reviewer)
    failed = Notification.objects.filter(application=application).exclude(channel="in_app").first()
    Notification.objects.filter(pk=failed.pk).update(
        status="failed", last_error="no phone number on file", attempts=1
    )
    client.force_login(reviewer)
    response = client.get("/admin/relief/notification/", {"status__exact": "failed"})
    assert response.status_code == 200
    assert [n.pk for n in response.context["cl"].result_list] == [failed.pk]
    assert b"no phone number on file" in response.content
    with_error = client.get("/admin/relief/notification/", {"error": "yes"})
    assert [n.pk for n in with_error.context["cl"].result_list] == [failed.pk]
    by_channel = client.get("/admin/relief/notification/", {"channel__exact": failed.channel})
    assert failed.pk in [n.pk for n in by_channel.context["cl"].result_list]
    # Read-only: no save button on the page, no add link on the list.
    page = client.get(f"/admin/relief/notification/{failed.pk}/change/").content
    assert b'name="_save"' not in page
    assert b"/admin/relief/notification/add/" not in response.content


def test_events_list_searches_by_application(client, reviewer):
    first = submitted_application(assign_to=reviewer)
    submitted_application(assign_to=reviewer)
    client.force_login(reviewer)
    response = client.get("/admin/relief/applicationevent/", {"q": f"#{first.pk}"})
    assert {e.application_id for e in response.context["cl"].result_list} == {first.pk}
    assert client.get("/admin/relief/applicationevent/", {"q": "nonsense"}).status_code == 200
