"""The reports' numbers against the data set of conftest.py, worked out by hand."""

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from loans.models import mask_phone
from reports import writers
from reports.queries import REPORTS
from tests.reports.conftest import RANGE

pytestmark = pytest.mark.django_db
D = Decimal


def rows(name, filters=RANGE, *, unmasked=False):
    report = REPORTS[name]
    return [
        dict(zip(report.column_names, row, strict=True))
        for row in report.queryset(filters, unmasked=unmasked)
    ]


def csv_rows(name, filters=RANGE, *, unmasked=False):
    """The report through the CSV writer (COPY on PostgreSQL), parsed back."""
    report = REPORTS[name]
    out = io.BytesIO()
    count = writers.write_csv(report, report.queryset(filters, unmasked=unmasked), out)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert count == len(parsed)
    return parsed


def test_applications_has_one_row_per_application_in_the_range_in_submission_order(dataset):
    """a8 (12-31 23:59 local, 15:59 UTC) and a9 (03-01 00:00:30 local) are outside."""
    result = rows("applications")
    ids = [row["application_id"] for row in result]
    expected = [dataset.a1, dataset.a2, dataset.a3, dataset.a4, dataset.a5, dataset.a6]
    assert ids == [a.pk for a in [*expected, dataset.a7]]


def test_applications_row_has_the_case_as_submitted_and_decided(dataset):
    row = rows("applications")[0]
    assert row == {
        "application_id": dataset.a1.pk,
        "submitted_at": dataset.a1.created_at,
        "loan_external_id": "*********0001",
        "product": "CASH18",
        "borrower_external_id": "*****1234",
        "borrower_name": "张**",
        "borrower_phone": "138****5678",
        "dpd_at_submission": 20,
        "bucket_at_submission": "M1",
        "reason": "serious_illness",
        "suggested_percent": 80,
        "decided_percent": 80,
        "penalty_at_submission": D("26.60"),
        "relief_amount": D("21.28"),
        "waived_amount": D("21.28"),
        "status": "fulfilled",
        "decided_by": "reviewer",
        "first_approver": None,
        "decided_at": dataset.a1.decided_at,
        "hours_to_decision": D("10.0"),
        "sla_breached": False,
        "policy_version": 1,
    }


def test_applications_hours_reviewers_and_sla(dataset):
    """a3 was decided 60 h after submission, 12 h past its due time; a6 is still waiting
    past its due time; a4 names both approvers; a7 was decided by the system in 6 minutes."""
    by_id = {row["application_id"]: row for row in rows("applications")}
    assert [by_id[a.pk]["hours_to_decision"] for a in (dataset.a2, dataset.a3, dataset.a4)] == [
        D("30.0"),
        D("60.0"),
        D("20.0"),
    ]
    assert by_id[dataset.a7.pk]["hours_to_decision"] == D("0.1")
    assert by_id[dataset.a5.pk]["hours_to_decision"] is None
    assert [a.pk for a in (dataset.a3, dataset.a6)] == [
        pk for pk, row in by_id.items() if row["sla_breached"]
    ]
    assert (by_id[dataset.a4.pk]["decided_by"], by_id[dataset.a4.pk]["first_approver"]) == (
        "senior",
        "reviewer",
    )
    assert by_id[dataset.a7.pk]["decided_by"] is None


def test_applications_filter_by_product(dataset):
    card = replace(RANGE, product="CARD24")
    assert [row["application_id"] for row in rows("applications", card)] == [dataset.a7.pk]


def test_applications_dates_are_local_days_both_included(dataset):
    """a1 was submitted 2025-01-10 10:00 local (02:00 UTC): in a one-day range of 01-10."""
    one_day = replace(RANGE, date_from=date(2025, 1, 10), date_to=date(2025, 1, 10))
    assert [row["application_id"] for row in rows("applications", one_day)] == [dataset.a1.pk]
    # a7: 2025-02-14 23:30 local is 15:30 UTC on the 14th, and belongs to the 14th.
    valentine = replace(RANGE, date_from=date(2025, 2, 14), date_to=date(2025, 2, 14))
    assert [row["application_id"] for row in rows("applications", valentine)] == [dataset.a7.pk]


