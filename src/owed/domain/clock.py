"""Time as the domain sees it.

Business dates (issue date, due date, "as of") are ``date``; instants are
timezone-aware UTC ``datetime``. Domain and service code never ask the system
for "now": they are handed a ``Clock``. The system clock lives in the adapters
(``owed.adapters.clock``); tests and the demo use ``FixedClock``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


def today(clock: Clock, timezone: str) -> date:
    """The business date in a company's timezone."""
    return clock.now().astimezone(ZoneInfo(timezone)).date()


@dataclass
class FixedClock:
    """A clock that says what it is told; ``advance`` moves it."""

    instant: datetime

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self.instant = self.instant.astimezone(UTC)

    @classmethod
    def on(cls, day: date, hour: int = 12) -> FixedClock:
        return cls(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))

    def now(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> None:
        self.instant = self.instant + timedelta(**delta)
