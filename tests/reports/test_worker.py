"""A large export end to end on a real Celery worker (Redis DB 5, committed rows)."""

import io

import openpyxl
import pytest

from relief.models import Notification
from reports.models import Export, ExportLog
from tests.factories import UserFactory
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_large_export_is_built_by_the_worker_and_downloaded_by_its_requester(
    export_worker, client, ops, dataset, settings, tmp_path, export_format
):
    settings.REPORTS_ASYNC_THRESHOLD = 5  # the data set's 7 rows are "large"
    settings.MEDIA_ROOT = tmp_path
    client.force_login(ops)
    response = client.post(
        "/ops/exports/",
        {
            "report": "applications",
            "from": "2025-01-01",
            "to": "2025-02-28",
            "format": export_format,
        },
    )
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ops/exports/{export.pk}/"

    assert wait_for(lambda: Export.objects.get(pk=export.pk).status in ("done", "failed"))
    export.refresh_from_db()
    assert (export.status, export.row_count, export.error) == ("done", 7, "")
    notification = Notification.objects.get(recipient=ops, kind="export_ready")
    assert notification.link == f"/ops/exports/{export.pk}/download/{export.token}/"

    download = client.get(notification.link)
    assert download.status_code == 200
    content = body(download)
    if export_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        assert len(content.splitlines()) == 8
    else:
        rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert len(rows) == 8
    assert ExportLog.objects.get(export=export).rows == 7

    colleague = UserFactory(username="ops2", groups=["Ops"])
    client.force_login(colleague)
    assert client.get(notification.link).status_code == 404
