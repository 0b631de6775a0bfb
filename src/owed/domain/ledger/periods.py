"""Fiscal calendar and periods.

Periods are calendar months keyed ``YYYY-MM``; the fiscal year starts in a
configurable month (``fiscal_year_start``). A period is open or closed;
nothing may be posted dated inside a closed period (checked by the service
layer and again by the database).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from owed.domain.errors import InvalidInput

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def period_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(key: str) -> tuple[date, date]:
    """``"2026-03"`` → (first day, last day)."""
    m = _PERIOD.match(key.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput(f"{key!r} is not a period: expected YYYY-MM, e.g. 2026-03")
    year, month = int(m.group(1)), int(m.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class FiscalCalendar:
    fiscal_year_start: int = 1  # month number

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise InvalidInput("fiscal year start must be a month number 1-12")

    def period_of(self, day: date) -> str:
        return period_key(day)

    def fiscal_year_of(self, day: date) -> int:
        """The fiscal year is named by the calendar year in which it ends."""
        if self.fiscal_year_start == 1:
            return day.year
        return day.year + 1 if day.month >= self.fiscal_year_start else day.year
