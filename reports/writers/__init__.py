"""Writing a report's rows as CSV, XLSX or JSON, streamed: memory never grows with the rows.

Each report is one queryset (`reports.queries`). JSON, XLSX and a downloaded CSV read it
through a server-side cursor (`rows.streamed`); a CSV file on PostgreSQL is written by the
database itself with COPY (`csvfile.write_csv`). Workbooks are XlsxWriter's
(`workbook.write_xlsx`).
"""

from reports.writers.csvfile import BOM, copy_statement, csv_chunks, csv_text, write_csv
from reports.writers.jsonfile import json_chunks, json_header, json_value, write_json
from reports.writers.rows import (
    CHUNK_BYTES,
    PROGRESS_EVERY_ROWS,
    Progress,
    streamed,
    use_copy,
)
from reports.writers.workbook import XLSX_MAX_DATA_ROWS, write_workbook, write_xlsx

__all__ = [
    "BOM",
    "CHUNK_BYTES",
    "PROGRESS_EVERY_ROWS",
    "XLSX_MAX_DATA_ROWS",
    "Progress",
    "copy_statement",
    "csv_chunks",
    "csv_text",
    "json_chunks",
    "json_header",
    "json_value",
    "streamed",
    "use_copy",
    "write_csv",
    "write_json",
    "write_workbook",
    "write_xlsx",
]
