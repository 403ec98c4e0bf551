"""Bodies built to break the parser: nesting tens of thousands deep, a body larger than any
request of the API, more files than a case may have. Each is a JSON error, never a 500 or an
HTML page, signed in or not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relief.models import Evidence
from tests.pdf_samples import SCAN_PDF
from tests.security.conftest import World, api_client

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_json(client, path: str, body: str):
    return client.generic("POST", path, body, content_type="application/json")


@pytest.mark.parametrize("depth", [50_000, 2_000, 21])
def test_json_nested_too_deeply_is_a_400_even_signed_out(depth):
    response = post_json(api_client(None), TOKEN, nested(depth))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert error["message"] == "The JSON body is nested too deeply (at most 20 levels)."


def test_deep_objects_are_refused_on_a_signed_in_endpoint_too(world: World, people):
    body = '{"a":' * 30_000 + "1" + "}" * 30_000
    response = post_json(api_client(people["owner"]), "/api/v1/relief-applications/", body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_json_of_ordinary_depth_is_still_read(alice):
    response = post_json(api_client(None), TOKEN, '{"username": "alice", "password": "x"}')
    assert response.status_code == 401  # read, and the password was wrong


def test_a_body_over_the_limit_is_a_413_json(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"username": "alice", "password": "' + "x" * 10_000 + '"}'
    response = post_json(api_client(None), TOKEN, body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert "too large" in error["message"]


def test_the_body_limit_is_set():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 20


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (11, "An application can have at most 10 files."),
        (21, "Too many files in one request (at most 20)."),
    ],
)
def test_more_than_ten_files_in_one_request_is_a_json_400(count, message, world: World, people):
    files = [
        SimpleUploadedFile(f"scan{n}.pdf", SCAN_PDF, content_type="application/pdf")
        for n in range(count)
    ]
    before = Evidence.objects.count()
    response = api_client(people["owner"]).post(
        f"/api/v1/relief-applications/{world.application.pk}/evidence/",
        {"file": files},
        format="multipart",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "too_many_files"
    assert error["fields"]["file"] == [message]
    assert Evidence.objects.count() == before