def test_monthly_summary_by_month_bucket_and_reason(dataset):
    """Approval rate = approved ÷ (approved + rejected); mean of the approved decided %."""
    result = [
        (
            f"{row['month']:%Y-%m}",
            row["bucket_at_submission"],
            row["reason"],
            row["applications"],
            row["approved"],
            row["rejected"],
            row["approval_rate_pct"],
            row["mean_decided_percent"],
            row["total_relief"],
            row["total_waived"],
        )
        for row in rows("monthly-summary")
    ]
    ill, zero = "serious_illness", D("0.00")
    assert result == [
        ("2025-01", "M1", "income_drop", 1, 0, 1, D("0.0"), None, zero, zero),
        ("2025-01", "M1", ill, 1, 1, 0, D("100.0"), D("80.0"), D("21.28"), D("21.28")),
        ("2025-01", "M2", "accident", 1, 1, 0, D("100.0"), D("70.0"), D("70.00"), zero),
        ("2025-02", "M1", "family_emergency", 1, 1, 0, D("100.0"), D("100.0"), D("5.00"), zero),
        ("2025-02", "M1", "other", 1, 0, 0, None, None, zero, zero),
        ("2025-02", "M1", "unemployment", 1, 0, 0, None, None, zero, zero),
        ("2025-02", "M2", ill, 1, 1, 0, D("100.0"), D("50.0"), D("6000.00"), zero),
    ]


def test_reviewers_decisions_median_overrides_and_second_approvals(dataset):
    """The reviewer decided a1 (10 h), a2 (30 h, 70 against 60 suggested), a3 (60 h,
    rejected) and approved a4 first (20 h): median of 10, 20, 30, 60 = 25.0. The senior
    confirmed a4. a7 was automatic: nobody's. a8 is outside the range."""
    assert rows("reviewers") == [
        {
            "reviewer": "reviewer",
            "decisions": 4,
            "approvals": 3,
            "rejections": 1,
            "median_hours_to_decision": D("25.0"),
            "overrides": 1,
            "second_approvals": 0,
        },
        {
            "reviewer": "senior",
            "decisions": 0,
            "approvals": 0,
            "rejections": 0,
            "median_hours_to_decision": None,
            "overrides": 0,
            "second_approvals": 1,
        },
    ]


def test_effectiveness_repaid_within_30_60_90_days_by_bucket_and_outcome(dataset):
    """M1 approved: a1 (paid 10 days after) and a7 (6 days after) → 2 of 2 in every window.
    M1 rejected: a3, paid 40 days after → not within 30, within 60 and 90.
    M2 approved: a2 and a4, never paid → 0 of 2. a1's second installment, due after the
    decision, does not count."""
    result = [
        (
            row["bucket_at_submission"],
            row["outcome"],
            row["cases"],
            [
                (row[f"repaid_{n}d"], row[f"observed_{n}d"], row[f"repaid_{n}d_pct"])
                for n in (30, 60, 90)
            ],
        )
        for row in rows("effectiveness")
    ]
    assert result == [
        ("M1", "approved", 2, [(2, 2, D("100.0"))] * 3),
        ("M1", "rejected", 1, [(0, 1, D("0.0")), (1, 1, D("100.0")), (1, 1, D("100.0"))]),
        ("M2", "approved", 2, [(0, 2, D("0.0"))] * 3),
    ]


