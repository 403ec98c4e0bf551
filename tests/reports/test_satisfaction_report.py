"""The satisfaction reports on the known data set (conftest.py), worked out by hand.

Answers given: a1 (fulfilled, January, serious illness) 5 after the decision, with a phone
number in the comment, and 4 after the waiver; a3 (rejected, January, drop in income) 2,
with an ID number; a4 (accepted, February, serious illness) 4. a2 (January, accident) and
a7 (February, family emergency) were approved and did not answer. a5 (withdrawn) and a6
(in review) were never asked; the two applications outside the range are left out.
"""

import io
import json
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.utils import translation
from rest_framework.test import APIClient

from tests.reports.test_api import body
from tests.reports.test_queries import csv_rows, rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/{}/"
RANGE_QUERY = {"from": "2025-01-01", "to": "2025-02-28"}
NO_SCORES = {f"score_{score}": 0 for score in range(1, 6)}


def group(month, moment, outcome, reason, asked, answered, rate, mean, **scores):
    return {
        "month": month,
        "moment": moment,
        "outcome": outcome,
        "reason": reason,
        "policy_version": 1,
        "asked": asked,
        "answered": answered,
        "response_rate_pct": rate,
        "mean_score": mean,
        **NO_SCORES,
        **scores,
    }


def test_satisfaction_by_month_moment_outcome_and_reason(answered):
    jan, feb = date(2025, 1, 1), date(2025, 2, 1)
    assert rows("satisfaction") == [
        group(jan, "decision", "approved", "accident", 1, 0, D("0.0"), None),
        group(
            jan, "decision", "approved", "serious_illness", 1, 1, D("100.0"), D("5.0"), score_5=1
        ),
        group(jan, "decision", "rejected", "income_drop", 1, 1, D("100.0"), D("2.0"), score_2=1),
        group(
            jan, "fulfilment", "fulfilled", "serious_illness", 1, 1, D("100.0"), D("4.0"), score_4=1
        ),
        group(feb, "decision", "approved", "family_emergency", 1, 0, D("0.0"), None),
        group(
            feb, "decision", "approved", "serious_illness", 1, 1, D("100.0"), D("4.0"), score_4=1
        ),
    ]


def test_the_csv_carries_the_same_figures_with_labels(answered):
    with translation.override("en"):
        parsed = csv_rows("satisfaction")
    assert len(parsed) == 6
    assert parsed[1]["moment"] == "decision" and parsed[1]["mean_score"] == "5.0"
    assert parsed[1]["moment_label"] == "After the decision"
    assert parsed[3]["outcome_label"] == "Fulfilled"


def test_comments_are_masked_unless_the_reader_may_see_them_whole(answered):
    masked = rows("satisfaction-comments")
    assert [row["comment"] for row in masked] == [
        "My ID **************0021 was checked twice",
        "Very kind. My phone is *******5678.",
    ]
    assert {row["application_id"] for row in masked} == {answered.a1.pk, answered.a3.pk}
    whole = rows("satisfaction-comments", unmasked=True)
    assert "13912345678" in whole[1]["comment"]
    assert "13912345678" not in "".join(row["comment"] for row in csv_rows("satisfaction-comments"))


def test_the_api_gives_the_report_in_every_format(ops, answered):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(ops)
    data = json.loads(body(client.get(URL.format("satisfaction"), RANGE_QUERY)))
    assert len(data["results"]) == 6
    xlsx = client.get(URL.format("satisfaction"), {**RANGE_QUERY, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(body(xlsx))).active
    table = list(sheet.iter_rows(values_only=True))
    assert len(table) == 1 + 6
    assert table[1][1:4] == ("After the decision", "Approved", "Accident")
    comments = client.get(URL.format("satisfaction-comments"), {**RANGE_QUERY, "format": "csv"})
    assert "*******5678" in body(comments).decode("utf-8-sig")
