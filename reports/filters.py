"""The filters every report and the dashboard take: submission dates and a product.

Dates are local dates (settings.TIME_ZONE, Asia/Shanghai) and both ends are included: a day
runs from local midnight to the next local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    """The aware moment a local day starts (comparisons on timestamps stay index friendly)."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


@dataclass(frozen=True)
class ReportFilters:
    date_from: date
    date_to: date
    product: str = ""  # a loan product code; empty for all

    @property
    def submitted_from(self) -> datetime:
        return local_midnight(self.date_from)

    @property
    def submitted_before(self) -> datetime:
        return local_midnight(self.date_to + timedelta(days=1))

    def application_q(self, prefix: str = "") -> Q:
        """Applications submitted in the range (on the product), as a filter on `prefix`."""
        q = Q(
            **{
                f"{prefix}created_at__gte": self.submitted_from,
                f"{prefix}created_at__lt": self.submitted_before,
            }
        )
        if self.product:
            q &= Q(**{f"{prefix}loan__product__code": self.product})
        return q

    def as_dict(self) -> dict[str, str]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "product": self.product,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportFilters:
        return cls(
            date_from=date.fromisoformat(data["from"]),
            date_to=date.fromisoformat(data["to"]),
            product=data.get("product") or "",
        )

    def file_stem(self, report: str) -> str:
        product = f"-{self.product}" if self.product else ""
        return f"relief-{report}-{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}{product}"
