"""The dashboard's panels: a chart and the table beside it, from reports.selectors' figures.

Presentation only: labels in the reader's language, numbers formatted, SVG drawn by
reports.charts (which escapes every text it is given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relief.models import HardshipReason
from relief.presentation import arrangement_term_label
from reports import charts
from reports.outcomes import few
from reports.selectors import Dashboard


@dataclass(frozen=True)
class Figure:
    """A table's figure (a share, a mean) and whether it rests on too few cases to read as a
    trend (fewer than REPORTS_FEW_CASES: `reports.outcomes.few`): the page marks those."""

    text: str
    few: bool = False

    def __str__(self) -> str:
        return self.text


def figure(text: str, value: Any, count: int | None) -> Figure:
    """`value` shown as `text`, marked when it rests on fewer than REPORTS_FEW_CASES cases;
    no figure at all ("–") is not marked."""
    return Figure(text, value is not None and few(count))


@dataclass
class Panel:
    key: str
    title: str
    description: str
    chart: SafeString
    headers: list[str]
    rows: list[list[str | Figure]] = field(default_factory=list)
    tall: bool = False  # a long table: scrolls inside its box
    # Rows under subheadings (a heading, its rows), shown after `rows`.
    groups: list[tuple[str, list[list[str | Figure]]]] = field(default_factory=list)
    level: int = 2  # the heading's level: 3 for a panel inside a section of panels

    @property
    def body(self) -> list[dict[str, Any]]:
        """The table as the template writes it: its row groups (`heading`, "" for the rows
        before the first; `rows`), each row its `head` and its `cells`' markup."""
        groups = [("", self.rows)] if self.rows else []
        mark = format_html(FEW_MARK, _("too few cases to read as a trend"))
        return [
            {
                "heading": heading,
                "rows": [{"head": str(row[0]), "cells": cells_html(row[1:], mark)} for row in rows],
            }
            for heading, rows in [*groups, *self.groups]
        ]

    @property
    def has_few(self) -> bool:
        """Whether a figure of the table is marked as resting on too few cases."""
        rows = [*self.rows, *(row for _heading, rows in self.groups for row in rows)]
        return any(isinstance(cell, Figure) and cell.few for row in rows for cell in row)


# After a figure over too few cases: "*" to see, the words for screen readers.
FEW_MARK = (
    '<span class="few-mark" aria-hidden="true">*</span><span class="visually-hidden"> ({})</span>'
)


