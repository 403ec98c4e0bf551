"""The ops dashboard's Outcomes panel on the known data set (conftest.py), worked out by hand.

Satisfaction (the answers of test_satisfaction_report.py): asked after the decision, the
decided a1, a2, a4, a7 (approved) and a3 (rejected); after the waiver, a1 (fulfilled).
Answered: a1 5 after the decision (a phone number in the comment) and 4 after the waiver, a3 2
(an ID number in the comment), a4 4. So approved 2 of 4 (50.0%, mean (5 + 4) / 2 = 4.5),
rejected 1 of 1 (2.0), fulfilled 1 of 1 (4.0); all 4 of 6 (66.7%, mean 15 / 4 = 3.75 → 3.8).

Repayment (seen today, every window long past): approved a1 (repaid 10 days after the
decision), a2 and a4 (never), a7 (6 days after): 2 of 4 within 30, 60 and 90 days; rejected
a3 (40 days after): 0 of 1 within 30 days, 1 of 1 within 60 and 90.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports.dashboard import Figure
from reports.dashboard_prevention import outreach_panel
from tests.reports.conftest import grant_unmasked

pytestmark = pytest.mark.django_db

URL = "/ops/?from=2025-01-01&to=2025-02-28"


def page(client, user, language="en"):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(URL)
    assert response.status_code == 200
    return response


def outcomes(client, user, language="en"):
    return page(client, user, language).context["outcomes"]


def table(panel) -> dict[str, list[str]]:
    """Each row of the panel's table by its first cell, the cells as shown."""
    rows = [*panel.rows, *(row for _heading, rows in panel.groups for row in rows)]
    return {str(row[0]): [str(cell) for cell in row[1:]] for row in rows}


def marked(panel) -> set[tuple[str, int]]:
    """(row, column) of the figures marked as too few cases to read as a trend."""
    rows = [*panel.rows, *(row for _heading, rows in panel.groups for row in rows)]
    return {
        (str(row[0]), column)
        for row in rows
        for column, cell in enumerate(row[1:], start=1)
        if isinstance(cell, Figure) and cell.few
    }


