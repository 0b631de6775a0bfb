"""Business days: Monday to Friday, optionally skipping given holidays.

Used by the 5-business-day SLA on unidentified cash, the window in which a
returned payment is paired with its original, and dispute SLA due dates.
"""

from __future__ import annotations

from datetime import date, timedelta

from owed.domain.errors import InvalidInput


def business_days_between(start: date, end: date) -> int:
    """Weekdays after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    for i in range(1, rest + 1):
        if (start.toordinal() + i - 1) % 7 < 5:  # date.fromordinal(1) is a Monday
            count += 1
    return count


def add_business_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """``start`` plus ``days`` working days (Monday to Friday, not a holiday)."""
    if days < 0:
        raise InvalidInput(f"business days must not be negative, got {days}")
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current
