"""Under /api/ every answer is JSON: a write to a path that names no endpoint is the JSON 404
(not the HTML CSRF page), a bad page size a 400; the export endpoints document their 403 and
404; the OpenAPI schema is the same in every reader's language."""

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v2/loans/", "/api/x"])
def test_every_method_on_an_unknown_api_path_is_a_json_404(method, path, alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.user)  # a session, as a browser would have: CSRF would apply
    response = getattr(client, method)(path, {"a": 1}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("value", ["null", "0", "-1", "abc", "1.5", "١٠"])
def test_a_page_size_that_is_not_a_count_is_a_400(value, alice_client):
    response = alice_client.get(
        "/api/v1/relief-applications/", {"page_size": value}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["fields"]["page_size"] == [
        "The page size must be a whole number, 1 or more (at most 100 are sent)."
    ]


def test_a_good_page_size_still_works(alice_client):
    response = alice_client.get("/api/v1/relief-applications/", {"page_size": "500"})
    assert response.status_code == 200


def schema(client, **headers) -> dict:
    response = client.get("/api/schema/", {"format": "json"}, **headers)
    assert response.status_code == 200
    return response.json()


def test_the_export_endpoints_document_403_and_404():
    paths = schema(APIClient())["paths"]
    for path in (
        "/api/v1/reports/{name}/",
        "/api/v1/reports/exports/{export_id}/",
        "/api/v1/reports/exports/{export_id}/file/",
    ):
        responses = paths[path]["get"]["responses"]
        assert {"401", "403", "404"} <= set(responses), path
        body = responses["403"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}


def test_the_schema_is_english_whatever_the_readers_language(alice):
    english = schema(APIClient(), HTTP_ACCEPT_LANGUAGE="en")
    chinese_reader = APIClient()
    chinese_reader.cookies["django_language"] = "zh-hans"
    assert schema(APIClient(), HTTP_ACCEPT_LANGUAGE="zh-hans") == english
    assert schema(chinese_reader) == english
    status = english["components"]["schemas"]["ApplicationStatusEnum"]["description"]
    assert "In review" in status
