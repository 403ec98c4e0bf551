"""A NUL byte, which PostgreSQL refuses in any text and no value of the site has, is refused
with a 400 wherever it comes: the admin's filters and search, a form's fields,
a header, the API's JSON. Nothing is saved."""

import pytest

from relief.models import ReliefApplication
from tests.security.conftest import World, api_client, page_client

pytestmark = pytest.mark.django_db

MESSAGE = "The request contains a character that is not allowed (NUL)."
CHANGELIST = "/admin/relief/reliefapplication/"


@pytest.mark.parametrize(
    "query", ["bucket=%00", "reason__exact=%00", "status__exact=%00", "q=%00", "o=%00", "%00=1"]
)
def test_an_admin_filter_with_a_nul_byte_is_a_400_page(query, people):
    response = page_client(people["reviewer"]).get(f"{CHANGELIST}?{query}")
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()


def form_posts(world: World) -> list[tuple[str, str, dict]]:
    return [
        ("reviewer", CHANGELIST, {"action": "\x00", "_selected_action": "1"}),
        ("reviewer", CHANGELIST, {"action": "delete_selected", "_selected_action": "\x00"}),
        ("ops", "/ops/exports/", {"report": "applications\x00", "format": "csv"}),
        ("owner", "/i18n/setlang/", {"language": "en", "next": "/\x00"}),
        ("owner", f"/notifications/{world.notification.pk}/read/", {"next": "/\x00"}),
        ("owner", f"/loans/{world.free_loan.pk}/apply/", {"reason": "accident\x00"}),
        ("owner", f"/loans/{world.free_loan.pk}/apply/", {"reason": "accident", "x\x00": "1"}),
    ]


@pytest.mark.parametrize("case", range(7))
def test_a_form_value_with_a_nul_byte_is_a_400_page(case, world: World, people):
    who, path, data = form_posts(world)[case]
    response = page_client(people[who]).post(path, data)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()


def test_a_header_with_a_nul_byte_is_refused(world: World, people):
    response = api_client(people["owner"]).post(
        "/api/v1/relief-applications/",
        {"loan": world.free_loan.pk, "reason": "accident", "description": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key\x00",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == MESSAGE


@pytest.mark.parametrize(
    "body",
    [
        '{"loan": %d, "reason": "accident", "description": "in hospital\\u0000"}',
        '{"loan": %d, "reason": "accident\\u0000"}',
        '{"loan": %d, "reason": "accident", "note\\u0000": "x"}',
    ],
)
def test_a_json_text_with_a_nul_byte_is_a_400_json_error(body, world: World, people):
    response = api_client(people["owner"]).generic(
        "POST",
        "/api/v1/relief-applications/",
        body % world.free_loan.pk,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == MESSAGE
    assert not ReliefApplication.objects.filter(loan=world.free_loan).exists()