def test_effectiveness_counts_only_windows_that_have_ended(dataset):
    """Seen from 2025-02-20, a7 (decided 02-14) is 6 days on: in none of the windows."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    report = REPORTS["effectiveness"]
    now = datetime(2025, 2, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    result = {
        (row[0], row[1]): row for row in report.queryset(RANGE, now=now)
    }  # bucket, outcome, cases, observed_30, ...
    m1_approved = result[("M1", "approved")]
    assert m1_approved[2:4] == (2, 1)  # 2 cases, only a1 is 30 days on


def test_csv_is_utf8_with_a_bom_and_the_same_text_on_every_database(dataset):
    """The header is the column names; times are local; booleans true/false; money 2 places;
    the label columns in the language the export is written in."""
    from django.utils import translation

    report = REPORTS["applications"]
    out = io.BytesIO()
    with translation.override("en"):
        writers.write_csv(report, report.queryset(RANGE), out)
    lines = out.getvalue().split(b"\n")
    assert lines[0].startswith(b"\xef\xbb\xbfapplication_id,submitted_at,loan_external_id,")
    assert lines[1].decode() == (
        f"{dataset.a1.pk},2025-01-10 10:00:00,*********0001,CASH18,*****1234,张**,138****5678,"
        "20,M1,serious_illness,80,80,26.60,21.28,21.28,fulfilled,reviewer,,2025-01-10 20:00:00,"
        "10.0,false,1,Serious illness,Fulfilled: penalty waived"
    )
    assert len([line for line in lines if line]) == 8


def test_every_report_gives_the_same_rows_as_csv_and_as_query(dataset):
    for name in REPORTS:
        from_csv = csv_rows(name)
        from_query = rows(name)
        assert len(from_csv) == len(from_query), name
        columns = {column.name: column for column in REPORTS[name].columns}
        for text_row, value_row in zip(from_csv, from_query, strict=True):
            for column, text in text_row.items():
                if column.endswith("_label"):  # a code's words, after the columns
                    code = value_row[column.removesuffix("_label")]
                    assert text == columns[column.removesuffix("_label")].label_of(code)
                    continue
                expected = writers.csv_text(columns[column].kind, value_row[column])
                assert text == ("" if expected is None else expected), (name, column)


def test_a_download_and_a_background_file_carry_the_same_csv(dataset):
    """A download streams the rows through Python's csv module; a background file on
    PostgreSQL is written by COPY. Field by field they agree, for every report."""
    dataset.borrower.name = "=HYPERLINK(1)"  # defused the same way by both
    dataset.borrower.save()
    for name in REPORTS:
        report = REPORTS[name]
        streamed = b"".join(writers.csv_chunks(report, report.queryset(RANGE)))
        out = io.BytesIO()
        writers.write_csv(report, report.queryset(RANGE), out)
        assert streamed.startswith(writers.BOM) and out.getvalue().startswith(writers.BOM)
        as_streamed = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"))))
        as_written = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
        assert as_streamed == as_written, name


def test_names_phones_and_ids_are_masked_unless_asked_unmasked(dataset):
    masked = rows("applications")[0]
    full = rows("applications", unmasked=True)[0]
    assert (full["borrower_name"], full["borrower_phone"]) == ("张三丰", "13812345678")
    assert (full["borrower_external_id"], full["loan_external_id"]) == (
        "B-0001234",
        "L-2025-000001",
    )
    assert masked["borrower_phone"] == mask_phone("13812345678")
    assert "三" not in str(masked) and "13812345678" not in str(masked)


@pytest.mark.parametrize("phone", ["", "123", "123456", "1234567", "13812345678", "+8613812345678"])
def test_phone_mask_in_sql_is_the_product_rule(dataset, phone):
    dataset.borrower.phone = phone
    dataset.borrower.save()
    assert rows("applications")[0]["borrower_phone"] == mask_phone(phone)


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused_in_csv(dataset):
    dataset.borrower.name = "=HYPERLINK(1)"
    dataset.borrower.save()
    row = csv_rows("applications", unmasked=True)[0]
    assert row["borrower_name"] == "'=HYPERLINK(1)"
    masked = csv_rows("applications")[0]
    assert masked["borrower_name"].startswith("'=")
