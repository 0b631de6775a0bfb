"""The calendar of a KPI period: the calendar months it touches, clipped to it.

A month's days are its actual days within the period, or 30 under the company
setting ``"kpi_month_days": 30`` (the 30-day convention).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from owed.domain.errors import InvalidInput


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    start: date
    end: date  # clipped to the period end
    days: int  # days counted for this month (actual, or 30)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(date_from: date, date_to: date, thirty_day: bool = False) -> list[Month]:
    """Calendar months touching the range, oldest first, clipped to it."""
    if date_to < date_from:
        raise InvalidInput(f"the period ends ({date_to}) before it starts ({date_from})")
    out = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        start, end = max(first, date_from), min(last, date_to)
        out.append(Month(year, month, start, end, 30 if thirty_day else (end - start).days + 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
