"""The arrangements report and the effectiveness report's plan installments, against a known
data set worked out by hand (times Asia/Shanghai; seen from 2025-06-30)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from loans.models import Arrangement, Installment
from relief.models import ApplicationStatus, ReliefApplication
from reports.queries import REPORTS
from tests.factories import BorrowerFactory
from tests.reports.conftest import RANGE, SHANGHAI, application, loan_for, local

pytestmark = pytest.mark.django_db
D = Decimal
S = ApplicationStatus
NOW = datetime(2025, 6, 30, 12, tzinfo=SHANGHAI)
MONTHLY = [date(2025, month, 15) for month in range(2, 13)] + [date(2026, 1, 15)]


def arranged(
    loan,
    *,
    submitted,
    status,
    kind,
    term,
    arrangement_status,
    total,
    interest="0.00",
    waived="0.00",
    bucket="M1",
    started_on=None,
):
    """An application asking for an arrangement, decided two days after submission."""
    record = application(
        loan,
        submitted=submitted,
        status=status,
        reason="income_drop",
        dpd=20 if bucket == "M1" else 40,
        bucket=bucket,
        suggested=50,
        penalty="20.00",
        decided_at=submitted + timedelta(days=2) if status != S.IN_REVIEW else None,
        waived=waived,
    )
    arrangement = Arrangement.objects.create(
        loan=loan,
        kind=kind,
        periods=term if kind == "plan" else None,
        months=term if kind == "deferral" else None,
        asked_kind=kind,
        asked_term=term,
        status=arrangement_status,
        installment_amount=D(total) / term if kind == "plan" else D(total),
        total=D(total),
        moved=D(total) - D(interest),
        extra_interest=D(interest),
        break_after_days=30,
        observation_months=12,
        started_on=started_on,
    )
    ReliefApplication.objects.filter(pk=record.pk).update(arrangement=arrangement)
    return arrangement


def plan_installments(arrangement, amounts, *, paid_late=(), unpaid=(), due_dates=MONTHLY):
    """The plan's installments, due on `due_dates` (grace 3 days); paid on the due date, or
    5 days after the grace days (`paid_late`), or not at all (`unpaid`), by index."""
    for index, amount in enumerate(amounts):
        due = due_dates[index]
        paid_on = None if index in unpaid else due + timedelta(days=8 if index in paid_late else 0)
        Installment.objects.create(
            loan=arrangement.loan,
            seq=100 + index,
            kind=Installment.Kind.PLAN,
            arrangement=arrangement,
            due_date=due,
            grace_ends_on=due + timedelta(days=3),
            principal_due=D(amount),
            interest_due=D("0.00"),
            principal_paid=D("0.00") if paid_on is None else D(amount),
            paid_off_on=paid_on,
            accrues_penalty=False,
        )


@dataclass
class Arranged:
    p1: Arrangement
    p2: Arrangement
    p3: Arrangement
    d1: Arrangement


@pytest.fixture
def arranged_set(db) -> Arranged:
    """app  submitted  status     bucket  asked        arrangement  total     waived
    p1   01-10      fulfilled  M1      plan 6       active       2005.32   21.28
    p2   01-20      fulfilled  M1      plan 3       completed     600.00
    c1   01-25      rejected   M1      plan 3       cancelled        –
    p3   02-05      fulfilled  M2      plan 12      broken       1200.00   (CARD24)
    d1   02-10      fulfilled  M1      deferral 1   active       2025.50   interest 25.50
    x1   02-12      in_review  M1      plan 6       proposed         –
    o1   03-02      fulfilled  M1      plan 6       active (outside the range)

    Plan installments (grace 3 days; counted once their grace ended before 06-30):
    p1: six of 334.22 due 02-15 … 07-15: the first three paid on time, the fourth late, the
        fifth unpaid → 5 counted, 3 on time; paid 4 × 334.22 = 1,336.88.
    p2: three of 200.00 due 02-15 … 04-15, paid on time → 3 counted, 3 on time.
    p3: twelve of 100.00; the first paid on time (03-15), the rest brought to 05-07 when the
        plan broke, unpaid → 12 counted, 1 on time; paid 100.00.
    d1: its rescheduled installment has 500.00 of principal paid.
    """
    borrower = BorrowerFactory(user__username="li", name="李四", phone="13912345678")
    started = date(2025, 1, 12)
    p1 = arranged(
        loan_for(borrower, first_due=date(2024, 12, 20)),
        submitted=local(2025, 1, 10, 10),
        status=S.FULFILLED,
        kind="plan",
        term=6,
        arrangement_status="active",
        total="2005.32",
        waived="21.28",
        started_on=started,
    )
    plan_installments(p1, ["334.22"] * 6, paid_late=(3,), unpaid=(4, 5))
    p2 = arranged(
        loan_for(borrower, first_due=date(2024, 12, 20)),
        submitted=local(2025, 1, 20, 10),
        status=S.FULFILLED,
        kind="plan",
        term=3,
        arrangement_status="completed",
        total="600.00",
        started_on=started,
    )
    plan_installments(p2, ["200.00"] * 3)
    arranged(
        loan_for(borrower, first_due=date(2024, 12, 20)),
        submitted=local(2025, 1, 25, 10),
        status=S.REJECTED,
        kind="plan",
        term=3,
        arrangement_status="cancelled",
        total="700.00",
    )
    p3 = arranged(
        loan_for(borrower, first_due=date(2025, 1, 1), code="CARD24"),
        submitted=local(2025, 2, 5, 10),
        status=S.FULFILLED,
        kind="plan",
        term=12,
        arrangement_status="broken",
        total="1200.00",
        bucket="M2",
        started_on=date(2025, 2, 7),
    )
    broken_on = date(2025, 5, 7)
    plan_installments(
        p3,
        ["100.00"] * 12,
        unpaid=tuple(range(1, 12)),
        due_dates=[date(2025, 3, 15)] + [broken_on] * 11,
    )
    d1_loan = loan_for(borrower, first_due=date(2025, 1, 25))
    d1 = arranged(
        d1_loan,
        submitted=local(2025, 2, 10, 10),
        status=S.FULFILLED,
        kind="deferral",
        term=1,
        arrangement_status="active",
        total="2025.50",
        interest="25.50",
        started_on=date(2025, 2, 12),
    )
    Installment.objects.filter(loan=d1_loan, seq=1).update(
        arrangement=d1, due_date=date(2025, 2, 25), principal_paid=D("500.00")
    )
    arranged(
        loan_for(borrower, first_due=date(2025, 1, 25)),
        submitted=local(2025, 2, 12, 10),
        status=S.IN_REVIEW,
        kind="plan",
        term=6,
        arrangement_status="proposed",
        total="1000.00",
    )
    outside = arranged(
        loan_for(borrower, first_due=date(2025, 2, 1)),
        submitted=local(2025, 3, 2, 10),
        status=S.FULFILLED,
        kind="plan",
        term=6,
        arrangement_status="active",
        total="600.00",
        started_on=date(2025, 3, 4),
    )
    plan_installments(outside, ["100.00"] * 6)
    return Arranged(p1=p1, p2=p2, p3=p3, d1=d1)


def rows(name, filters=RANGE):
    report = REPORTS[name]
    return [
        dict(zip(report.column_names, row, strict=True))
        for row in report.queryset(filters, now=NOW)
    ]


def test_arrangements_by_month_kind_term_and_product_as_they_stand(arranged_set):
    """Plans of 3 in January: p2 completed and c1 never started (asked 2, started 1)."""
    figures = [
        {key: value for key, value in row.items() if key != "month"}
        | {"month": f"{row['month']:%Y-%m}"}
        for row in rows("arrangements")
    ]
    zero = D("0.00")
    assert figures == [
        {
            "month": "2025-01", "kind": "plan", "term": 3, "product": "CASH18",
            "asked": 2, "started": 1, "active": 0, "completed": 1, "broken": 0,
            "broken_pct": D("0.0"), "moved": D("600.00"), "extra_interest": zero,
            "total": D("600.00"), "relief_waived": zero, "paid": D("600.00"),
        },
        {
            "month": "2025-01", "kind": "plan", "term": 6, "product": "CASH18",
            "asked": 1, "started": 1, "active": 1, "completed": 0, "broken": 0,
            "broken_pct": D("0.0"), "moved": D("2005.32"), "extra_interest": zero,
            "total": D("2005.32"), "relief_waived": D("21.28"), "paid": D("1336.88"),
        },
        {
            "month": "2025-02", "kind": "deferral", "term": 1, "product": "CASH18",
            "asked": 1, "started": 1, "active": 1, "completed": 0, "broken": 0,
            "broken_pct": D("0.0"), "moved": D("2000.00"), "extra_interest": D("25.50"),
            "total": D("2025.50"), "relief_waived": zero, "paid": D("500.00"),
        },
        {
            "month": "2025-02", "kind": "plan", "term": 6, "product": "CASH18",
            "asked": 1, "started": 0, "active": 0, "completed": 0, "broken": 0,
            "broken_pct": None, "moved": zero, "extra_interest": zero,
            "total": zero, "relief_waived": zero, "paid": zero,
        },
        {
            "month": "2025-02", "kind": "plan", "term": 12, "product": "CARD24",
            "asked": 1, "started": 1, "active": 0, "completed": 0, "broken": 1,
            "broken_pct": D("100.0"), "moved": D("1200.00"), "extra_interest": zero,
            "total": D("1200.00"), "relief_waived": zero, "paid": D("100.00"),
        },
    ]  # fmt: skip


def test_arrangements_filter_by_product(arranged_set):
    from dataclasses import replace

    result = rows("arrangements", replace(RANGE, product="CARD24"))
    assert [(row["kind"], row["term"], row["broken"]) for row in result] == [("plan", 12, 1)]


def test_effectiveness_counts_plan_installments_paid_on_time(arranged_set):
    """M1 approved: p1 (5 counted, 3 on time), p2 (3, 3), d1 (no plan installments) → 8 and
    6, 75%; M2 approved: p3, 12 and 1 → 8.3%. Cases whose arrangement started are measured
    by it, not by the windows: M1 approved observes none of its three; c1's arrangement never
    started, so it counts in the windows as before (its loan never repaid)."""
    result = {(row["bucket_at_submission"], row["outcome"]): row for row in rows("effectiveness")}
    m1 = result[("M1", "approved")]
    assert (m1["cases"], m1["arrangements_started"], m1["observed_30d"]) == (3, 3, 0)
    assert (m1["plan_installments_due"], m1["plan_installments_on_time"]) == (8, 6)
    assert m1["plan_installments_on_time_pct"] == D("75.0")
    m2 = result[("M2", "approved")]
    assert (m2["plan_installments_due"], m2["plan_installments_on_time"]) == (12, 1)
    assert m2["plan_installments_on_time_pct"] == D("8.3")
    rejected = result[("M1", "rejected")]
    assert (rejected["cases"], rejected["arrangements_started"], rejected["observed_30d"]) == (
        1,
        0,
        1,
    )
    assert rejected["repaid_30d"] == 0 and rejected["plan_installments_on_time_pct"] is None


def test_the_arrangements_report_is_the_same_as_csv(arranged_set):
    import csv
    import io

    from django.utils import translation

    from reports import writers

    report = REPORTS["arrangements"]
    out = io.BytesIO()
    with translation.override("en"):
        writers.write_csv(report, report.queryset(RANGE, now=NOW), out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [row["kind"] for row in parsed] == ["plan", "plan", "deferral", "plan", "plan"]
    assert parsed[2]["kind_label"] == "Deferral"
    assert parsed[1]["total"] == "2005.32" and parsed[3]["broken_pct"] == ""


def test_the_dashboard_panel_shows_each_option_started_and_how_it_stands(client, ops, arranged_set):
    """By option: the deferral of 1 month; plans of 3 (p2 completed, c1 never started), 6 (p1
    active, x1 waiting), 12 (p3 broken)."""
    client.force_login(ops)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/ops/", {"from": "2025-01-01", "to": "2025-02-28"})
    panel = next(p for p in response.context["panels"] if p.key == "arrangements")
    assert panel.rows == [
        ["A deferral of 1 month", "1", "1", "1", "0", "0", "0.0%", "¥2,025.50", "¥500.00"],
        ["A plan of 3 monthly installments", "2", "1", "0", "1", "0", "0.0%", "¥600.00", "¥600.00"],
        ["A plan of 6 monthly installments", "2", "1", "1", "0", "0", "0.0%", "¥2,005.32",
         "¥1,336.88"],
        ["A plan of 12 monthly installments", "1", "1", "0", "0", "1", "100.0%", "¥1,200.00",
         "¥100.00"],
    ]  # fmt: skip
    assert 'id="chart-arrangements"' in response.content.decode()


def test_the_arrangements_report_as_json_and_xlsx_from_the_api(ops, arranged_set):
    import io
    import json

    import openpyxl
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(ops)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = "/api/v1/reports/arrangements/"
    query = {"from": "2025-01-01", "to": "2025-02-28"}
    answer = client.get(url, query)
    data = json.loads(b"".join(answer.streaming_content))
    assert data["count"] == 5
    assert (data["results"][4]["kind"], data["results"][4]["broken"]) == ("plan", 1)
    assert data["results"][1]["total"] == "2005.32"
    workbook = client.get(url, {**query, "format": "xlsx"})
    content = b"".join(workbook.streaming_content) if workbook.streaming else workbook.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Month", "Kind", "Periods or months")
    assert rows[3][:4] == ("2025-02", "Deferral", 1, "CASH18")
