"""Exports: streamed at once when small, built by a task when large; every one logged.

Who may see what: reports are for ops (`reports.view_ops_reports`); names, phones and ids are
masked unless the user holds `relief.export_unmasked` (docs/reports.md).
"""

from reports.services.access import (
    CONTENT_TYPES,
    NOT_OPS,
    async_threshold,
    report_get,
)
from reports.services.audit import export_log_finish, export_log_write
from reports.services.background import (
    ExportProgress,
    export_build,
    export_download_url,
    export_finish,
    export_for_download,
    export_of_user,
    export_request,
    exports_of_user,
    exports_purge_expired,
)
from reports.services.exporting import ExportDownload, report_export, report_write

__all__ = [
    "CONTENT_TYPES",
    "NOT_OPS",
    "ExportDownload",
    "ExportProgress",
    "async_threshold",
    "export_build",
    "export_download_url",
    "export_finish",
    "export_for_download",
    "export_log_finish",
    "export_log_write",
    "export_of_user",
    "export_request",
    "exports_of_user",
    "exports_purge_expired",
    "report_export",
    "report_get",
    "report_write",
]
