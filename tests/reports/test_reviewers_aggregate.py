"""The reviewers report as one aggregate over the range's decisions gives the numbers the
per-user definition gave (each user probed for decisions of hers), on every filter."""

from dataclasses import replace
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery

from reports.filters import ReportFilters
from reports.queries import REPORTS
from reports.queries.sql import (
    APPROVED_Q,
    ONE_PLACE,
    REJECTED_Q,
    HoursBetween,
    Median,
    count_where,
    in_range,
)
from tests.reports.conftest import RANGE

pytestmark = pytest.mark.django_db


def per_user_definition(filters):
    """The report as it was first written: every user, with a probe of her decisions."""
    decided = in_range(filters).filter(decided_at__isnull=False, decided_by__isnull=False)
    own = decided.filter(
        Q(first_approver=OuterRef("pk")) | Q(first_approver__isnull=True, decided_by=OuterRef("pk"))
    )
    seconds = decided.filter(decided_by=OuterRef("pk"), first_approver__isnull=False)
    overrides = APPROVED_Q & ~Q(decided_percent=F("suggested_percent"))

    def scalar(queryset, expression, output_field):
        return Subquery(queryset.annotate(r_value=expression).values("r_value"), output_field)

    return list(
        get_user_model()
        .objects.filter(Q(Exists(own)) | Q(Exists(seconds)))
        .order_by("username")
        .values_list(
            "username",
            scalar(own, Func("id", function="COUNT"), IntegerField()),
            scalar(own, count_where(APPROVED_Q), IntegerField()),
            scalar(own, count_where(REJECTED_Q), IntegerField()),
            scalar(own, Median(HoursBetween("created_at", "decided_at")), ONE_PLACE),
            scalar(own, count_where(overrides), IntegerField()),
            scalar(seconds, Func("id", function="COUNT"), IntegerField()),
        )
    )


@pytest.mark.parametrize(
    "filters",
    [
        RANGE,
        replace(RANGE, product="CASH18"),
        replace(RANGE, product="NOPE"),
        ReportFilters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 15)),
        ReportFilters(date_from=date(2024, 1, 1), date_to=date(2025, 12, 31)),
    ],
    ids=["range", "product", "unknown-product", "half-month", "two-years"],
)
def test_reviewers_report_gives_the_per_user_numbers(dataset, filters):
    for number in range(5):  # users who never decided anything are nobody's row
        get_user_model().objects.create_user(f"borrower-{number}")
    assert list(REPORTS["reviewers"].queryset(filters)) == per_user_definition(filters)


def test_reviewers_report_is_one_query_that_does_not_probe_each_user(dataset):
    sql = str(REPORTS["reviewers"].queryset(RANGE).query)
    assert "EXISTS" not in sql.upper()
    assert sql.upper().count("SELECT") == 1
