"""The reports as SQL, each written once as an ORM queryset (docs/reports.md).

Each report is a `values_list` queryset whose columns are given by `Report.columns`. The same
queryset is what the JSON and XLSX writers iterate and what the CSV writer hands to
PostgreSQL's COPY (compiled with `query.sql_with_params()`), so every format carries the
same numbers. Personal data (names, phones, external ids) is masked *in the SQL* unless the
caller may see it unmasked, so no format can leak it by accident.
"""

from reports.queries.definitions import (
    AGGREGATE_NAMES,
    REPORTS,
    outcome_aggregates,
    outcome_summary,
)
from reports.queries.sql import (
    BOOL,
    CODE,
    DATE,
    DATETIME,
    INT,
    MONEY,
    MONTH,
    NUMBER,
    RATIO,
    TEXT,
    Column,
    Report,
    in_range,
    outcome,
    sla_breached,
    submitted_month,
)

__all__ = [
    "AGGREGATE_NAMES",
    "BOOL",
    "CODE",
    "DATE",
    "DATETIME",
    "INT",
    "MONEY",
    "MONTH",
    "NUMBER",
    "RATIO",
    "REPORTS",
    "TEXT",
    "Column",
    "Report",
    "in_range",
    "outcome",
    "outcome_aggregates",
    "outcome_summary",
    "sla_breached",
    "submitted_month",
]
