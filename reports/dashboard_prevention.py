"""The ops dashboard's prevention panels (domain.md §10): the risk model's last backtest,
and outreach against the holdout (shown in the Outcomes panel, `reports.dashboard_outcomes`).
Presentation only, like `reports.dashboard`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports import charts
from reports.dashboard import Panel, figure, safe_chart, show
from reports.outcomes import few
from reports.selectors import Dashboard
from risk.models import RiskBacktest, RiskBacktestLine, RiskLevel


def places(value: Decimal | None, count: int) -> str:
    """A ratio (an AUC, a lift) with its places, in the reader's number format."""
    return "–" if value is None else number_format(value, count)


def interval(low: Decimal | None, high: Decimal | None) -> str:
    if low is None or high is None:
        return "–"
    return _("%(low)s to %(high)s") % {"low": show(low), "high": show(high)}


def level_label(code: str) -> str:
    try:
        return str(RiskLevel(code).label)
    except ValueError:
        return code


def backtest_panel(backtest: RiskBacktest | None) -> Panel:
    title = _("Early warning: how the scores foretold missed installments")
    lines = list(backtest.lines.all()) if backtest else []
    levels = [line for line in lines if line.kind == RiskBacktestLine.Kind.LEVEL]
    deciles = [line for line in lines if line.kind == RiskBacktestLine.Kind.DECILE]
    if backtest is None:
        description = _("No backtest has been run yet (backtest_risk, or the nightly job).")
    else:
        description = _(
            "The last backtest of risk model v%(version)s: loans scored as of %(day)s with "
            "only what was known then, against their installments due in the next %(days)s "
            "days paid more than 3 days late or not at all (missed). AUC %(auc)s over "
            "%(loans)s loans, %(missed)s missed. Precision and recall: of flagging every loan "
            "at that level or above. Lift: how much more often a tenth of the loans, riskiest "
            "first, missed than all of them."
        ) % {
            "version": backtest.model.version,
            "day": backtest.as_of.isoformat(),
            "days": backtest.horizon_days,
            "auc": places(backtest.auc, 3),
            "loans": show(backtest.loans),
            "missed": show(backtest.missed),
        }
    decile_names = [_("Decile %(n)s") % {"n": line.position} for line in deciles]
    return Panel(
        key="risk-backtest",
        title=title,
        description=description,
        chart=safe_chart(
            charts.bar_chart(
                [str(line.position) for line in deciles],
                [charts.Series(_("Missed"), [line.miss_rate for line in deciles])],
                title=title,
                chart_id="chart-risk-backtest",
                unit="%",
                axis_max=100,
                no_data=_("No backtest yet"),
            )
        ),
        headers=[
            _("Level or decile"),
            _("Loans"),
            _("Missed"),
            _("Precision"),
            _("Recall"),
            _("Lift"),
        ],
        rows=[
            [
                level_label(line.group),
                show(line.loans),
                f"{show(line.missed)} ({show(line.miss_rate, '%')})",
                show(line.precision, "%"),
                show(line.recall, "%"),
                "–",
            ]
            for line in levels
        ]
        + [
            [
                f"{name} ({line.min_score}–{line.max_score})",
                show(line.loans),
                f"{show(line.missed)} ({show(line.miss_rate, '%')})",
                "–",
                "–",
                places(line.lift, 2),
            ]
            for name, line in zip(decile_names, deciles, strict=True)
        ],
        tall=True,
    )


def outreach_panel(rows: list[dict[str, Any]], *, level: int = 2) -> Panel:
    """On time, contacted against held out, by risk model version; a rate over fewer than
    REPORTS_FEW_CASES installments is marked, and the difference when either group is."""
    title = _("Outreach against the holdout: installments paid on time")
    versions = [_("Risk model v%(version)s") % {"version": row["model_version"]} for row in rows]
    return Panel(
        key="outreach-outcomes",
        title=title,
        description=_(
            "Installments of high-risk loans picked for outreach in this range whose grace days "
            "have ended: paid within them when the borrower was sent a message, against the "
            "holdout, which was sent none. The difference is in percentage points, with its 95% "
            "confidence interval; an interval that includes 0 shows no difference yet."
        ),
        chart=safe_chart(
            charts.bar_chart(
                versions,
                [
                    charts.Series(_("Contacted"), [row["contacted_on_time_pct"] for row in rows]),
                    charts.Series(_("Held out"), [row["held_out_on_time_pct"] for row in rows]),
                ],
                title=title,
                chart_id="chart-outreach-outcomes",
                unit="%",
                axis_max=100,
                no_data=_("No outreach with a known outcome in this range"),
                marked={
                    (index, slot)
                    for index, row in enumerate(rows)
                    for slot, count in enumerate((row["contacted"], row["held_out"]))
                    if few(count)
                },
            )
        ),
        headers=[
            _("Risk model"),
            _("Contacted: on time"),
            _("Held out: on time"),
            _("Difference (points)"),
            _("95% confidence interval"),
        ],
        rows=[
            [
                version,
                figure(
                    f"{show(row['contacted_on_time_pct'], '%')} "
                    f"({show(row['contacted_on_time'])}/{show(row['contacted'])})",
                    row["contacted_on_time_pct"],
                    row["contacted"],
                ),
                figure(
                    f"{show(row['held_out_on_time_pct'], '%')} "
                    f"({show(row['held_out_on_time'])}/{show(row['held_out'])})",
                    row["held_out_on_time_pct"],
                    row["held_out"],
                ),
                figure(
                    show(row["difference_pts"]),
                    row["difference_pts"],
                    min(row["contacted"], row["held_out"]),
                ),
                figure(
                    interval(row["ci_low_pts"], row["ci_high_pts"]),
                    row["ci_low_pts"],
                    min(row["contacted"], row["held_out"]),
                ),
            ]
            for version, row in zip(versions, rows, strict=True)
        ],
        level=level,
    )


def panels(data: Dashboard) -> list[Panel]:
    """Early warning (the last backtest). Outreach against the holdout is part of the
    Outcomes panel (`reports.dashboard_outcomes`)."""
    return [backtest_panel(data.backtest)]