def cells_html(cells: list[str | Figure], mark: SafeString) -> SafeString:
    """A row's figures as table cells, each text escaped by `format_html`; one over too few
    cases muted and followed by `mark`. Written here, not cell by cell in the template: the
    dashboard's tables hold hundreds of cells, and a template loop over them took most of the
    page's rendering time."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<td class="num few">{}{}</td>', cell.text, mark)
                if isinstance(cell, Figure) and cell.few
                else format_html('<td class="num">{}</td>', cell),
            )
            for cell in cells
        ),
    )


def outcome_label(name: str) -> str:
    return {
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "withdrawn": _("Withdrawn"),
        "open": _("In progress"),
    }.get(name, name)


def reason_label(code: str) -> str:
    try:
        return str(HardshipReason(code).label)
    except ValueError:
        return code


def show(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal | float):
        places = 2 if unit == "¥" else 1
        text = number_format(value, places, force_grouping=True)
    elif isinstance(value, int):
        # Below a thousand there is nothing to group: most of the tables' counts.
        text = str(value) if -1000 < value < 1000 else number_format(value, force_grouping=True)
    else:
        text = str(value)
    if unit == "¥":
        return f"¥{text}"
    return f"{text}{unit}"


def safe_chart(svg: str) -> SafeString:
    # Safe: reports.charts escapes every text it writes.
    return mark_safe(svg)  # noqa: S308  # nosec B308, B703  # charts.py escapes all text


def summary(data: Dashboard) -> list[tuple[str, str]]:
    totals = data.totals

    def repaid_30(outcome: str) -> str:
        repaid = data.repaid.get(outcome)
        return show(repaid.rate(30) if repaid else None, "%")

    return [
        (_("Applications"), show(totals["applications"])),
        (_("Approval rate"), show(totals["approval_rate"], "%")),
        (_("Mean relief"), show(totals["mean_percent"], "%")),
        (_("Relief granted"), show(totals["total_relief"], "¥")),
        (
            _("Decision time breached"),
            f"{show(totals['breached'])} / {show(totals['manual'])}",
        ),
        (
            _("Repaid within 30 days: approved / rejected"),
            f"{repaid_30('approved')} / {repaid_30('rejected')}",
        ),
    ]


def panels(data: Dashboard) -> list[Panel]:
    no_data = _("No applications in this range")
    result = []

    # Applications per day (or week) by outcome.
    categories = [row["label"] for row in data.by_period]
    by_week = data.granularity == "week"
    title = (
        _("Applications per week by outcome") if by_week else _("Applications per day by outcome")
    )
    result.append(
        Panel(
            key="per-period",
            title=title,
            description=_("By date of submission; the outcome as it stands today."),
            chart=safe_chart(
                charts.bar_chart(
                    categories,
                    [
                        charts.Series(outcome_label(name), [row[name] for row in data.by_period])
                        for name in ("approved", "rejected", "withdrawn", "open")
                    ],
                    title=title,
                    chart_id="chart-per-period",
                    stacked=True,
                    no_data=no_data,
                )
            ),
            headers=[
                _("Week of") if by_week else _("Day"),
                *(outcome_label(name) for name in ("approved", "rejected", "withdrawn", "open")),
                _("Total"),
            ],
            rows=[
                [
                    row["period"].isoformat(),
                    *(
                        show(row[name])
                        for name in ("approved", "rejected", "withdrawn", "open", "total")
                    ),
                ]
                for row in data.by_period
            ],
            tall=True,
        )
    )

    # Approval rate and mean relief by bucket and by reason.
    for key, rows, title, label_of, head in (
        (
            "by-bucket",
            data.by_bucket,
            _("Approval rate and mean relief by DPD bucket"),
            str,
            _("Bucket"),
        ),
        (
            "by-reason",
            data.by_reason,
            _("Approval rate and mean relief by reason"),
            reason_label,
            _("Reason"),
        ),
    ):
        labels = [label_of(row["key"]) for row in rows]
        result.append(
            Panel(
                key=key,
                title=title,
                description=_(
                    "Approval rate: approved ÷ (approved + rejected). Mean relief: the mean "
                    "decided percent of the approved."
                ),
                chart=safe_chart(
                    charts.bar_chart(
                        labels,
                        [
                            charts.Series(_("Approval rate"), [r["approval_rate"] for r in rows]),
                            charts.Series(_("Mean relief"), [r["mean_percent"] for r in rows]),
                        ],
                        title=title,
                        chart_id=f"chart-{key}",
                        unit="%",
                        axis_max=100,
                        no_data=no_data,
                    )
                ),
                headers=[
                    head,
                    _("Applications"),
                    _("Approved"),
                    _("Rejected"),
                    _("Approval rate"),
                    _("Mean relief"),
                ],
                rows=[
                    [
                        label,
                        show(row["applications"]),
                        show(row["approved"]),
                        show(row["rejected"]),
                        show(row["approval_rate"], "%"),
                        show(row["mean_percent"], "%"),
                    ]
                    for label, row in zip(labels, rows, strict=True)
                ],
            )
        )

    # Relief per month.
    months = [f"{row['month']:%Y-%m}" for row in data.by_month]
    title = _("Relief per month")
    result.append(
        Panel(
            key="relief-per-month",
            title=title,
            description=_(
                "Relief granted by the approvals of the applications submitted that month, and "
                "what was waived once the borrowers repaid."
            ),
            chart=safe_chart(
                charts.bar_chart(
                    months,
                    [
                        charts.Series(_("Granted"), [r["total_relief"] for r in data.by_month]),
                        charts.Series(_("Waived"), [r["total_waived"] for r in data.by_month]),
                    ],
                    title=title,
                    chart_id="chart-relief-per-month",
                    no_data=no_data,
                )
            ),
            headers=[_("Month"), _("Approved"), _("Granted"), _("Waived")],
            rows=[
                [
                    month,
                    show(row["approved"]),
                    show(row["total_relief"], "¥"),
                    show(row["total_waived"], "¥"),
                ]
                for month, row in zip(months, data.by_month, strict=True)
            ],
        )
    )

    # Decision-time (SLA) breaches.
    title = _("Decision time breaches")
    result.append(
        Panel(
            key="sla",
            title=title,
            description=_(
                "Cases sent to a reviewer, by month of submission: decided within the 48 hours "
                "or not (escalated, decided late, or still waiting past the time)."
            ),
            chart=safe_chart(
                charts.bar_chart(
                    months,
                    [
                        charts.Series(_("Within time"), [r["within"] for r in data.sla]),
                        charts.Series(_("Breached"), [r["breached"] for r in data.sla]),
                    ],
                    title=title,
                    chart_id="chart-sla",
                    stacked=True,
                    no_data=_("No cases went to a reviewer in this range"),
                )
            ),
            headers=[_("Month"), _("Sent to a reviewer"), _("Breached"), _("Share breached")],
            rows=[
                [
                    month,
                    show(row["manual"]),
                    show(row["breached"]),
                    show(row["breached_pct"], "%"),
                ]
                for month, row in zip(months, data.sla, strict=True)
            ],
        )
    )

    # Effectiveness.
    buckets = sorted({row["bucket_at_submission"] for row in data.effectiveness})
    rate = {
        (row["bucket_at_submission"], row["outcome"]): row["repaid_30d_pct"]
        for row in data.effectiveness
    }
    title = _("Loans repaid within 30 days of the decision")
    result.append(
        Panel(
            key="effectiveness",
            title=title,
            description=_(
                "Share of decided cases whose overdue installments were all paid off within 30 "
                "days of the decision, approved against rejected. Only cases decided at least "
                "30 days ago count; those whose repayment arrangement started are measured by "
                "their plan installments paid on time instead."
            ),
            chart=safe_chart(
                charts.bar_chart(
                    buckets,
                    [
                        charts.Series(
                            outcome_label(outcome), [rate.get((b, outcome)) for b in buckets]
                        )
                        for outcome in ("approved", "rejected")
                    ],
                    title=title,
                    chart_id="chart-effectiveness",
                    unit="%",
                    axis_max=100,
                    no_data=effectiveness_no_data(data.effectiveness),
                )
            ),
            headers=[
                _("Bucket"),
                _("Outcome"),
                _("Decided"),
                _("Repaid in 30 days"),
                _("Repaid in 60 days"),
                _("Repaid in 90 days"),
                _("Plan installments paid on time"),
            ],
            rows=[
                [
                    row["bucket_at_submission"],
                    outcome_label(row["outcome"]),
                    show(row["cases"]),
                    *(
                        f"{show(row[f'repaid_{days}d_pct'], '%')} "
                        f"({show(row[f'repaid_{days}d'])}/{show(row[f'observed_{days}d'])})"
                        for days in (30, 60, 90)
                    ),
                    f"{show(row['plan_installments_on_time_pct'], '%')} "
                    f"({show(row['plan_installments_on_time'])}"
                    f"/{show(row['plan_installments_due'])})",
                ]
                for row in data.effectiveness
            ],
        )
    )
    result.append(arrangements_panel(data))
    return result


def arrangements_panel(data: Dashboard) -> Panel:
    """Repayment arrangements by option: how many started, and how they stand now."""
    rows = data.arrangements
    labels = [arrangement_term_label(row["kind"], row["term"]) for row in rows]
    title = _("Repayment arrangements")
    return Panel(
        key="arrangements",
        title=title,
        description=_(
            "Plans and deferrals asked for in the applications submitted in this range, by "
            "option: those started, as they stand now (active, completed or broken)."
        ),
        chart=safe_chart(
            charts.bar_chart(
                labels,
                [
                    charts.Series(_("Active"), [row["active"] for row in rows]),
                    charts.Series(_("Completed"), [row["completed"] for row in rows]),
                    charts.Series(_("Broken"), [row["broken"] for row in rows]),
                ],
                title=title,
                chart_id="chart-arrangements",
                stacked=True,
                no_data=_("No repayment arrangements in this range"),
            )
        ),
        headers=[
            _("Option"),
            _("Arrangements asked for"),
            _("Started"),
            _("Active"),
            _("Completed"),
            _("Broken"),
            _("Share broken"),
            _("Total arranged"),
            _("Paid on them"),
        ],
        rows=[
            [
                label,
                show(row["asked"]),
                show(row["started"]),
                show(row["active"]),
                show(row["completed"]),
                show(row["broken"]),
                show(row["broken_pct"], "%"),
                show(row["total"], "¥"),
                show(row["paid"], "¥"),
            ]
            for label, row in zip(labels, rows, strict=True)
        ],
    )


def effectiveness_no_data(rows: list[dict[str, Any]]) -> str:
    """Why the repaid-within-30-days chart has nothing to draw: no decided case at all, or
    cases decided too recently for the 30 days to have passed (the table lists them)."""
    decided = sum(row["cases"] for row in rows)
    if not decided:
        return _("No decided cases in this range")
    return ngettext(
        "%(count)s case, decided less than 30 days ago",
        "%(count)s cases, all decided less than 30 days ago",
        decided,
    ) % {"count": decided}
