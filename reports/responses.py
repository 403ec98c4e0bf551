"""Turning an export into an HTTP response (shared by the ops pages and the API)."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from reports.services import ExportDownload


def download_response(download: ExportDownload):
    """An attachment: streamed chunks (CSV, JSON) or a finished file (XLSX)."""
    if download.file is not None:
        response = FileResponse(
            download.file,
            as_attachment=True,
            filename=download.filename,
            content_type=download.content_type,
        )
    else:
        response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
        response["Content-Disposition"] = content_disposition_header(True, download.filename)
    # Personal data: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response
