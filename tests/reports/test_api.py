"""`GET /api/v1/reports/{name}/`: Ops only, JSON/CSV/XLSX, errors in the one JSON shape."""

import io
import json

import openpyxl
import pytest
from rest_framework.test import APIClient

from reports.models import Export, ExportLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/{}/"
RANGE_QUERY = {"from": "2025-01-01", "to": "2025-02-28"}


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("persona", ["alice", "reviewer", "senior"])
def test_borrowers_and_reviewers_get_403(persona, request):
    user = request.getfixturevalue(persona)
    response = api(getattr(user, "user", user)).get(URL.format("applications"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_anonymous_gets_401():
    assert api().get(URL.format("applications")).status_code == 401


def test_unknown_report_is_404(ops):
    response = api(ops).get(URL.format("salaries"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday", "to": "2025-01-01"}, "from"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to"),
        ({"from": "2025-01-01", "to": "2025-01-31", "format": "pdf"}, "format"),
        ({"product": "NOPE"}, "product"),
    ],
)
def test_bad_filters_are_400_with_the_field(ops, query, field):
    response = api(ops).get(URL.format("applications"), query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    assert list(error["fields"]) == [field]


def test_json_has_the_rows_money_as_strings_and_masked_names(ops, dataset):
    response = api(ops).get(URL.format("applications"), {**RANGE_QUERY, "format": "json"})
    assert response.status_code == 200
    data = json.loads(body(response))
    assert data["report"] == "applications"
    assert data["filters"] == {"from": "2025-01-01", "to": "2025-02-28", "product": ""}
    assert data["masked"] is True
    assert data["count"] == 7
    first = data["results"][0]
    assert first["application_id"] == dataset.a1.pk
    assert first["submitted_at"] == "2025-01-10T10:00:00+08:00"
    assert (first["penalty_at_submission"], first["relief_amount"]) == ("26.60", "21.28")
    assert (first["decided_percent"], first["hours_to_decision"]) == (80, 10.0)
    assert (first["borrower_name"], first["borrower_phone"]) == ("张**", "138****5678")
    assert ExportLog.objects.get().channel == "api"


def test_json_is_the_default_format(ops, dataset):
    data = json.loads(body(api(ops).get(URL.format("reviewers"), RANGE_QUERY)))
    assert [row["reviewer"] for row in data["results"]] == ["reviewer", "senior"]
    assert data["results"][0]["median_hours_to_decision"] == 25.0


def test_unmasked_permission_in_the_api(ops_unmasked, dataset):
    response = api(ops_unmasked).get(URL.format("applications"), RANGE_QUERY)
    data = json.loads(body(response))
    assert data["masked"] is False
    assert data["results"][0]["borrower_name"] == "张三丰"


@pytest.mark.parametrize(
    "name", ["applications", "monthly-summary", "reviewers", "effectiveness", "arrangements"]
)
def test_every_report_as_csv_with_a_bom(ops, dataset, name):
    response = api(ops).get(URL.format(name), {**RANGE_QUERY, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body(response).startswith(b"\xef\xbb\xbf")


def test_xlsx_from_the_api_opens(ops, dataset):
    response = api(ops).get(URL.format("monthly-summary"), {**RANGE_QUERY, "format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    assert rows[1][:3] == ("2025-01", "M1", "Drop in income")  # the label, for people


def test_a_large_export_answers_202_with_where_to_follow_it(ops, dataset, settings):
    settings.REPORTS_ASYNC_THRESHOLD = 5
    response = api(ops).get(URL.format("applications"), {**RANGE_QUERY, "format": "xlsx"})
    assert response.status_code == 202
    export = Export.objects.get()
    data = response.json()["export"]
    assert (data["id"], data["status"], data["rows"]) == (export.pk, "queued", 7)
    assert response["Location"] == data["status_url"]
    assert data["status_url"] == f"http://testserver/api/v1/reports/exports/{export.pk}/"
    status = api(ops).get(f"/api/v1/reports/exports/{export.pk}/")
    assert status.status_code == 200
    assert status.json()["file_url"] is None


def test_a_large_json_report_is_queued_then_downloaded_whole(
    ops, dataset, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Past the threshold JSON is built in the background like CSV and XLSX (202, then the
    file); up to it, it still comes back at once."""
    settings.REPORTS_ASYNC_THRESHOLD = 7  # the data set's 7 rows are the most answered now
    settings.MEDIA_ROOT = tmp_path
    query = {**RANGE_QUERY, "format": "json"}
    assert api(ops).get(URL.format("applications"), query).status_code == 200
    settings.REPORTS_ASYNC_THRESHOLD = 6
    with django_capture_on_commit_callbacks(execute=True):  # Celery runs eagerly in tests
        response = api(ops).get(URL.format("applications"), query)
    assert response.status_code == 202
    data = response.json()["export"]
    assert (data["format"], data["rows"]) == ("json", 7)
    status = api(ops).get(data["status_url"]).json()
    assert status["status"] == "done"
    report = json.loads(body(api(ops).get(status["file_url"])))
    assert (report["report"], report["count"], report["masked"]) == ("applications", 7, True)
    assert [row["application_id"] for row in report["results"]] == [
        a.pk for a in (dataset.a1, dataset.a2, dataset.a3, dataset.a4, dataset.a5, dataset.a6)
    ] + [dataset.a7.pk]
    assert report["results"][0]["borrower_name"] == "张**"


@pytest.mark.parametrize("name", ["monthly-summary", "reviewers", "effectiveness"])
def test_a_grouped_report_is_answered_at_once_without_counting_its_groups_first(
    ops, dataset, settings, name
):
    """Its rows are a few hundred groups at most: never queued, and its GROUP BY runs once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.REPORTS_ASYNC_THRESHOLD = 1
    with CaptureQueriesContext(connection) as captured:
        response = api(ops).get(URL.format(name), {**RANGE_QUERY, "format": "json"})
        report = json.loads(body(response))
    assert response.status_code == 200 and report["count"] > 1
    assert not [q for q in captured.captured_queries if "COUNT(*)" in q["sql"]]
    assert not Export.objects.exists()


def test_an_export_file_is_for_its_requester_only_and_gone_after_7_days(ops, settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "1-x.csv").write_bytes(b"\xef\xbb\xbfa\n")
    export = Export.objects.create(
        requester=ops,
        report="reviewers",
        format="csv",
        filters={"from": "2025-01-01", "to": "2025-02-28", "product": ""},
        status=Export.Status.DONE,
        file_path="exports/1-x.csv",
        expires_at=timezone.now() + timedelta(days=1),
    )
    url = f"/api/v1/reports/exports/{export.pk}/file/"
    colleague = UserFactory(username="ops2", groups=["Ops"])
    assert api(colleague).get(url).status_code == 404
    assert api(colleague).get(f"/api/v1/reports/exports/{export.pk}/").status_code == 404
    response = api(ops).get(url)
    assert response.status_code == 200
    assert body(response) == b"\xef\xbb\xbfa\n"
    status = api(ops).get(f"/api/v1/reports/exports/{export.pk}/").json()
    assert status["file_url"] == f"http://testserver{url}"
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    gone = api(ops).get(url)
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "gone"