def test_satisfaction_by_outcome_reason_policy_and_month_with_counts(client, ops, answered):
    panel = outcomes(client, ops).satisfaction
    assert panel.headers == [
        "Group",
        "Asked",
        "Answered",
        "Response rate",
        "Mean score",
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    #                       asked answered rate    mean   1    2    3    4    5
    assert table(panel) == {
        "All": ["6", "4", "66.7%", "3.8", "0", "1", "0", "2", "1"],
        "Approved": ["4", "2", "50.0%", "4.5", "0", "0", "0", "1", "1"],
        "Rejected": ["1", "1", "100.0%", "2.0", "0", "1", "0", "0", "0"],
        "Fulfilled": ["1", "1", "100.0%", "4.0", "0", "0", "0", "1", "0"],
        # a1 twice and a4: (5 + 4 + 4) / 3 = 4.33
        "Serious illness": ["3", "3", "100.0%", "4.3", "0", "0", "0", "2", "1"],
        "Accident": ["1", "0", "0.0%", "–", "0", "0", "0", "0", "0"],
        "Drop in income": ["1", "1", "100.0%", "2.0", "0", "1", "0", "0", "0"],
        "Family emergency": ["1", "0", "0.0%", "–", "0", "0", "0", "0", "0"],
        "Policy v1": ["6", "4", "66.7%", "3.8", "0", "1", "0", "2", "1"],
        # January: a1 twice, a2, a3 → (5 + 4 + 2) / 3; February: a4, a7.
        "2025-01": ["4", "3", "75.0%", "3.7", "0", "1", "0", "1", "1"],
        "2025-02": ["2", "1", "50.0%", "4.0", "0", "0", "0", "1", "0"],
    }
    assert [heading for heading, _rows in panel.groups] == [
        "By outcome",
        "By reason",
        "By policy version",
        "By month of submission",
    ]


def test_the_panel_and_the_export_give_the_same_mean_and_rate(client, ops, answered):
    """A group of the export's rows, summed again by the panel, keeps the export's figures."""
    from tests.reports.test_queries import rows

    exported = [row for row in rows("satisfaction") if row["reason"] == "income_drop"]
    assert len(exported) == 1
    shown = table(outcomes(client, ops).satisfaction)["Drop in income"]
    assert shown[2:4] == [f"{exported[0]['response_rate_pct']}%", str(exported[0]["mean_score"])]


def test_repaid_within_30_60_and_90_days_approved_against_rejected(client, ops, dataset):
    repayment = outcomes(client, ops).panels[0]
    assert repayment.key == "repayment"
    assert repayment.headers == [
        "Outcome",
        "Decided",
        "Within 30 days",
        "Within 60 days",
        "Within 90 days",
    ]
    assert table(repayment) == {
        "Approved": ["4", "50.0% (2/4)", "50.0% (2/4)", "50.0% (2/4)"],
        "Rejected": ["1", "0.0% (0/1)", "100.0% (1/1)", "100.0% (1/1)"],
    }


def test_figures_over_fewer_cases_than_the_threshold_are_marked(client, ops, answered, settings):
    """With a threshold of 2: a rate over 1 asked, a mean over 1 answer, a share of 1 case
    are marked; those over 2 or more are not, nor a figure there is none of."""
    settings.REPORTS_FEW_CASES = 2
    found = outcomes(client, ops)
    assert {row for row, column in marked(found.satisfaction) if column == 3} == {
        "Rejected",
        "Fulfilled",
        "Accident",
        "Drop in income",
        "Family emergency",
    }
    # Means over one answer; where nobody answered there is no mean ("–") to mark.
    assert {row for row, column in marked(found.satisfaction) if column == 4} == {
        "Rejected",
        "Fulfilled",
        "Drop in income",
        "2025-02",
    }
    assert marked(found.panels[0]) == {("Rejected", 2), ("Rejected", 3), ("Rejected", 4)}

    settings.REPORTS_FEW_CASES = 1
    found = outcomes(client, ops)
    assert marked(found.satisfaction) == set()
    assert marked(found.panels[0]) == set()


def test_the_marks_are_visible_on_the_page_with_their_meaning(client, ops, answered):
    html = page(client, ops).content.decode()
    section = html[html.index('id="outcomes"') : html.index('id="reports"')]
    # Every figure of the data set rests on fewer than 30 cases.
    assert section.count('class="num few"') > 10
    assert "Fewer than 30 cases: too few to read as a trend." in section
    chart = section[section.index('id="chart-repayment"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'fill-opacity="0.4"' in chart and ">50%*</text>" in chart


def test_the_latest_comments_are_masked_even_for_those_who_may_export_them_whole(client, answered):
    from tests.factories import UserFactory

    lead = grant_unmasked(UserFactory(username="ops-lead", groups=["Ops"]))
    response = page(client, lead)
    shown = response.context["outcomes"].comments
    assert [(comment.score, comment.text) for comment in shown] == [
        (2, "My ID **************0021 was checked twice"),
        (5, "Very kind. My phone is *******5678."),
    ]
    html = response.content.decode()
    assert "13912345678" not in html and "110105194912310021" not in html
    # The export of every comment is one button away, for the same range.
    comments = html[html.index('id="satisfaction-comments"') :]
    comments = comments[: comments.index("</section>")]
    assert 'name="report" value="satisfaction-comments"' in comments
    assert 'name="from" value="2025-01-01"' in comments


def test_the_outcomes_panel_in_chinese_and_in_english(client, ops, answered):
    english = page(client, ops, "en").content.decode()
    for text in (
        ">Outcomes</h2>",
        "Satisfaction with how requests were handled",
        "What borrowers wrote",
        "Repaid within 30, 60 and 90 days of the decision",
        "Outreach against the holdout: installments paid on time",
    ):
        assert text in english
    chinese = page(client, ops, "zh-hans").content.decode()
    for text in (
        ">成效</h2>",
        "借款人对申请处理的满意度",
        "借款人的留言",
        "决定后 30、60、90 天内还清",
        "按原因",
        "少于 30 个案例：太少，不能看作趋势。",
    ):
        assert text in chinese
    assert "Satisfaction with how requests were handled" not in chinese


def test_the_outreach_rates_over_few_installments_are_marked():
    row = {
        "model_version": 1,
        "contacted": 40,
        "contacted_on_time": 30,
        "contacted_on_time_pct": 75,
        "held_out": 4,
        "held_out_on_time": 2,
        "held_out_on_time_pct": 50,
        "difference_pts": 25,
        "ci_low_pts": -25,
        "ci_high_pts": 75,
    }
    with translation.override("en"):
        panel = outreach_panel([row])
    # Contacted: 40, enough; held out: 4, too few, and so the difference and its interval.
    assert marked(panel) == {("Risk model v1", 2), ("Risk model v1", 3), ("Risk model v1", 4)}


@pytest.mark.parametrize("who", ["reviewer", "borrower"])
def test_only_ops_see_the_panel(client, answered, who):
    user = getattr(answered, who)
    user = getattr(user, "user", user)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 403
    assert "Very kind" not in response.content.decode()
    client.logout()
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_the_panel_reads_satisfaction_in_two_queries_whatever_the_answers(client, ops, answered):
    """The `satisfaction` report (one query, the answers joined to the cases asked) and the
    latest comments (one, limited); repayment comes from the effectiveness read."""
    client.force_login(ops)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if "relief_satisfactionanswer" in q["sql"]]
    assert len(reads) == 2
    assert any("LIMIT 5" in sql for sql in reads)


def test_the_dashboards_figures_by_bucket_reason_and_month_are_the_reports(dataset):
    """Summed from one read of cells, the buckets', reasons' and months' figures are those
    the monthly summary's SQL gives each group (approval rate, mean relief, amounts)."""
    from datetime import UTC, datetime

    from reports.queries import outcome_summary
    from reports.selectors import dashboard
    from tests.reports.conftest import RANGE

    data = dashboard(RANGE, now=datetime(2025, 3, 1, tzinfo=UTC))
    names = ("applications", "approved", "rejected", "approval_rate", "mean_percent")
    money = ("total_relief", "total_waived")
    for field, shown in (("bucket_at_submission", data.by_bucket), ("reason", data.by_reason)):
        expected = [
            {"key": row[field], **{name: row[f"r_{name}"] for name in (*names, *money)}}
            for row in outcome_summary(RANGE, field)
        ]
        assert shown == expected, field
    months = {row["r_month"]: row for row in outcome_summary(RANGE, "r_month")}
    for row in data.by_month:
        assert {name: row[name] for name in names} == {
            name: months[row["month"]][f"r_{name}"] for name in names
        }
