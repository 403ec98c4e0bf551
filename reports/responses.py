"""Turning an export into an HTTP response (shared by the ops pages and the API)."""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from reports.services import ExportDownload


def started(chunks: Iterable[bytes], head: int = 2) -> Iterator[bytes]:
    """The chunks, the first `head` of them taken now: the report's query has run (its opening
    and its first rows) before the status is sent, so a query PostgreSQL cancels at the
    statement_timeout is answered as such (core.views.server_error), not by a cut-off 200.
    Closing the result closes the chunks (a client gone ends the query)."""
    chunks = iter(chunks)
    taken = list(islice(chunks, head))

    def rest() -> Iterator[bytes]:
        try:
            yield from taken
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()

    return rest()


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
        response = StreamingHttpResponse(
            started(download.chunks), content_type=download.content_type
        )
        response["Content-Disposition"] = content_disposition_header(True, download.filename)
    # Personal data: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response
