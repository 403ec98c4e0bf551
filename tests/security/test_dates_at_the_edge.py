"""Dates at the calendar's edge on the reports: 9999-12-31 or 0001-01-01 overflowed the date
arithmetic (a server error). One validator refuses a date outside 2000-01-01 .. five years
ahead on the reports API, the ops dashboard and the export form."""

import pytest
from django.utils import timezone

from reports.models import ExportLog
from tests.security.conftest import api_client, page_client

pytestmark = pytest.mark.django_db

EDGES = [
    {"to": "9999-12-31"},
    {"from": "0001-01-01"},
    {"to": "0001-01-01"},
    {"from": "9999-12-01", "to": "9999-12-31"},
    {"from": "0001-01-01", "to": "2025-01-31"},
    {"from": "1999-12-31", "to": "2000-01-31"},
]


def latest() -> str:
    return f"{timezone.localdate().year + 5}-12-31"


@pytest.mark.parametrize("query", EDGES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_the_reports_api_answers_400_naming_the_date(query, people):
    response = api_client(people["ops"]).get("/api/v1/reports/applications/", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    message = f"Choose a date from 2000-01-01 to {latest()}."
    assert message in sum(error["fields"].values(), [])


@pytest.mark.parametrize("query", EDGES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_the_ops_dashboard_shows_the_error_next_to_the_date(query, people):
    response = page_client(people["ops"]).get("/ops/", query)
    assert response.status_code == 200
    assert f"Choose a date from 2000-01-01 to {latest()}." in response.content.decode()


@pytest.mark.parametrize("query", EDGES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_the_export_form_refuses_the_date_and_exports_nothing(query, people):
    client = page_client(people["ops"])
    response = client.post(
        "/ops/exports/", {**query, "report": "applications", "format": "csv"}, follow=True
    )
    assert response.status_code == 200
    assert f"Choose a date from 2000-01-01 to {latest()}." in response.content.decode()
    assert not ExportLog.objects.exists()


def test_dates_inside_the_range_still_work(people):
    response = api_client(people["ops"]).get(
        "/api/v1/reports/applications/", {"from": "2000-01-01", "to": latest()}
    )
    assert response.status_code == 200


def test_the_export_command_names_the_date_out_of_range(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--to: Choose a date from 2000-01-01"):
        call_command(
            "export_report",
            "applications",
            "--from",
            "2025-01-01",
            "--to",
            "9999-12-31",
            "--format",
            "csv",
            "-o",
            str(tmp_path / "out.csv"),
        )
