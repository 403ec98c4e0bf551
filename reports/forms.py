"""Parsing the filters (`from`, `to`, `product`) for the dashboard, the exports and the API."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loans.models import LoanProduct
from reports.filters import ReportFilters
from reports.models import ExportFormat

DEFAULT_DAYS = 30
DASHBOARD_MAX_DAYS = 366

END_BEFORE_START = _("The end date must be on or after the start date.")
RANGE_TOO_LONG = _("Choose at most %(days)s days.")
BAD_DATE = _("Enter a date as YYYY-MM-DD.")
DATE_OUT_OF_RANGE = _("Choose a date from %(earliest)s to %(latest)s.")

# Reports cover the lender's loans: none is older than this, and a date more than a few years
# ahead is a typo (9999-12-31 or 0001-01-01 overflowed the date arithmetic: a server error).
EARLIEST_REPORT_DATE = date(2000, 1, 1)
YEARS_AHEAD = 5


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def report_date_bounds(today: date | None = None) -> tuple[date, date]:
    """The dates a report, the dashboard or an export may ask for."""
    today = today or timezone.localdate()
    return EARLIEST_REPORT_DATE, date(today.year + YEARS_AHEAD, 12, 31)


def validate_report_date(value: date) -> None:
    """The one check of a report date, on the API, the dashboard and the export form."""
    earliest, latest = report_date_bounds()
    if not earliest <= value <= latest:
        raise ValidationError(
            DATE_OUT_OF_RANGE,
            code="out_of_range",
            params={"earliest": earliest.isoformat(), "latest": latest.isoformat()},
        )


def parse_date(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw).strip()) if raw else None
    except ValueError:
        return None


def with_default_dates(data) -> dict:
    """The submitted data with the missing dates filled in, so the form shows what it used:
    none → the last 30 days; only `from` → up to today; only `to` → the 30 days before it."""
    filled = data.copy()
    start, end = default_range()
    given_from, given_to = (filled.get("from") or "").strip(), (filled.get("to") or "").strip()
    if not given_from and not given_to:
        filled["from"], filled["to"] = start.isoformat(), end.isoformat()
    elif not given_to:
        date_from = parse_date(given_from)
        filled["to"] = max(end, date_from).isoformat() if date_from else end.isoformat()
    elif not given_from:
        date_to = parse_date(given_to)
        earliest, latest = report_date_bounds()
        if date_to and earliest <= date_to <= latest:
            filled["from"] = (date_to - (end - start)).isoformat()
    return filled


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    """`from` and `to` are Python keywords, so the fields are added by name in __init__.

    Missing dates are filled in (`with_default_dates`); a given date must be YYYY-MM-DD.
    """

    def __init__(self, data=None, *, max_days: int | None = None, formats=None, **kwargs):
        if data is not None:
            data = with_default_dates(data)
        super().__init__(data, **kwargs)
        start, end = default_range()
        date_errors = {"invalid": BAD_DATE}
        self.fields["from"] = forms.DateField(
            label=_("From"),
            input_formats=["%Y-%m-%d"],
            widget=DateInput(format="%Y-%m-%d"),
            initial=start,
            error_messages=date_errors,
            validators=[validate_report_date],
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            input_formats=["%Y-%m-%d"],
            widget=DateInput(format="%Y-%m-%d"),
            initial=end,
            error_messages=date_errors,
            validators=[validate_report_date],
        )
        self.fields["product"] = forms.ChoiceField(
            label=_("Product"),
            required=False,
            choices=[("", _("All products"))]
            + [
                (product.code, f"{product.code} · {product.display_name}")
                for product in LoanProduct.objects.order_by("code").only(
                    "code", "name", "name_zh_hans"
                )
            ],
        )
        if formats:
            self.fields["format"] = forms.ChoiceField(
                label=_("Format"),
                required=False,
                choices=[
                    (value, label) for value, label in ExportFormat.choices if value in formats
                ],
                initial=formats[0],
            )
        self.max_days = max_days

    def clean(self):
        cleaned = super().clean()
        date_from = cleaned.get("from")
        date_to = cleaned.get("to")
        if date_from is None or date_to is None:
            return cleaned
        if date_to < date_from:
            self.add_error("to", END_BEFORE_START)
        elif self.max_days and (date_to - date_from).days + 1 > self.max_days:
            self.add_error("from", RANGE_TOO_LONG % {"days": self.max_days})
        if "format" in self.fields and not cleaned.get("format"):
            cleaned["format"] = self.fields["format"].initial
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers read a field's error with the field.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )

    def filters(self) -> ReportFilters:
        """The parsed filters; call after is_valid()."""
        return ReportFilters(
            date_from=self.cleaned_data["from"],
            date_to=self.cleaned_data["to"],
            product=self.cleaned_data.get("product") or "",
        )

    def error_fields(self) -> dict[str, list[str]]:
        return {name: [str(message) for message in errors] for name, errors in self.errors.items()}
